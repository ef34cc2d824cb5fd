// The safetensors format, written and read by hand (no dependency):
//   [u64 little-endian N][N bytes of JSON header][raw little-endian data]
// The header maps tensor names to {dtype, shape, data_offsets: [begin, end]}
// (offsets relative to the start of the data) plus an optional
// `__metadata__` of string -> string. We pad the header with spaces to a
// multiple of 8 bytes so the data starts aligned, and lay tensors out sorted
// by name so that equal contents give byte-identical files.
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { writeFileNamed } from '../store/atomic';
import { endianness } from 'node:os';
import { tf } from '../engine/tf';
import { MoltError } from '../errors';

/** dtypes we can read; F32 and I32 are also the ones we write */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'I64' | 'I32';
const BYTES_PER_ELEMENT: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4 };
const FLOAT_DTYPES: ReadonlySet<string> = new Set(['F32', 'F16', 'BF16']);

/**
 * A tensor as plain data. On read, `dtype` is the dtype stored in the file and
 * `data` is already converted: floats to Float32Array, integers to Int32Array.
 * On write, F32 needs a Float32Array and I32 an Int32Array.
 */
export interface RawTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface SafetensorsContents {
  tensors: Map<string, RawTensor>;
  metadata: Record<string, string>;
}

/** the reference implementation refuses headers above 100 MB; so do we */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;
const METADATA_KEY = '__metadata__';

function assertLittleEndianHost(): void {
  // Typed arrays use the host's byte order; every platform molt targets is LE.
  if (endianness() !== 'LE') throw new MoltError('safetensors: big-endian hosts are not supported', 'host');
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Serialise tensors (sorted by name) and string metadata into safetensors bytes. */
export function encodeSafetensors(tensors: Map<string, RawTensor>, metadata: Record<string, string> = {}): Buffer {
  assertLittleEndianHost();
  const names = [...tensors.keys()].sort(byName);
  // The header JSON is assembled entry by entry: a JS object would move
  // integer-like names ("0", "1") to the front and mishandle "__proto__".
  const entries: string[] = [];
  // __metadata__ first, as the reference writer does; omitted when empty.
  const metaKeys = Object.keys(metadata).sort(byName);
  if (metaKeys.length > 0) {
    const meta = metaKeys.map((k) => {
      if (typeof metadata[k] !== 'string') throw new MoltError(`safetensors: metadata value '${k}' must be a string`, k);
      return `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`;
    });
    entries.push(`${JSON.stringify(METADATA_KEY)}:{${meta.join(',')}}`);
  }
  let offset = 0;
  const chunks: Uint8Array[] = [];
  for (const name of names) {
    if (name === METADATA_KEY) throw new MoltError(`safetensors: '${METADATA_KEY}' is reserved and cannot name a tensor`, name);
    const t = tensors.get(name)!;
    const expected = t.dtype === 'F32' ? Float32Array : t.dtype === 'I32' ? Int32Array : undefined;
    if (!expected) throw new MoltError(`safetensors: tensor '${name}' has dtype ${t.dtype}; only F32 and I32 can be written`, name);
    if (!(t.data instanceof expected)) throw new MoltError(`safetensors: tensor '${name}' is ${t.dtype} but its data is a ${t.data.constructor.name}`, name);
    if (!t.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new MoltError(`safetensors: tensor '${name}' has an invalid shape [${t.shape}]`, name);
    if (elementCount(t.shape) !== t.data.length) {
      throw new MoltError(`safetensors: tensor '${name}' has shape [${t.shape}] but ${t.data.length} values`, name);
    }
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    const info = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes.byteLength] };
    entries.push(`${JSON.stringify(name)}:${JSON.stringify(info)}`);
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  let json = `{${entries.join(',')}}`;
  const raw = Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - (raw % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let pos = 8 + headerBytes.length;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.byteLength;
  }
  return out;
}

/** float16 bits -> float32 value (handles subnormals, infinities and NaN) */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

let HALF_TABLE: Float32Array | undefined;
/** every float16 bit pattern's float32 value (a 256 KB table beats a call per weight) */
function halfTable(): Float32Array {
  if (!HALF_TABLE) {
    HALF_TABLE = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) HALF_TABLE[h] = halfToFloat(h);
  }
  return HALF_TABLE;
}

/**
 * bytes must be owned by the caller and start at an aligned offset (offsets
 * inside a file need not be aligned for a typed-array view, so callers copy
 * or read into a fresh buffer): F32 and I32 are viewed in place, not copied.
 */
function convert(name: string, dtype: SafetensorsDtype, bytes: Uint8Array, source: string): Float32Array | Int32Array {
  const n = bytes.byteLength / BYTES_PER_ELEMENT[dtype];
  const { buffer, byteOffset } = bytes;
  switch (dtype) {
    case 'F32':
      return new Float32Array(buffer, byteOffset, n);
    case 'I32':
      return new Int32Array(buffer, byteOffset, n);
    case 'F16': {
      const half = new Uint16Array(buffer, byteOffset, n);
      const table = halfTable();
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = table[half[i]];
      return out;
    }
    case 'BF16': {
      // bfloat16 is the top half of a float32: shift it back into place.
      const half = new Uint16Array(buffer, byteOffset, n);
      const bits = new Uint32Array(n);
      for (let i = 0; i < n; i++) bits[i] = half[i] << 16;
      return new Float32Array(bits.buffer);
    }
    case 'I64': {
      const wide = new BigInt64Array(buffer, byteOffset, n);
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = wide[i];
        if (v > 2147483647n || v < -2147483648n) {
          throw new MoltError(`${source}: tensor '${name}' holds ${v}, outside the int32 range molt uses`, `${source}:${name}`);
        }
        out[i] = Number(v);
      }
      return out;
    }
  }
}

/** One tensor's place in a safetensors file; begin/end relative to the start of the data. */
export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** A validated header: entries sorted by name, string metadata, where the data starts. */
export interface SafetensorsHeader {
  entries: SafetensorsEntry[];
  metadata: Record<string, string>;
  /** byte offset of the data in the file (8 + header length) */
  dataStart: number;
}

/** The header length from the first 8 bytes, checked against the file size. */
function headerLength(first8: Uint8Array, fileBytes: number, source: string): number {
  if (fileBytes < 8) throw new MoltError(`${source}: not a safetensors file (only ${fileBytes} bytes)`, source);
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(Math.min(fileBytes - 8, MAX_HEADER_BYTES))) {
    throw new MoltError(`${source}: header length ${n} exceeds the file (${fileBytes} bytes) or the 100 MB limit`, `${source}:header`);
  }
  return Number(n);
}

/**
 * Validate a header (its JSON text, the data length that follows it):
 * dtype known, shape x dtype size = byte length, offsets contiguous and
 * covering the data exactly. `source` (usually the file path) names the file in errors.
 */
function parseHeader(text: string, headerBytes: number, dataLen: number, source: string): SafetensorsHeader {
  const fail = (msg: string, field?: string): never => {
    throw new MoltError(`${source}: ${msg}`, field ? `${source}:${field}` : source);
  };
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`, 'header');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object', 'header');

  const metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${METADATA_KEY} must be an object of strings`, METADATA_KEY);
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`${METADATA_KEY}.${k} must be a string`, `${METADATA_KEY}.${k}`);
        metadata[k] = v as string;
      }
      continue;
    }
    const info = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof info !== 'object' || info === null) fail(`tensor '${name}': entry is not an object`, name);
    if (typeof info.dtype !== 'string' || !(info.dtype in BYTES_PER_ELEMENT)) {
      fail(`tensor '${name}': unsupported dtype ${JSON.stringify(info.dtype)} (molt reads ${Object.keys(BYTES_PER_ELEMENT).join(', ')})`, `${name}.dtype`);
    }
    const dtype = info.dtype as SafetensorsDtype;
    if (!Array.isArray(info.shape) || !info.shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`tensor '${name}': shape must be a list of non-negative integers`, `${name}.shape`);
    const shape = info.shape as number[];
    const offs = info.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0) || offs[0] > offs[1]) {
      fail(`tensor '${name}': data_offsets must be [begin, end] with 0 <= begin <= end`, `${name}.data_offsets`);
    }
    const [begin, end] = offs as number[];
    if (end > dataLen) fail(`tensor '${name}': data_offsets [${begin}, ${end}] run past the end of the data (${dataLen} bytes)`, `${name}.data_offsets`);
    const want = elementCount(shape) * BYTES_PER_ELEMENT[dtype];
    if (end - begin !== want) fail(`tensor '${name}': shape [${shape}] x ${dtype} needs ${want} bytes but data_offsets span ${end - begin}`, `${name}.data_offsets`);
    entries.push({ name, dtype, shape, begin, end });
  }
  // Contiguous: sorted by offset, each tensor starts where the previous ended
  // and the last ends at the end of the file (no gaps, overlaps or trailing bytes).
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of entries) {
    if (e.begin !== expected) fail(`tensor '${e.name}': data starts at ${e.begin}, expected ${expected} (gap or overlap)`, `${e.name}.data_offsets`);
    expected = e.end;
  }
  if (expected !== dataLen) fail(`tensors cover ${expected} bytes of data but the file holds ${dataLen}`, 'data');
  return { entries: entries.sort((a, b) => byName(a.name, b.name)), metadata, dataStart: 8 + headerBytes };
}

/** Parse safetensors bytes (the whole file in memory). `source` names the file in errors. */
export function decodeSafetensors(buf: Uint8Array, source: string): SafetensorsContents {
  assertLittleEndianHost();
  const n = headerLength(buf, buf.byteLength, source);
  const text = Buffer.from(buf.buffer, buf.byteOffset + 8, n).toString('utf8');
  const { entries, metadata, dataStart } = parseHeader(text, n, buf.byteLength - 8 - n, source);
  const tensors = new Map<string, RawTensor>();
  for (const e of entries) {
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset + dataStart + e.begin, e.end - e.begin);
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: convert(e.name, e.dtype, new Uint8Array(bytes), source) });
  }
  return { tensors, metadata };
}

async function openForRead(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (e) {
    throw new MoltError(`${file}: cannot read (${(e as Error).message})`, file);
  }
}

async function readExactly(fh: FileHandle, length: number, position: number, file: string): Promise<Buffer> {
  // allocUnsafeSlow: a buffer of its own (offset 0), so typed-array views on it are aligned
  const buf = Buffer.allocUnsafeSlow(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) throw new MoltError(`${file}: ended after ${position + done} bytes while reading`, file);
    done += bytesRead;
  }
  return buf;
}

/** Read and validate only the header of a safetensors file. */
export async function readSafetensorsHeader(file: string): Promise<SafetensorsHeader> {
  assertLittleEndianHost();
  const fh = await openForRead(file);
  try {
    return await headerOf(fh, file);
  } finally {
    await fh.close();
  }
}

async function headerOf(fh: FileHandle, file: string): Promise<SafetensorsHeader> {
  const { size } = await fh.stat();
  const first8 = size >= 8 ? await readExactly(fh, 8, 0, file) : new Uint8Array(0);
  const n = headerLength(first8, size, file);
  const text = (await readExactly(fh, n, 8, file)).toString('utf8');
  return parseHeader(text, n, size - 8 - n, file);
}

/**
 * Visit every tensor of a safetensors file in name order, reading one tensor
 * at a time from disk, so that the file is never in memory whole and each
 * tensor's converted data (float32/int32) can be handed on and dropped
 * before the next is read. Only `names` are read when given.
 */
export async function forEachSafetensor(
  file: string,
  visit: (name: string, tensor: RawTensor) => void | Promise<void>,
  names?: ReadonlySet<string>,
): Promise<SafetensorsHeader> {
  assertLittleEndianHost();
  const fh = await openForRead(file);
  try {
    const header = await headerOf(fh, file);
    for (const e of header.entries) {
      if (names && !names.has(e.name)) continue;
      const bytes = await readExactly(fh, e.end - e.begin, header.dataStart + e.begin, file);
      await visit(e.name, { dtype: e.dtype, shape: e.shape, data: convert(e.name, e.dtype, bytes, file) });
    }
    return header;
  } finally {
    await fh.close();
  }
}

export async function writeSafetensors(file: string, tensors: Map<string, RawTensor>, metadata: Record<string, string> = {}): Promise<void> {
  await writeFileNamed(file, encodeSafetensors(tensors, metadata));
}

export async function readSafetensors(file: string): Promise<SafetensorsContents> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (e) {
    throw new MoltError(`${file}: cannot read (${(e as Error).message})`, file);
  }
  return decodeSafetensors(buf, file);
}

/** tf tensors -> plain data (float32 -> F32, int32 -> I32; other tf dtypes are refused). */
export function tensorsToRaw(tensors: Map<string, tf.Tensor>): Map<string, RawTensor> {
  const out = new Map<string, RawTensor>();
  for (const [name, t] of tensors) {
    if (t.dtype === 'float32') out.set(name, { dtype: 'F32', shape: t.shape.slice(), data: t.dataSync() as Float32Array });
    else if (t.dtype === 'int32') out.set(name, { dtype: 'I32', shape: t.shape.slice(), data: t.dataSync() as Int32Array });
    else throw new MoltError(`safetensors: tensor '${name}' has tf dtype ${t.dtype}; only float32 and int32 can be saved`, name);
  }
  return out;
}

/** plain data -> a tf tensor: floats (F32/F16/BF16) as float32, integers as int32. */
export function rawToTensor(t: RawTensor): tf.Tensor {
  return tf.tensor(t.data, t.shape, FLOAT_DTYPES.has(t.dtype) ? 'float32' : 'int32');
}

/** plain data -> tf tensors (rawToTensor on each). */
export function rawToTensors(raw: Map<string, RawTensor>): Map<string, tf.Tensor> {
  return new Map([...raw].map(([name, t]) => [name, rawToTensor(t)]));
}
