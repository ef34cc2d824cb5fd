// Hook points: capture activations and add steering vectors.
//
// Semantics (the same for every architecture, TransformerLens names):
//   blocks.{l}.hook_resid_pre   block input (embeddings for l = 0, else the
//                               previous block's hook_resid_post)
//   blocks.{l}.hook_attn_out    what the attention branch adds to the residual
//                               (after post_attention_layernorm, in OLMo2 and Gemma3)
//   blocks.{l}.hook_resid_mid   resid_pre + attn_out
//   blocks.{l}.hook_mlp_out     what the MLP branch adds
//                               (after post_feedforward_layernorm)
//   blocks.{l}.hook_resid_post  resid_mid + mlp_out
//   ln_final.hook_normalized    final norm output, the unembedding's input
// At each hook the interventions are added first, then the value is captured,
// and the modified value is what flows downstream. So an intervention on
// attn_out moves resid_mid by exactly the added vector, and every later
// activation responds to it.
import { tf } from '../engine/tf';
import { MoltError } from '../errors';
import { BLOCK_HOOKS, FINAL_NORM_HOOK, hookName, type Intervention } from './types';

export function allHookNames(numLayers: number): string[] {
  const names: string[] = [];
  for (let l = 0; l < numLayers; l++) for (const h of BLOCK_HOOKS) names.push(hookName(l, h));
  names.push(FINAL_NORM_HOOK);
  return names;
}

/**
 * One forward pass's hooks over the query positions
 * [queryStart, queryStart + T) of a batch of B rows.
 */
export class HookRunner {
  readonly captured = new Map<string, tf.Tensor3D>();
  private readonly byHook = new Map<string, Intervention[]>();
  private readonly capture: Set<string>;

  constructor(
    valid: ReadonlySet<string>,
    private readonly hidden: number,
    private readonly queryStart: number,
    private readonly T: number,
    interventions: Intervention[] = [],
    capture: string[] = [],
  ) {
    for (const name of capture) {
      if (!valid.has(name)) throw new MoltError(`unknown hook '${name}' in capture list`, name);
    }
    this.capture = new Set(capture);
    for (const iv of interventions) {
      if (!valid.has(iv.hook)) throw new MoltError(`unknown hook '${iv.hook}' in intervention`, iv.hook);
      if (iv.vector.length !== hidden) {
        throw new MoltError(`intervention at '${iv.hook}': vector has ${iv.vector.length} entries, model width is ${hidden}`, iv.hook);
      }
      const list = this.byHook.get(iv.hook) ?? [];
      list.push(iv);
      this.byHook.set(iv.hook, list);
    }
  }

  get active(): boolean {
    return this.byHook.size > 0 || this.capture.size > 0;
  }

  /** Apply the interventions registered at `name`, then capture if asked. x is [B, T, d]. */
  at(name: string, x: tf.Tensor): tf.Tensor {
    const ivs = this.byHook.get(name);
    let out = x;
    if (ivs) {
      const delta = this.delta(ivs);
      if (delta) out = tf.add(x, delta);
    }
    // A clone, so that a caller disposing one captured tensor never frees another
    // hook's (resid_post of l and resid_pre of l+1 are often the same tensor).
    if (this.capture.has(name)) this.captured.set(name, tf.clone(out) as tf.Tensor3D);
    return out;
  }

  /** [1, T, d] sum of scale * vector over the positions each intervention covers, or null. */
  private delta(ivs: Intervention[]): tf.Tensor | null {
    const d = this.hidden;
    const values = new Float32Array(this.T * d);
    let touched = false;
    for (const iv of ivs) {
      const scale = iv.scale ?? 1;
      const positions = iv.positions ?? 'all';
      for (let t = 0; t < this.T; t++) {
        const abs = this.queryStart + t;
        if (positions !== 'all' && !positions.includes(abs)) continue;
        touched = true;
        for (let i = 0; i < d; i++) values[t * d + i] += scale * iv.vector[i];
      }
    }
    return touched ? tf.tensor3d(values, [1, this.T, d]) : null;
  }
}
