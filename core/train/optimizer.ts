// AdamW (Loshchilov & Hutter) with decoupled weight decay and bias
// correction, plus clipping by global gradient norm. The update for a
// parameter p with gradient g at update number t (1-based) and rate lr:
//   m = b1 m + (1 - b1) g          v = b2 v + (1 - b2) g^2
//   mhat = m / (1 - b1^t)          vhat = v / (1 - b2^t)
//   p = p - lr * (mhat / (sqrt(vhat) + eps) + wd * p)     [wd only if decayed]
// which equals PyTorch's torch.optim.AdamW (decay applied as p *= 1 - lr wd).
//
// Weight decay choice: only weight matrices decay. Norm weights (rank 1) never
// do, and neither do embeddings (any parameter whose name contains 'embed'):
// with a word-level vocabulary many tokens are rare, and decay would pull
// their rows toward zero between the few updates they get, which distorts the
// unembedding that the logit-lens probes read (gemma ties it to the input
// embedding).
import { tf } from '../engine/tf';
import { MoltError } from '../errors';
import { ADAMW_STEP, nativeKernelsActive } from '../engine/native-kernels';

export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** clip gradients to this global L2 norm; 0 or Infinity disables */
  maxGradNorm: number;
}

export const DEFAULT_ADAMW: AdamWConfig = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 };

/** Whether weight decay applies to a parameter (see the header comment). */
export function decays(name: string, shape: readonly number[]): boolean {
  return shape.length >= 2 && !/embed/i.test(name);
}

/** Plain-data optimizer state, saveable and loadable for resume. */
export interface AdamWState {
  /** number of updates applied so far */
  step: number;
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
}

export interface ClipResult {
  /** global L2 norm before clipping */
  norm: number;
  /** the factor the gradients were multiplied by (1 when not clipped) */
  scale: number;
}

/**
 * Global-norm clipping as torch.nn.utils.clip_grad_norm_: if the norm exceeds
 * maxNorm, every gradient is multiplied by maxNorm / (norm + 1e-6).
 * Returns new gradient tensors; the caller disposes both maps.
 */
export function clipByGlobalNorm(grads: Map<string, tf.Tensor>, maxNorm: number): { grads: Map<string, tf.Tensor>; clip: ClipResult } {
  const { norm, scale } = globalNormClip(grads, maxNorm);
  const out = new Map<string, tf.Tensor>();
  for (const [k, g] of grads) out.set(k, scale === 1 ? g.clone() : tf.tidy(() => tf.mul(g, scale)));
  return { grads: out, clip: { norm, scale } };
}

/** The global L2 norm of the gradients and the factor clip_grad_norm_ would scale them by. */
export function globalNormClip(grads: Map<string, tf.Tensor>, maxNorm: number): ClipResult {
  const sq = tf.tidy(() => tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g)))));
  const norm = Math.sqrt(sq.dataSync()[0]);
  sq.dispose();
  const scale = maxNorm > 0 && Number.isFinite(maxNorm) && norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
  return { norm, scale };
}

export class AdamW {
  private t = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(
    private readonly params: Map<string, tf.Variable>,
    readonly config: AdamWConfig = DEFAULT_ADAMW,
  ) {
    for (const [name, p] of params) {
      // the zeros tensor is separate from the variable made from it: tidy it away
      this.m.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
      this.v.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    }
  }

  /** number of updates applied so far */
  get step(): number {
    return this.t;
  }

  /**
   * One update with rate lr. Gradients are keyed by parameter name; a
   * parameter without a gradient is left alone (its moments too). Clipping
   * happens here, over all gradients given. Does not dispose `grads`.
   */
  apply(grads: Map<string, tf.Tensor>, lr: number): ClipResult {
    for (const name of grads.keys()) {
      if (!this.params.has(name)) throw new MoltError(`optimizer: gradient for unknown parameter '${name}'`, name);
    }
    const { beta1, beta2, eps, weightDecay, maxGradNorm } = this.config;
    if (nativeKernelsActive()) return this.applyFused(grads, lr);
    const clipped = clipByGlobalNorm(grads, maxGradNorm);
    this.t += 1;
    const bc1 = 1 - Math.pow(beta1, this.t);
    const bc2 = 1 - Math.pow(beta2, this.t);
    for (const [name, g] of clipped.grads) {
      const p = this.params.get(name)!;
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      tf.tidy(() => {
        const m1 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        const update = tf.div(tf.div(m1, bc1), tf.add(tf.sqrt(tf.div(v1, bc2)), eps));
        const decayed = weightDecay > 0 && decays(name, p.shape) ? tf.sub(p, tf.mul(p, lr * weightDecay)) : p;
        m.assign(m1);
        v.assign(v1);
        p.assign(tf.sub(decayed, tf.mul(update, lr)));
      });
      g.dispose();
    }
    return clipped.clip;
  }

  /** The same update as one native kernel per parameter, clipping folded in (no scaled copies). */
  private applyFused(grads: Map<string, tf.Tensor>, lr: number): ClipResult {
    const { beta1, beta2, eps, weightDecay, maxGradNorm } = this.config;
    const clip = globalNormClip(grads, maxGradNorm);
    this.t += 1;
    const base = { lr, beta1, oneMinusBeta1: 1 - beta1, beta2, oneMinusBeta2: 1 - beta2, eps, bc1: 1 - Math.pow(beta1, this.t), bc2: 1 - Math.pow(beta2, this.t), gradScale: clip.scale };
    for (const [name, g] of grads) {
      const p = this.params.get(name)!;
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      const decay = weightDecay > 0 && decays(name, p.shape) ? lr * weightDecay : 0;
      tf.tidy(() => {
        const [p1, m1, v1] = tf.engine().runKernel(ADAMW_STEP, { param: p, grad: g, m, v }, { ...base, decay }) as tf.Tensor[];
        m.assign(m1);
        v.assign(v1);
        p.assign(p1);
      });
    }
    return clip;
  }

  exportState(): AdamWState {
    const copy = (src: Map<string, tf.Variable>) => new Map([...src].map(([k, t]) => [k, Float32Array.from(t.dataSync() as Float32Array)]));
    return { step: this.t, m: copy(this.m), v: copy(this.v) };
  }

  importState(state: AdamWState): void {
    for (const [label, src, dst] of [['m', state.m, this.m], ['v', state.v, this.v]] as const) {
      for (const [name, variable] of dst) {
        const data = src.get(name);
        if (!data) throw new MoltError(`optimizer state: missing ${label} for parameter '${name}'`, name);
        if (data.length !== variable.size) throw new MoltError(`optimizer state: ${label} for '${name}' has ${data.length} values, parameter has ${variable.size}`, name);
        tf.tidy(() => variable.assign(tf.tensor(data, variable.shape, 'float32')));
      }
    }
    this.t = state.step;
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
