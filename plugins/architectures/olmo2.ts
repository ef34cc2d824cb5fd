// OLMo2 (HF Olmo2ForCausalLM), tiny. Block, with no pre-norms:
//   h = x + post_attention_layernorm(attn(x))
//   out = h + post_feedforward_layernorm(mlp(h))
// q_norm / k_norm are RMSNorms over the whole q / k projection width, before
// the split into heads; RoPE non-interleaved; SwiGLU MLP; untied lm_head.
import type { Rng } from '../../core/engine/rng';
import type { tf } from '../../core/engine/tf';
import { DecoderModel } from '../../core/model/decoder';
import { paramLayout, type DecoderSpec } from '../../core/model/decoder-spec';
import { initParams, paramsFromWeights } from '../../core/model/params';
import type { HfConfig } from '../../core/model/types';
import type { Architecture, SizeOptions } from '../../core/plugins/types';
import { ConfigReader, commonHfFields, pickSize } from './config-fields';

interface Olmo2Size {
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  max_position_embeddings: number;
}

/** 'default' is the one size the experiments use; change it here only. */
export const OLMO2_SIZES: Record<string, Olmo2Size> = {
  micro: {
    hidden_size: 32,
    intermediate_size: 64,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    max_position_embeddings: 64,
  },
  default: {
    hidden_size: 64,
    intermediate_size: 256,
    num_hidden_layers: 4,
    num_attention_heads: 4,
    num_key_value_heads: 4,
    max_position_embeddings: 128,
  },
};

function olmo2Config(size: string, opts: SizeOptions): HfConfig {
  const s = pickSize('olmo2', OLMO2_SIZES, size);
  return {
    architectures: ['Olmo2ForCausalLM'],
    model_type: 'olmo2',
    vocab_size: opts.vocabSize,
    ...s,
    ...commonHfFields(),
    hidden_act: 'silu',
    rms_norm_eps: 1e-6,
    rope_theta: 500000,
    tie_word_embeddings: false,
    ...(opts.overrides ?? {}),
  } as HfConfig;
}

/** Validate and translate an OLMo2 HF config. */
export function olmo2Spec(config: HfConfig): DecoderSpec {
  const r = new ConfigReader('olmo2', config);
  r.modelType('olmo2');
  const hidden = r.positiveInt('hidden_size');
  const heads = r.positiveInt('num_attention_heads');
  const kvHeads = r.positiveInt('num_key_value_heads', heads);
  r.divisible('num_attention_heads', heads, kvHeads, 'num_key_value_heads');
  if (!r.has('head_dim')) r.divisible('hidden_size', hidden, heads, 'num_attention_heads');
  const headDim = r.positiveInt('head_dim', hidden / heads);
  r.even('head_dim', headDim);
  r.oneOf('hidden_act', ['silu'], 'silu');
  r.unsupported('attention_bias', false);
  r.defaultRope();
  const theta = r.ropeTheta(10000);
  const layers = r.positiveInt('num_hidden_layers');
  return {
    arch: 'olmo2',
    config,
    vocabSize: r.positiveInt('vocab_size'),
    hiddenSize: hidden,
    intermediateSize: r.positiveInt('intermediate_size'),
    numHeads: heads,
    numKvHeads: kvHeads,
    headDim,
    rmsNormEps: r.positiveNumber('rms_norm_eps', 1e-5),
    norm: 'plain',
    preNorms: false,
    qkNorm: 'projection',
    attnScale: Math.pow(headDim, -0.5),
    activation: 'silu',
    embedScale: null,
    padTokenId: r.tokenId('pad_token_id'),
    tiedEmbeddings: r.bool('tie_word_embeddings', false),
    layers: Array.from({ length: layers }, () => ({ window: null, ropeTheta: theta })),
  };
}

export const olmo2Architecture: Architecture = {
  id: 'olmo2',
  description: 'OLMo2 (HF Olmo2ForCausalLM): post-branch RMSNorms, q/k norm over the projection, SwiGLU, RoPE, untied head',
  modelType: 'olmo2',
  sizes: Object.keys(OLMO2_SIZES),
  config: olmo2Config,
  validateConfig(config: HfConfig): void {
    olmo2Spec(config);
  },
  init(config: HfConfig, rng: Rng): DecoderModel {
    const spec = olmo2Spec(config);
    const std = new ConfigReader('olmo2', config).positiveNumber('initializer_range', 0.02);
    const pad = new ConfigReader('olmo2', config).tokenId('pad_token_id');
    return new DecoderModel(spec, initParams(paramLayout(spec), rng, std, pad));
  },
  fromWeights(config: HfConfig, weights: Map<string, tf.Tensor>): DecoderModel {
    const spec = olmo2Spec(config);
    const ignorable = spec.tiedEmbeddings ? ['lm_head.weight'] : [];
    return new DecoderModel(spec, paramsFromWeights('olmo2', paramLayout(spec), weights, ignorable));
  },
};
