// The safetensors format, written and read by hand (no dependency):
//   [u64 little-endian N][N bytes of JSON header][raw little-endian data]
// The header maps tensor names to {dtype, shape, data_offsets: [begin, end]}
// (offsets relative to the start of the data) plus an optional
// `__metadata__` of string -> string. We pad the header with spaces to a
// multiple of 8 bytes so the data starts aligned, and lay tensors out sorted
// by name so that equal contents give byte-identical files.
import { readFile } from 'node:fs/promises';
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

/** Copy the bytes first: offsets in a file need not be aligned for a typed-array view. */
function convert(name: string, dtype: SafetensorsDtype, bytes: Uint8Array, source: string): Float32Array | Int32Array {
  const copy = new Uint8Array(bytes); // aligned, owned
  const n = bytes.byteLength / BYTES_PER_ELEMENT[dtype];
  switch (dtype) {
    case 'F32':
      return new Float32Array(copy.buffer);
    case 'I32':
      return new Int32Array(copy.buffer);
    case 'F16': {
      const half = new Uint16Array(copy.buffer);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(half[i]);
      return out;
    }
    case 'BF16': {
      // bfloat16 is the top half of a float32: shift it back into place.
      const half = new Uint16Array(copy.buffer);
      const bits = new Uint32Array(n);
      for (let i = 0; i < n; i++) bits[i] = half[i] << 16;
      return new Float32Array(bits.buffer);
    }
    case 'I64': {
      const wide = new BigInt64Array(copy.buffer);
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

/**
 * Parse safetensors bytes. `source` (usually the file path) names the file in
 * errors. Validates: header length within the file, JSON shape, dtype known,
 * shape x dtype size = byte length, offsets contiguous and covering the data.
 */
export function decodeSafetensors(buf: Uint8Array, source: string): SafetensorsContents {
  assertLittleEndianHost();
  const fail = (msg: string, field?: string): never => {
    throw new MoltError(`${source}: ${msg}`, field ? `${source}:${field}` : source);
  };
  if (buf.byteLength < 8) fail(`not a safetensors file (only ${buf.byteLength} bytes)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = view.getBigUint64(0, true);
  if (headerLen > BigInt(Math.min(buf.byteLength - 8, MAX_HEADER_BYTES))) {
    fail(`header length ${headerLen} exceeds the file (${buf.byteLength} bytes) or the 100 MB limit`, 'header');
  }
  const n = Number(headerLen);
  const text = Buffer.from(buf.buffer, buf.byteOffset + 8, n).toString('utf8');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`, 'header');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object', 'header');
  const dataStart = 8 + n;
  const dataLen = buf.byteLength - dataStart;

  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }[] = [];
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

  const tensors = new Map<string, RawTensor>();
  for (const e of entries.sort((a, b) => byName(a.name, b.name))) {
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset + dataStart + e.begin, e.end - e.begin);
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: convert(e.name, e.dtype, bytes, source) });
  }
  return { tensors, metadata };
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

/** plain data -> tf tensors: floats (F32/F16/BF16) as float32, integers as int32. */
export function rawToTensors(raw: Map<string, RawTensor>): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [name, t] of raw) {
    out.set(name, tf.tensor(t.data, t.shape, FLOAT_DTYPES.has(t.dtype) ? 'float32' : 'int32'));
  }
  return out;
}
