// What distinguishes one decoder-only architecture from another, in the few
// switches OLMo2 and Gemma3 need. Architecture plugins translate a Hugging
// Face config into this; the generic runtime (decoder.ts) reads only this.
import type { ActivationName } from '../nn/activations';
import type { RmsNormKind } from '../nn/rms-norm';
import type { HfConfig } from './types';

export interface LayerSpec {
  /** sliding-window size for local layers, null for global (full) attention */
  window: number | null;
  /** RoPE base of this layer */
  ropeTheta: number;
}

export interface DecoderSpec {
  /** plugin id, e.g. 'olmo2' */
  arch: string;
  config: HfConfig;
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  /** 'plain' = w * x_hat (OLMo2), 'one_plus' = (1 + w) * x_hat (Gemma3) */
  norm: RmsNormKind;
  /**
   * false: OLMo2 block, norms only on the branch outputs
   *   x + post_attention_layernorm(attn(x)), then + post_feedforward_layernorm(mlp(.))
   * true: Gemma3 block, norms before and after each branch
   *   x + post_attention_layernorm(attn(input_layernorm(x))),
   *   then + post_feedforward_layernorm(mlp(pre_feedforward_layernorm(.)))
   */
  preNorms: boolean;
  /**
   * 'projection': q_norm/k_norm over the whole projection width, before the
   * split into heads (OLMo2); 'head': per head over head_dim (Gemma3).
   */
  qkNorm: 'projection' | 'head';
  /** multiplies q.k: head_dim^-0.5 (OLMo2) or query_pre_attn_scalar^-0.5 (Gemma3) */
  attnScale: number;
  activation: ActivationName;
  /** embeddings multiplied by this (Gemma3: sqrt(hidden_size)), null for none */
  embedScale: number | null;
  /** nn.Embedding padding_idx: this row gets no gradient through the lookup; null for none */
  padTokenId: number | null;
  /** lm_head shares model.embed_tokens.weight (Gemma3) */
  tiedEmbeddings: boolean;
  layers: LayerSpec[];
}

export type InitKind = 'normal' | 'ones' | 'zeros';

export interface ParamEntry {
  name: string;
  shape: number[];
  init: InitKind;
}

/** Every parameter under its HF tensor name, in HF layout, with its HF initialisation. */
export function paramLayout(spec: DecoderSpec): ParamEntry[] {
  const d = spec.hiddenSize;
  const qWidth = spec.numHeads * spec.headDim;
  const kvWidth = spec.numKvHeads * spec.headDim;
  const normInit: InitKind = spec.norm === 'plain' ? 'ones' : 'zeros';
  const out: ParamEntry[] = [{ name: 'model.embed_tokens.weight', shape: [spec.vocabSize, d], init: 'normal' }];
  for (let l = 0; l < spec.layers.length; l++) {
    const p = `model.layers.${l}.`;
    if (spec.preNorms) out.push({ name: `${p}input_layernorm.weight`, shape: [d], init: normInit });
    out.push(
      { name: `${p}self_attn.q_proj.weight`, shape: [qWidth, d], init: 'normal' },
      { name: `${p}self_attn.k_proj.weight`, shape: [kvWidth, d], init: 'normal' },
      { name: `${p}self_attn.v_proj.weight`, shape: [kvWidth, d], init: 'normal' },
      { name: `${p}self_attn.o_proj.weight`, shape: [d, qWidth], init: 'normal' },
    );
    const qkShape = spec.qkNorm === 'projection' ? [qWidth, kvWidth] : [spec.headDim, spec.headDim];
    out.push(
      { name: `${p}self_attn.q_norm.weight`, shape: [qkShape[0]], init: normInit },
      { name: `${p}self_attn.k_norm.weight`, shape: [qkShape[1]], init: normInit },
      { name: `${p}post_attention_layernorm.weight`, shape: [d], init: normInit },
    );
    if (spec.preNorms) out.push({ name: `${p}pre_feedforward_layernorm.weight`, shape: [d], init: normInit });
    out.push(
      { name: `${p}post_feedforward_layernorm.weight`, shape: [d], init: normInit },
      { name: `${p}mlp.gate_proj.weight`, shape: [spec.intermediateSize, d], init: 'normal' },
      { name: `${p}mlp.up_proj.weight`, shape: [spec.intermediateSize, d], init: 'normal' },
      { name: `${p}mlp.down_proj.weight`, shape: [d, spec.intermediateSize], init: 'normal' },
    );
  }
  out.push({ name: 'model.norm.weight', shape: [d], init: normInit });
  if (!spec.tiedEmbeddings) out.push({ name: 'lm_head.weight', shape: [spec.vocabSize, d], init: 'normal' });
  return out;
}
