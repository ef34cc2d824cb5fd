// Configs and parameters of the two architectures match Hugging Face's.
import { strict as assert } from 'assert';
import { initBackend } from '../../core/engine/backend';
import { Rng } from '../../core/engine/rng';
import { tf } from '../../core/engine/tf';
import { isMoltError } from '../../core/errors';
import { gemma3Architecture, gemma3LayerTypes, gemma3Spec } from '../../plugins/architectures/gemma3';
import { olmo2Architecture, olmo2Spec } from '../../plugins/architectures/olmo2';
import { PUBLISHED_CONFIGS, publishedConfig } from '../../benchmarks/reference/configs';
import { ARCHS, maxAbsDiff, VOCAB } from './helpers';

function shapes(params: Map<string, tf.Variable>): Record<string, number[]> {
  return Object.fromEntries([...params].map(([n, v]) => [n, v.shape]));
}

describe('architectures: configs and parameters', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('OLMo2 parameter names and shapes are HF Olmo2ForCausalLM\'s', () => {
    const m = olmo2Architecture.init(olmo2Architecture.config('micro', { vocabSize: VOCAB }), new Rng(1));
    // hidden 32, 4 heads of 8, 2 kv heads, intermediate 64
    const layer = (l: number) => ({
      [`model.layers.${l}.self_attn.q_proj.weight`]: [32, 32],
      [`model.layers.${l}.self_attn.k_proj.weight`]: [16, 32],
      [`model.layers.${l}.self_attn.v_proj.weight`]: [16, 32],
      [`model.layers.${l}.self_attn.o_proj.weight`]: [32, 32],
      [`model.layers.${l}.self_attn.q_norm.weight`]: [32],
      [`model.layers.${l}.self_attn.k_norm.weight`]: [16],
      [`model.layers.${l}.post_attention_layernorm.weight`]: [32],
      [`model.layers.${l}.post_feedforward_layernorm.weight`]: [32],
      [`model.layers.${l}.mlp.gate_proj.weight`]: [64, 32],
      [`model.layers.${l}.mlp.up_proj.weight`]: [64, 32],
      [`model.layers.${l}.mlp.down_proj.weight`]: [32, 64],
    });
    assert.deepEqual(shapes(m.params), {
      'model.embed_tokens.weight': [VOCAB, 32],
      ...layer(0),
      ...layer(1),
      'model.norm.weight': [32],
      'lm_head.weight': [VOCAB, 32],
    });
    m.dispose();
  });

  it('Gemma3 parameter names and shapes are HF Gemma3ForCausalLM\'s (tied head, per-head q/k norm)', () => {
    const m = gemma3Architecture.init(gemma3Architecture.config('micro', { vocabSize: VOCAB }), new Rng(1));
    // hidden 32, 4 heads of head_dim 8, 2 kv heads, intermediate 64
    const layer = (l: number) => ({
      [`model.layers.${l}.input_layernorm.weight`]: [32],
      [`model.layers.${l}.self_attn.q_proj.weight`]: [32, 32],
      [`model.layers.${l}.self_attn.k_proj.weight`]: [16, 32],
      [`model.layers.${l}.self_attn.v_proj.weight`]: [16, 32],
      [`model.layers.${l}.self_attn.o_proj.weight`]: [32, 32],
      [`model.layers.${l}.self_attn.q_norm.weight`]: [8],
      [`model.layers.${l}.self_attn.k_norm.weight`]: [8],
      [`model.layers.${l}.post_attention_layernorm.weight`]: [32],
      [`model.layers.${l}.pre_feedforward_layernorm.weight`]: [32],
      [`model.layers.${l}.post_feedforward_layernorm.weight`]: [32],
      [`model.layers.${l}.mlp.gate_proj.weight`]: [64, 32],
      [`model.layers.${l}.mlp.up_proj.weight`]: [64, 32],
      [`model.layers.${l}.mlp.down_proj.weight`]: [32, 64],
    });
    assert.deepEqual(shapes(m.params), { 'model.embed_tokens.weight': [VOCAB, 32], ...layer(0), ...layer(1), 'model.norm.weight': [32] });
    m.dispose();
  });

  it('configs carry the HF fields, molt special ids and model types', () => {
    const o = olmo2Architecture.config('default', { vocabSize: 100 });
    assert.equal(o.model_type, 'olmo2');
    assert.deepEqual(o.architectures, ['Olmo2ForCausalLM']);
    assert.equal(o.rope_theta, 500000);
    assert.equal(o.hidden_act, 'silu');
    assert.equal(o.tie_word_embeddings, false);
    assert.deepEqual([o.pad_token_id, o.bos_token_id, o.eos_token_id], [0, 2, 3]);
    const g = gemma3Architecture.config('default', { vocabSize: 100 });
    assert.equal(g.model_type, 'gemma3_text');
    assert.deepEqual(g.architectures, ['Gemma3ForCausalLM']);
    assert.equal(g.hidden_activation, 'gelu_pytorch_tanh');
    assert.equal(g.tie_word_embeddings, true);
    assert.equal(g.final_logit_softcapping, null);
    assert.equal(g.attn_logit_softcapping, null);
    assert.deepEqual(g.layer_types, ['sliding_attention', 'full_attention', 'sliding_attention', 'full_attention']);
    assert.deepEqual([g.pad_token_id, g.bos_token_id, g.eos_token_id], [0, 2, 3]);
    for (const c of [o, g]) {
      for (const f of ['vocab_size', 'hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads', 'max_position_embeddings', 'rms_norm_eps', 'initializer_range', 'attention_bias', 'torch_dtype']) {
        assert.ok(f in c, `${c.model_type} lacks ${f}`);
      }
    }
    for (const f of ['head_dim', 'query_pre_attn_scalar', 'sliding_window', 'sliding_window_pattern', 'rope_local_base_freq']) assert.ok(f in g, f);
  });

  it('Gemma3 layer rule: layer i is global iff (i + 1) % pattern == 0', () => {
    assert.deepEqual(gemma3LayerTypes(6, 3), ['sliding_attention', 'sliding_attention', 'full_attention', 'sliding_attention', 'sliding_attention', 'full_attention']);
    const spec = gemma3Spec(gemma3Architecture.config('micro', { vocabSize: VOCAB }));
    assert.deepEqual(spec.layers, [{ window: 4, ropeTheta: 10000 }, { window: null, ropeTheta: 1000000 }]);
    assert.equal(spec.embedScale, Math.fround(Math.sqrt(32)));
    assert.equal(spec.attnScale, 8 ** -0.5);
    // overriding the layer count re-derives layer_types
    const c = gemma3Architecture.config('micro', { vocabSize: VOCAB, overrides: { num_hidden_layers: 4 } });
    assert.equal((c.layer_types as string[]).length, 4);
  });

  it('initialisation: HF std, norm weights ones (OLMo2) / zeros (Gemma3), pad row zero, deterministic', () => {
    for (const arch of ARCHS) {
      const cfg = arch.config('default', { vocabSize: 200 });
      const a = arch.init(cfg, new Rng(5));
      const b = arch.init(cfg, new Rng(5));
      const c = arch.init(cfg, new Rng(6));
      const q = 'model.layers.1.self_attn.q_proj.weight';
      assert.equal(maxAbsDiff(a.params.get(q)!.dataSync(), b.params.get(q)!.dataSync()), 0);
      assert.ok(maxAbsDiff(a.params.get(q)!.dataSync(), c.params.get(q)!.dataSync()) > 0.01);
      const w = a.params.get('model.layers.0.mlp.up_proj.weight')!.dataSync() as Float32Array;
      const std = Math.sqrt(w.reduce((s, x) => s + x * x, 0) / w.length);
      assert.ok(Math.abs(std - 0.02) < 0.001, `std ${std}`);
      const normValue = arch.id === 'olmo2' ? 1 : 0;
      assert.ok(a.params.get('model.norm.weight')!.dataSync().every((x) => x === normValue));
      assert.ok(a.params.get('model.layers.0.self_attn.k_norm.weight')!.dataSync().every((x) => x === normValue));
      const emb = a.params.get('model.embed_tokens.weight')!.dataSync();
      const d = a.hiddenSize;
      assert.ok(emb.slice(0, d).every((x) => x === 0), 'pad row (id 0) zero');
      assert.ok(emb.slice(d, 2 * d).some((x) => x !== 0));
      for (const m of [a, b, c]) m.dispose();
    }
  });

  it('fromWeights takes HF-named tensors and reproduces the model; errors name the tensor', () => {
    for (const arch of ARCHS) {
      const cfg = arch.config('micro', { vocabSize: VOCAB });
      const a = arch.init(cfg, new Rng(3));
      const weights = new Map([...a.params].map(([n, v]) => [n, v.clone() as tf.Tensor]));
      const b = arch.fromWeights(cfg, weights);
      const ids = tf.tensor2d([[2, 9, 11, 4]], [1, 4], 'int32');
      assert.equal(maxAbsDiff(a.forward(ids).logits.dataSync(), b.forward(ids).logits.dataSync()), 0);
      const missing = new Map([...a.params].filter(([n]) => n !== 'model.norm.weight').map(([n, v]) => [n, v.clone() as tf.Tensor]));
      assert.throws(() => arch.fromWeights(cfg, missing), (e: Error) => isMoltError(e) && e.message.includes('model.norm.weight'));
      const wrong = new Map([...a.params].map(([n, v]) => [n, v.clone() as tf.Tensor]));
      wrong.set('model.layers.0.mlp.up_proj.weight', tf.zeros([3, 3]));
      assert.throws(() => arch.fromWeights(cfg, wrong), (e: Error) => isMoltError(e) && e.message.includes('model.layers.0.mlp.up_proj.weight'));
      a.dispose();
      b.dispose();
    }
  });

  it('validateConfig rejects what is not implemented, naming the field', () => {
    const g = gemma3Architecture.config('micro', { vocabSize: VOCAB, overrides: { final_logit_softcapping: 30 } });
    assert.throws(() => gemma3Architecture.validateConfig(g), (e: Error) => isMoltError(e) && e.message.includes('final_logit_softcapping'));
    const o = olmo2Architecture.config('micro', { vocabSize: VOCAB, overrides: { num_key_value_heads: 3 } });
    assert.throws(() => olmo2Architecture.validateConfig(o), (e: Error) => isMoltError(e) && e.message.includes('num_key_value_heads'));
    const t = gemma3Architecture.config('micro', { vocabSize: VOCAB, overrides: { layer_types: ['full_attention'] } });
    assert.throws(() => gemma3Architecture.validateConfig(t), (e: Error) => isMoltError(e) && e.message.includes('layer_types'));
    assert.throws(() => olmo2Architecture.config('huge', { vocabSize: VOCAB }), (e: Error) => isMoltError(e) && e.message.includes('huge'));
    assert.throws(() => gemma3Architecture.validateConfig({ ...g, model_type: 'gemma3' }), (e: Error) => isMoltError(e) && e.message.includes('model_type'));
  });

  it('the published configs of OLMo-2-0425-1B, gemma-3-270m and gemma-3-1b-it validate, every field read as transformers reads it', () => {
    assert.deepEqual(PUBLISHED_CONFIGS, ['OLMo-2-0425-1B', 'gemma-3-270m', 'gemma-3-1b-it']);
    const o = olmo2Spec(publishedConfig('OLMo-2-0425-1B'));
    assert.deepEqual([o.hiddenSize, o.numHeads, o.numKvHeads, o.headDim, o.intermediateSize, o.vocabSize, o.padTokenId, o.tiedEmbeddings], [2048, 16, 16, 128, 8192, 100352, 100277, false]);
    assert.deepEqual([o.layers.length, o.layers[0].ropeTheta, o.layers[0].window, o.rmsNormEps], [16, 500000, null, 1e-6]);
    for (const name of ['gemma-3-270m', 'gemma-3-1b-it'] as const) {
      const g = gemma3Spec(publishedConfig(name));
      // layer_types (270m) and sliding_window_pattern 6 (1b) both put full attention on every 6th layer
      const global = g.layers.flatMap((l, i) => (l.window === null ? [i] : []));
      assert.deepEqual(global, name === 'gemma-3-270m' ? [5, 11, 17] : [5, 11, 17, 23], name);
      assert.ok(g.layers.every((l) => (l.window === null ? l.ropeTheta === 1000000 : l.window === 512 && l.ropeTheta === 10000)), name);
      assert.deepEqual([g.numHeads, g.numKvHeads, g.headDim, g.attnScale, g.padTokenId, g.tiedEmbeddings, g.vocabSize], [4, 1, 256, 1 / 16, 0, true, 262144], name);
    }
  });

  it('Gemma3 RoPE kept per layer type (rope_parameters as transformers >= 4.57 writes it): thetas read per type, any scaling refused by name', () => {
    const base = gemma3Architecture.config('micro', { vocabSize: VOCAB });
    const { rope_theta: _t, rope_local_base_freq: _l, ...rest } = base;
    const perType = { ...rest, rope_parameters: { full_attention: { rope_type: 'default', rope_theta: 123456 }, sliding_attention: { rope_type: 'default', rope_theta: 777 } } } as typeof base;
    const spec = gemma3Spec(perType);
    assert.deepEqual(spec.layers.map((l) => l.ropeTheta), [777, 123456]);
    const scaled = { ...perType, rope_parameters: { ...(perType.rope_parameters as object), full_attention: { rope_type: 'linear', factor: 8, rope_theta: 1e6 } } };
    assert.throws(() => gemma3Spec(scaled), (e: Error) => isMoltError(e) && e.message.includes("'rope_parameters.full_attention'") && e.message.includes('linear'));
  });
});
