// Gemma3 text (HF Gemma3ForCausalLM, model_type gemma3_text), tiny. Block:
//   h = x + post_attention_layernorm(attn(input_layernorm(x)))
//   out = h + post_feedforward_layernorm(mlp(pre_feedforward_layernorm(h)))
// RMSNorms scale by (1 + w) with w initialised to zeros; q_norm / k_norm per
// head over head_dim (after the split into heads, before RoPE); embeddings
// times sqrt(hidden_size) (as a float32 constant, as HF); GeGLU with
// tanh-GELU; lm_head tied to the embedding; scores scaled by
// query_pre_attn_scalar^-0.5. Layer i is global (full attention, rope_theta)
// when (i + 1) % sliding_window_pattern == 0, otherwise local (a window of
// exactly sliding_window keys, own position included, rope_local_base_freq),
// unless config.layer_types says otherwise. No logit softcapping in Gemma3.
import type { Rng } from '../../core/engine/rng';
import type { tf } from '../../core/engine/tf';
import { DecoderModel } from '../../core/model/decoder';
import { paramLayout, type DecoderSpec } from '../../core/model/decoder-spec';
import { initParams, paramsFromWeights } from '../../core/model/params';
import type { HfConfig } from '../../core/model/types';
import type { Architecture, SizeOptions } from '../../core/plugins/types';
import { ConfigReader, commonHfFields, pickSize } from './config-fields';

interface Gemma3Size {
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  head_dim: number;
  query_pre_attn_scalar: number;
  sliding_window: number;
  sliding_window_pattern: number;
  max_position_embeddings: number;
}

/** 'default' is the one size the experiments use; change it here only. */
export const GEMMA3_SIZES: Record<string, Gemma3Size> = {
  micro: {
    hidden_size: 32,
    intermediate_size: 64,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    head_dim: 8,
    query_pre_attn_scalar: 8,
    sliding_window: 4,
    sliding_window_pattern: 2,
    max_position_embeddings: 64,
  },
  default: {
    hidden_size: 64,
    intermediate_size: 256,
    num_hidden_layers: 4,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    head_dim: 16,
    query_pre_attn_scalar: 16,
    sliding_window: 16,
    sliding_window_pattern: 2,
    max_position_embeddings: 128,
  },
};

export type Gemma3LayerType = 'sliding_attention' | 'full_attention';

/** HF's rule: every pattern-th layer (1-based) is global. */
export function gemma3LayerTypes(numLayers: number, pattern: number): Gemma3LayerType[] {
  return Array.from({ length: numLayers }, (_, i) => ((i + 1) % pattern === 0 ? 'full_attention' : 'sliding_attention'));
}

function gemma3Config(size: string, opts: SizeOptions): HfConfig {
  const s = pickSize('gemma3', GEMMA3_SIZES, size);
  const overrides = opts.overrides ?? {};
  const config = {
    architectures: ['Gemma3ForCausalLM'],
    model_type: 'gemma3_text',
    vocab_size: opts.vocabSize,
    ...s,
    ...commonHfFields(),
    hidden_activation: 'gelu_pytorch_tanh',
    rms_norm_eps: 1e-6,
    rope_theta: 1000000,
    rope_local_base_freq: 10000,
    final_logit_softcapping: null,
    attn_logit_softcapping: null,
    use_bidirectional_attention: false,
    tie_word_embeddings: true,
    ...overrides,
  } as HfConfig;
  if (!('layer_types' in overrides)) {
    config.layer_types = gemma3LayerTypes(config.num_hidden_layers, config.sliding_window_pattern as number);
  }
  return config;
}

/** Validate and translate a Gemma3 text HF config. */
export function gemma3Spec(config: HfConfig): DecoderSpec {
  const r = new ConfigReader('gemma3', config);
  r.modelType('gemma3_text');
  const heads = r.positiveInt('num_attention_heads', 8);
  const kvHeads = r.positiveInt('num_key_value_heads', 4);
  r.divisible('num_attention_heads', heads, kvHeads, 'num_key_value_heads');
  const headDim = r.positiveInt('head_dim', 256);
  r.even('head_dim', headDim);
  r.oneOf('hidden_activation', ['gelu_pytorch_tanh'], 'gelu_pytorch_tanh');
  r.unsupported('attention_bias', false);
  r.unsupported('final_logit_softcapping');
  r.unsupported('attn_logit_softcapping');
  r.unsupported('use_bidirectional_attention', false);
  r.defaultRope();
  const numLayers = r.positiveInt('num_hidden_layers');
  const window = r.positiveInt('sliding_window', 4096);
  const globalTheta = r.layerRopeTheta('full_attention', 'rope_theta', 1000000);
  const localTheta = r.layerRopeTheta('sliding_attention', 'rope_local_base_freq', 10000);
  let types: Gemma3LayerType[];
  if (r.has('layer_types')) {
    const raw = r.raw('layer_types');
    if (!Array.isArray(raw) || raw.length !== numLayers || raw.some((t) => t !== 'sliding_attention' && t !== 'full_attention')) {
      r.reject('layer_types', `must list 'sliding_attention' or 'full_attention' for each of the ${numLayers} layers`);
    }
    types = raw as Gemma3LayerType[];
  } else {
    types = gemma3LayerTypes(numLayers, r.positiveInt('sliding_window_pattern', 6));
  }
  const hidden = r.positiveInt('hidden_size');
  return {
    arch: 'gemma3',
    config,
    vocabSize: r.positiveInt('vocab_size'),
    hiddenSize: hidden,
    intermediateSize: r.positiveInt('intermediate_size'),
    numHeads: heads,
    numKvHeads: kvHeads,
    headDim,
    rmsNormEps: r.positiveNumber('rms_norm_eps', 1e-6),
    norm: 'one_plus',
    preNorms: true,
    qkNorm: 'head',
    attnScale: Math.pow(r.positiveNumber('query_pre_attn_scalar', 256), -0.5),
    activation: 'gelu_pytorch_tanh',
    // HF: torch.tensor(hidden_size ** 0.5) is a float32 scalar
    embedScale: Math.fround(Math.sqrt(hidden)),
    padTokenId: r.tokenId('pad_token_id'),
    tiedEmbeddings: r.bool('tie_word_embeddings', true),
    layers: types.map((t) =>
      t === 'sliding_attention' ? { window, ropeTheta: localTheta } : { window: null, ropeTheta: globalTheta },
    ),
  };
}

export const gemma3Architecture: Architecture = {
  id: 'gemma3',
  description: 'Gemma3 text (HF Gemma3ForCausalLM): (1+w) sandwich RMSNorms, per-head q/k norm, GeGLU, local/global attention, tied embeddings',
  modelType: 'gemma3_text',
  sizes: Object.keys(GEMMA3_SIZES),
  config: gemma3Config,
  validateConfig(config: HfConfig): void {
    gemma3Spec(config);
  },
  init(config: HfConfig, rng: Rng): DecoderModel {
    const spec = gemma3Spec(config);
    const r = new ConfigReader('gemma3', config);
    return new DecoderModel(spec, initParams(paramLayout(spec), rng, r.positiveNumber('initializer_range', 0.02), r.tokenId('pad_token_id')));
  },
  fromWeights(config: HfConfig, weights: Map<string, tf.Tensor>): DecoderModel {
    const spec = gemma3Spec(config);
    const ignorable = spec.tiedEmbeddings ? ['lm_head.weight'] : [];
    return new DecoderModel(spec, paramsFromWeights('gemma3', paramLayout(spec), weights, ignorable));
  },
};
