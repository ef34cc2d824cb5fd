// A model directory's weights: one model.safetensors, or shards named by
// model.safetensors.index.json, in float32 or 16-bit floats.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../core/engine/backend';
import { tf } from '../../core/engine/tf';
import { isMoltError } from '../../core/errors';
import { isHfDir } from '../../core/checkpoint/hf-dir';
import { loadedWeightBytes, readHfWeights, WEIGHTS_FILE, WEIGHTS_INDEX_FILE } from '../../core/checkpoint/hf-weights';
import { encodeSafetensors, type RawTensor } from '../../core/checkpoint/safetensors';

/** a safetensors file of BF16 tensors, assembled by hand: each float32 value's top 16 bits */
function bf16File(tensors: Record<string, { shape: number[]; values: number[] }>): Buffer {
  const entries: string[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name, { shape, values }] of Object.entries(tensors)) {
    const bits = new Uint32Array(new Float32Array(values).buffer);
    const data = Buffer.alloc(values.length * 2);
    bits.forEach((b, i) => data.writeUInt16LE(b >>> 16, i * 2));
    entries.push(`${JSON.stringify(name)}:${JSON.stringify({ dtype: 'BF16', shape, data_offsets: [offset, offset + data.length] })}`);
    chunks.push(data);
    offset += data.length;
  }
  const header = Buffer.from(`{${entries.join(',')}}`);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([len, header, ...chunks]);
}

const f32 = (shape: number[], values: number[]): RawTensor => ({ dtype: 'F32', shape, data: new Float32Array(values) });

describe('model weights of an HF directory (single file or shards)', () => {
  let dir: string;
  before(async () => {
    await initBackend('wasm');
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'molt-weights-'));
    writeFileSync(join(dir, 'config.json'), '{}');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // bf16-exact values, so every form of the same weights reads back equal
  const EMBED = [1, -0.5, 3.140625, 0.25, -2, 8];
  const NORM = [1, 0.5];
  const HEAD = [0.125, -1, 2, 4];

  function writeShards(index: Record<string, string>): void {
    writeFileSync(join(dir, 'model-00001-of-00002.safetensors'), bf16File({ 'model.embed_tokens.weight': { shape: [3, 2], values: EMBED } }));
    writeFileSync(
      join(dir, 'model-00002-of-00002.safetensors'),
      encodeSafetensors(new Map([['lm_head.weight', f32([2, 2], HEAD)], ['model.norm.weight', f32([2], NORM)]]), { format: 'pt' }),
    );
    writeFileSync(join(dir, WEIGHTS_INDEX_FILE), JSON.stringify({ metadata: { total_size: 36 }, weight_map: index }));
  }
  const INDEX = {
    'lm_head.weight': 'model-00002-of-00002.safetensors',
    'model.embed_tokens.weight': 'model-00001-of-00002.safetensors',
    'model.norm.weight': 'model-00002-of-00002.safetensors',
  };

  async function valuesOf(d: string): Promise<Record<string, { dtype: string; shape: number[]; values: number[] }>> {
    const w = await readHfWeights(d);
    const out: Record<string, { dtype: string; shape: number[]; values: number[] }> = {};
    for (const [name, t] of w) {
      out[name] = { dtype: t.dtype, shape: t.shape, values: Array.from(t.dataSync()) };
      t.dispose();
    }
    return out;
  }

  const EXPECTED = {
    'lm_head.weight': { dtype: 'float32', shape: [2, 2], values: HEAD },
    'model.embed_tokens.weight': { dtype: 'float32', shape: [3, 2], values: EMBED },
    'model.norm.weight': { dtype: 'float32', shape: [2], values: NORM },
  };

  it('reads shards named by the index (bf16 and float32 shards) as float32, the same as one file', async () => {
    writeShards(INDEX);
    assert.ok(isHfDir(dir));
    assert.deepEqual(await valuesOf(dir), EXPECTED);
    const one = mkdtempSync(join(tmpdir(), 'molt-weights-one-'));
    try {
      writeFileSync(join(one, WEIGHTS_FILE), bf16File(Object.fromEntries(Object.entries(EXPECTED).map(([n, e]) => [n, { shape: e.shape, values: e.values }]))));
      assert.deepEqual(await valuesOf(one), EXPECTED);
    } finally {
      rmSync(one, { recursive: true, force: true });
    }
  });

  it('prefers model.safetensors over an index, as transformers does', async () => {
    writeShards(INDEX);
    writeFileSync(join(dir, WEIGHTS_FILE), encodeSafetensors(new Map([['only', f32([1], [7])]])));
    assert.deepEqual(await valuesOf(dir), { only: { dtype: 'float32', shape: [1], values: [7] } });
  });

  const refuses = (mentions: string[]) => (e: unknown) => {
    assert.ok(isMoltError(e), `expected a MoltError, got ${e}`);
    const msg = (e as Error).message;
    assert.ok(!msg.includes('\n'), 'one line');
    for (const m of mentions) assert.ok(msg.includes(m), `"${msg}" should mention "${m}"`);
    return true;
  };

  it('refuses an index that does not match its shards, naming the file and tensor, before reading any data', async () => {
    writeShards({ ...INDEX, 'model.norm.weight': 'model-00001-of-00002.safetensors' });
    await assert.rejects(readHfWeights(dir), refuses([WEIGHTS_INDEX_FILE, "'model.norm.weight'", 'model-00001-of-00002.safetensors']));
    const { 'model.norm.weight': _dropped, ...partial } = INDEX;
    writeShards(partial);
    await assert.rejects(readHfWeights(dir), refuses(['model-00002-of-00002.safetensors', "'model.norm.weight'"]));
    writeShards({ ...INDEX, 'lm_head.weight': 'model-00003-of-00003.safetensors' });
    await assert.rejects(readHfWeights(dir), refuses([WEIGHTS_INDEX_FILE, 'model-00003-of-00003.safetensors', 'does not exist']));
    writeShards({ ...INDEX, 'lm_head.weight': '../model-00002-of-00002.safetensors' });
    await assert.rejects(readHfWeights(dir), refuses([WEIGHTS_INDEX_FILE, "weight_map['lm_head.weight']"]));
    writeFileSync(join(dir, WEIGHTS_INDEX_FILE), '{"weight_map": [1]}');
    await assert.rejects(readHfWeights(dir), refuses([WEIGHTS_INDEX_FILE, 'weight_map']));
    writeFileSync(join(dir, WEIGHTS_INDEX_FILE), '{"weight_map": ');
    await assert.rejects(readHfWeights(dir), refuses([WEIGHTS_INDEX_FILE, 'JSON']));
  });

  it('says what is missing when there are no safetensors weights, pointing at a .bin file', async () => {
    assert.equal(isHfDir(dir), false);
    await assert.rejects(readHfWeights(dir), refuses([WEIGHTS_FILE, WEIGHTS_INDEX_FILE]));
    writeFileSync(join(dir, 'pytorch_model.bin'), 'x');
    await assert.rejects(readHfWeights(dir), refuses(['pytorch_model.bin', 'safetensors']));
  });

  it('disposes what it read when a later shard fails while its data is converted', async () => {
    writeShards(INDEX);
    // model.norm.weight as I64 holding 2^40: the header is valid, the value does not fit molt's int32
    const header = '{"lm_head.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"model.norm.weight":{"dtype":"I64","shape":[1],"data_offsets":[16,24]}}';
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    const big = Buffer.alloc(8);
    big.writeBigInt64LE(2n ** 40n);
    writeFileSync(join(dir, 'model-00002-of-00002.safetensors'), Buffer.concat([len, Buffer.from(header), Buffer.from(new Float32Array(HEAD).buffer), big]));
    const before = tf.memory().numTensors;
    await assert.rejects(readHfWeights(dir), refuses(['model-00002-of-00002.safetensors', "'model.norm.weight'"]));
    assert.equal(tf.memory().numTensors, before);
  });

  it('refuses, before reading any data, weights larger than the wasm backend can hold (a 1B model in float32)', async () => {
    // a sparse file: a valid header for 2^31 bf16 values (8 GiB as float32) over a hole
    const header = Buffer.from(JSON.stringify({ 'model.embed_tokens.weight': { dtype: 'BF16', shape: [2 ** 21, 2 ** 10], data_offsets: [0, 2 ** 32] } }));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    const file = join(dir, WEIGHTS_FILE);
    writeFileSync(file, Buffer.concat([len, header]));
    truncateSync(file, 8 + header.length + 2 ** 32);
    assert.equal(await loadedWeightBytes(dir), 2 ** 33);
    await assert.rejects(readHfWeights(dir), refuses([dir, '8.0 GiB as float32', 'wasm backend', '--backend cpu']));
  });
});
