import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../core/engine/backend';
import { tf } from '../../core/engine/tf';
import { isMoltError } from '../../core/errors';
import {
  decodeSafetensors,
  encodeSafetensors,
  forEachSafetensor,
  readSafetensorsHeader,
  rawToTensors,
  readSafetensors,
  tensorsToRaw,
  writeSafetensors,
  type RawTensor,
} from '../../core/checkpoint/safetensors';

/** [u64 LE length][header][data] assembled by hand */
function handBuilt(header: string, data: number[]): Buffer {
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(header)));
  return Buffer.concat([len, Buffer.from(header), Buffer.from(data)]);
}

function expectMoltError(fn: () => unknown, ...mentions: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isMoltError(e), `expected a MoltError, got ${e}`);
    for (const m of mentions) assert.ok((e as Error).message.includes(m), `message "${(e as Error).message}" should mention "${m}"`);
    return true;
  });
}

describe('safetensors', () => {
  before(async () => {
    await initBackend('wasm');
  });

  // 1.0 = 0x3f800000, 2.0 = 0x40000000, 3.0 = 0x40400000, -0.5 = 0xbf000000, little-endian
  const F32_2x2 = [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40, 0, 0, 0, 0xbf];
  // 89 bytes of JSON + 7 spaces of padding = 96 = 12 x 8
  const HEADER_2x2 = '{"__metadata__":{"format":"pt"},"wt":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}' + ' '.repeat(7);

  it('parses a hand-built 2x2 float32 file', () => {
    const { tensors, metadata } = decodeSafetensors(handBuilt(HEADER_2x2, F32_2x2), 'hand.safetensors');
    assert.deepEqual(metadata, { format: 'pt' });
    const t = tensors.get('wt')!;
    assert.equal(t.dtype, 'F32');
    assert.deepEqual(t.shape, [2, 2]);
    assert.deepEqual(Array.from(t.data), [1, 2, 3, -0.5]);
  });

  it('writes exactly the hand-built bytes (sorted, padded to 8)', () => {
    const bytes = encodeSafetensors(new Map([['wt', { dtype: 'F32', shape: [2, 2], data: new Float32Array([1, 2, 3, -0.5]) }]]), { format: 'pt' });
    assert.deepEqual(bytes, handBuilt(HEADER_2x2, F32_2x2));
    assert.equal(bytes.readBigUInt64LE(0), 96n);
  });

  it('lays tensors out by name whatever the insertion order, integer-like names included', () => {
    const a = new Map<string, RawTensor>([
      ['b', { dtype: 'F32', shape: [1], data: new Float32Array([2]) }],
      ['10', { dtype: 'I32', shape: [1], data: new Int32Array([7]) }],
      ['a', { dtype: 'F32', shape: [1], data: new Float32Array([1]) }],
    ]);
    const b = new Map([...a].reverse());
    const bytesA = encodeSafetensors(a);
    assert.deepEqual(bytesA, encodeSafetensors(b));
    const header = bytesA.subarray(8, 8 + Number(bytesA.readBigUInt64LE(0))).toString();
    assert.ok(header.indexOf('"10"') < header.indexOf('"a"') && header.indexOf('"a"') < header.indexOf('"b"'));
    // data order follows names: "10" (int 7), "a" (1.0), "b" (2.0)
    const data = bytesA.subarray(bytesA.length - 12);
    assert.equal(data.readInt32LE(0), 7);
    assert.equal(data.readFloatLE(4), 1);
    assert.equal(data.readFloatLE(8), 2);
  });

  it('reads F16, BF16 and I64 into float32/int32 with known values, honouring offsets', () => {
    const header =
      '{"b": {"dtype":"BF16","shape":[3],"data_offsets":[0,6]},' +
      ' "a": {"dtype":"F16","shape":[2,2],"data_offsets":[6,14]},' +
      ' "c": {"dtype":"I64","shape":[2],"data_offsets":[14,30]}}';
    const data = [
      // BF16 1.0 (0x3f80), -0.5 (0xbf00), 3.140625 (0x4049)
      0x80, 0x3f, 0x00, 0xbf, 0x49, 0x40,
      // F16 1.0 (0x3c00), -2.0 (0xc000), 65504 (0x7bff), 2^-24 (0x0001, smallest subnormal)
      0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b, 0x01, 0x00,
      // I64 -1 and 2147483647
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
      0xff, 0xff, 0xff, 0x7f, 0x00, 0x00, 0x00, 0x00,
    ];
    const { tensors } = decodeSafetensors(handBuilt(header, data), 'mixed.safetensors');
    assert.deepEqual([...tensors.keys()], ['a', 'b', 'c']);
    assert.deepEqual(Array.from(tensors.get('b')!.data), [1, -0.5, 3.140625]);
    assert.deepEqual(Array.from(tensors.get('a')!.data), [1, -2, 65504, 2 ** -24]);
    assert.deepEqual(tensors.get('a')!.shape, [2, 2]);
    assert.ok(tensors.get('c')!.data instanceof Int32Array);
    assert.deepEqual(Array.from(tensors.get('c')!.data), [-1, 2147483647]);
  });

  it('reads a file one tensor at a time (forEachSafetensor): the values decodeSafetensors gives, unaligned F16/BF16/I64 included, only the names asked for', async () => {
    const header =
      '{"b": {"dtype":"BF16","shape":[3],"data_offsets":[0,6]},' +
      ' "a": {"dtype":"F16","shape":[2,2],"data_offsets":[6,14]},' +
      ' "c": {"dtype":"I64","shape":[2],"data_offsets":[14,30]},' +
      ' "d": {"dtype":"F32","shape":[1],"data_offsets":[30,34]}}';
    // BF16 1.0 -0.5 3.140625; F16 1.0 -2.0 65504 2^-24; I64 -1 2147483647; F32 -0.5 (at an odd offset)
    const data = [0x80, 0x3f, 0x00, 0xbf, 0x49, 0x40, 0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b, 0x01, 0x00, ...Array(8).fill(0xff), 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0xbf];
    const bytes = handBuilt(header, data);
    const dir = mkdtempSync(join(tmpdir(), 'molt-st-'));
    try {
      const file = join(dir, 'mixed.safetensors');
      writeFileSync(file, bytes);
      const whole = decodeSafetensors(bytes, file).tensors;
      const seen: string[] = [];
      const head = await forEachSafetensor(file, (name, t) => {
        seen.push(name);
        assert.equal(t.dtype, whole.get(name)!.dtype);
        assert.deepEqual(t.shape, whole.get(name)!.shape);
        assert.deepEqual(Array.from(t.data), Array.from(whole.get(name)!.data));
      });
      assert.deepEqual(seen, ['a', 'b', 'c', 'd']);
      assert.deepEqual(Array.from(whole.get('d')!.data), [-0.5]);
      assert.equal(head.dataStart, 8 + Buffer.byteLength(header));
      const some: string[] = [];
      await forEachSafetensor(file, (name) => void some.push(name), new Set(['c', 'a']));
      assert.deepEqual(some, ['a', 'c']);
      assert.deepEqual((await readSafetensorsHeader(file)).entries.map((e) => [e.name, e.dtype]), [['a', 'F16'], ['b', 'BF16'], ['c', 'I64'], ['d', 'F32']]);
      // a file cut short is refused from its header, before any tensor is visited
      writeFileSync(file, bytes.subarray(0, bytes.length - 2));
      const visited: string[] = [];
      await assert.rejects(forEachSafetensor(file, (name) => void visited.push(name)), (e: unknown) => isMoltError(e) && (e as Error).message.includes(file) && (e as Error).message.includes("'d'"));
      assert.deepEqual(visited, []);
      await assert.rejects(readSafetensorsHeader(join(dir, 'none.safetensors')), (e: unknown) => isMoltError(e) && (e as Error).message.includes('none.safetensors'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an I64 value outside int32, naming the tensor', () => {
    const header = '{"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}';
    expectMoltError(() => decodeSafetensors(handBuilt(header, [0, 0, 0, 0x80, 0, 0, 0, 0]), 'big.safetensors'), 'big.safetensors', "'ids'");
  });

  describe('rejects damaged files with a MoltError naming the file and field', () => {
    const good = handBuilt(HEADER_2x2, F32_2x2);
    it('header length beyond the file', () => {
      const bad = Buffer.from(good);
      bad.writeBigUInt64LE(10_000n);
      expectMoltError(() => decodeSafetensors(bad, 'x.safetensors'), 'x.safetensors', 'header length');
    });
    it('truncated data', () => {
      expectMoltError(() => decodeSafetensors(good.subarray(0, good.length - 4), 'x.safetensors'), 'x.safetensors', "'wt'");
    });
    it('trailing bytes', () => {
      expectMoltError(() => decodeSafetensors(Buffer.concat([good, Buffer.alloc(4)]), 'x.safetensors'), 'x.safetensors', 'cover');
    });
    it('unknown dtype', () => {
      const h = '{"wt":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}';
      expectMoltError(() => decodeSafetensors(handBuilt(h, F32_2x2), 'x.safetensors'), 'x.safetensors', "'wt'", 'F64');
    });
    it('shape that does not match the byte length', () => {
      const h = '{"wt":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}}';
      expectMoltError(() => decodeSafetensors(handBuilt(h, F32_2x2), 'x.safetensors'), "'wt'", '12 bytes');
    });
    it('a gap between tensors', () => {
      const h = '{"p":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"q":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}';
      expectMoltError(() => decodeSafetensors(handBuilt(h, F32_2x2), 'x.safetensors'), "'q'", 'gap');
    });
    it('overlapping tensors', () => {
      const h = '{"p":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"q":{"dtype":"F32","shape":[3],"data_offsets":[4,16]}}';
      expectMoltError(() => decodeSafetensors(handBuilt(h, F32_2x2), 'x.safetensors'), "'q'");
    });
    it('a header that is not JSON', () => {
      expectMoltError(() => decodeSafetensors(handBuilt('{"wt": nope}', F32_2x2), 'x.safetensors'), 'x.safetensors', 'JSON');
    });
    it('a file shorter than 8 bytes', () => {
      expectMoltError(() => decodeSafetensors(Buffer.from([1, 2]), 'tiny.safetensors'), 'tiny.safetensors');
    });
  });

  it('refuses to write data whose length does not match the shape', () => {
    expectMoltError(() => encodeSafetensors(new Map([['w', { dtype: 'F32', shape: [3], data: new Float32Array(2) }]])), "'w'");
  });

  it('round-trips random float32 bit patterns (NaN payloads, -0, subnormals, huge) and int32 through a file', async () => {
    const n = 4096;
    const bits = new Uint32Array(n);
    let s = 12345;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      bits[i] = s;
    }
    bits.set([0x80000000, 0x00000001, 0x807fffff, 0x7f7fffff, 0xff800000, 0x7fc00001], 0);
    const floats = new Float32Array(bits.buffer);
    const ints = new Int32Array([-2147483648, -1, 0, 2147483647]);
    const dir = mkdtempSync(join(tmpdir(), 'molt-st-'));
    try {
      const file = join(dir, 'm.safetensors');
      await writeSafetensors(file, new Map<string, RawTensor>([['f', { dtype: 'F32', shape: [64, 64], data: floats }], ['i', { dtype: 'I32', shape: [4], data: ints }]]), { format: 'pt' });
      const back = await readSafetensors(file);
      assert.deepEqual(new Uint32Array(back.tensors.get('f')!.data.buffer), bits);
      assert.deepEqual(back.tensors.get('i')!.data, ints);
      // a flipped header byte makes it unreadable, and the error names the file
      const raw = readFileSync(file);
      raw[8] = 0x5b; // '{' -> '['
      writeFileSync(file, raw);
      await assert.rejects(readSafetensors(file), (e: unknown) => isMoltError(e) && (e as Error).message.includes(file));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('converts between tf tensors and plain data', () => {
    const tensors = new Map<string, tf.Tensor>([
      ['w', tf.tensor2d([[1, -0], [2.5, 3]])],
      ['ids', tf.tensor1d([3, -4], 'int32')],
    ]);
    const raw = tensorsToRaw(tensors);
    assert.equal(raw.get('w')!.dtype, 'F32');
    assert.equal(raw.get('ids')!.dtype, 'I32');
    const back = rawToTensors(decodeSafetensors(encodeSafetensors(raw), 'mem').tensors);
    assert.equal(back.get('ids')!.dtype, 'int32');
    assert.deepEqual(back.get('w')!.shape, [2, 2]);
    const w = back.get('w')!.dataSync();
    assert.ok(Object.is(w[1], -0));
    assert.deepEqual(Array.from(w), [1, -0, 2.5, 3]);
    assert.deepEqual(Array.from(back.get('ids')!.dataSync()), [3, -4]);
    for (const t of [...tensors.values(), ...back.values()]) t.dispose();
  });
});
