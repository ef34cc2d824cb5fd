// The contract between architectures (plugins), training, probes and I/O.
import type { tf } from '../engine/tf';

/**
 * A model's configuration in Hugging Face field names (config.json), as a
 * plain JSON object. Each architecture validates and reads its own fields.
 */
export type HfConfig = Record<string, unknown> & { model_type: string; vocab_size: number; hidden_size: number; num_hidden_layers: number };

/** Hook names follow TransformerLens. */
export type BlockHook = 'hook_resid_pre' | 'hook_resid_mid' | 'hook_resid_post' | 'hook_attn_out' | 'hook_mlp_out';
export const BLOCK_HOOKS: readonly BlockHook[] = ['hook_resid_pre', 'hook_resid_mid', 'hook_resid_post', 'hook_attn_out', 'hook_mlp_out'];
/** output of the final norm, input to the unembedding */
export const FINAL_NORM_HOOK = 'ln_final.hook_normalized';

export function hookName(layer: number, hook: BlockHook): string {
  return `blocks.${layer}.${hook}`;
}

/**
 * Add `scale * vector` to the activation at a hook point.
 * positions: absolute positions (0-based, in the padded sequence) or 'all'.
 * During generation, 'all' also covers every generated position.
 */
export interface Intervention {
  hook: string;
  vector: Float32Array | number[];
  scale?: number;
  positions?: number[] | 'all';
}

export interface ForwardOptions {
  /** hook names whose activations to return, each [B, T, d] */
  capture?: string[];
  interventions?: Intervention[];
  /** 1 for real tokens, 0 for padding, [B, T]; positions count real tokens only */
  attentionMask?: tf.Tensor2D;
  /** return logits only for the last position ([B, 1, V]) to save memory */
  lastOnly?: boolean;
}

export interface ForwardResult {
  logits: tf.Tensor3D;
  captured: Map<string, tf.Tensor3D>;
}

/**
 * Opaque key/value cache for incremental decoding, made by CausalLM.initCache
 * and advanced by CausalLM.forwardStep. Dispose it when done.
 */
export interface KvCacheHandle {
  readonly batchSize: number;
  /** absolute positions consumed so far (padding included) */
  readonly length: number;
  /**
   * Keep only rows `rows`, in that order (a row may be listed more than once):
   * the cache of rows that finished is dropped, a shared prompt's is copied.
   * Rows never interact, so the kept rows continue exactly as before.
   */
  selectRows(rows: readonly number[]): void;
  dispose(): void;
}

export interface CausalLM {
  /** architecture plugin id, e.g. 'olmo2' */
  readonly arch: string;
  readonly config: HfConfig;
  /** every parameter under its Hugging Face tensor name, HF layout ([out, in] weights) */
  readonly params: Map<string, tf.Variable>;
  readonly numLayers: number;
  readonly hiddenSize: number;
  readonly vocabSize: number;
  /** ids: int32 [B, T]. Differentiable with respect to params. */
  forward(ids: tf.Tensor2D, opts?: ForwardOptions): ForwardResult;
  /** an empty KV cache for `batchSize` rows */
  initCache(batchSize: number): KvCacheHandle;
  /**
   * Run new tokens ids [B, t] after those already in `cache`, and append their
   * keys/values to it. attentionMask (if given) is [B, t] for the NEW tokens;
   * RoPE positions continue each row's count of real tokens; interventions
   * use absolute positions (cache.length + i). Same logits as forward() over
   * the whole sequence, within float rounding. Not meant for gradients.
   */
  forwardStep(ids: tf.Tensor2D, cache: KvCacheHandle, opts?: ForwardOptions): ForwardResult;
  /** the final norm alone, for the logit lens: x [..., d] -> [..., d] */
  finalNorm(x: tf.Tensor): tf.Tensor;
  /** hidden -> logits through the unembedding (tied or not) */
  unembed(x: tf.Tensor): tf.Tensor;
  dispose(): void;
}
