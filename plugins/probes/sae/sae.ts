// A TopK sparse autoencoder on residual activations.
//   encode: z = TopK_k(ReLU(W_enc (x/s - b_dec) + b_enc))
//   decode: xhat = s * (W_dec^T z + b_dec)
// s is a fixed input scale (the data's mean norm / sqrt(d)), so the same
// learning rate suits every model width; metrics are taken on the original
// scale. TopK fixes L0 at k exactly (no L1 coefficient to tune) and does not
// shrink the kept activations the way an L1 penalty does.
import { tf, ops, Rng, MoltError } from '../../../core/public';

export interface SaeConfig {
  /** input width (the model's hidden size) */
  dIn: number;
  /** number of latents */
  dSae: number;
  /** active latents per token */
  k: number;
}

export interface SaeWeights {
  /** [dSae, dIn], HF-style [out, in] */
  wEnc: Float32Array;
  bEnc: Float32Array;
  /** [dSae, dIn]: row i is latent i's decoder direction (unit norm) */
  wDec: Float32Array;
  bDec: Float32Array;
  /** input scale s */
  scale: number;
}

export class TopKSae {
  readonly wEnc: tf.Variable;
  readonly bEnc: tf.Variable;
  readonly wDec: tf.Variable;
  readonly bDec: tf.Variable;

  constructor(
    readonly config: SaeConfig,
    weights: SaeWeights,
  ) {
    const { dIn, dSae, k } = config;
    if (!(k >= 1 && k <= dSae)) throw new MoltError(`sae: k must be in 1..${dSae}, got ${k}`, 'sae.k');
    const check = (name: string, a: Float32Array, n: number) => {
      if (a.length !== n) throw new MoltError(`sae: ${name} has ${a.length} values, expected ${n}`, `sae.${name}`);
    };
    check('wEnc', weights.wEnc, dSae * dIn);
    check('wDec', weights.wDec, dSae * dIn);
    check('bEnc', weights.bEnc, dSae);
    check('bDec', weights.bDec, dIn);
    if (!(weights.scale > 0)) throw new MoltError(`sae: scale must be > 0, got ${weights.scale}`, 'sae.scale');
    this.scale = weights.scale;
    this.wEnc = tf.variable(tf.tensor2d(weights.wEnc, [dSae, dIn]), true, undefined, 'float32');
    this.bEnc = tf.variable(tf.tensor1d(weights.bEnc), true, undefined, 'float32');
    this.wDec = tf.variable(tf.tensor2d(weights.wDec, [dSae, dIn]), true, undefined, 'float32');
    this.bDec = tf.variable(tf.tensor1d(weights.bDec), true, undefined, 'float32');
  }

  scale: number;

  get params(): Map<string, tf.Variable> {
    return new Map([
      ['W_enc', this.wEnc],
      ['b_enc', this.bEnc],
      ['W_dec', this.wDec],
      ['b_dec', this.bDec],
    ]);
  }

  /** pre-activations ReLU(W_enc (x/s - b_dec) + b_enc), [N, dSae] */
  preActivations(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.relu(tf.add(ops.linear(tf.sub(tf.div(x, this.scale), this.bDec), this.wEnc), this.bEnc)) as tf.Tensor2D);
  }

  /**
   * 0/1 mask of the k largest pre-activations per row. Built apart from the
   * differentiated path: tfjs has no gradient for comparisons.
   */
  topKMask(pre: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const kth = tf.slice(tf.topk(pre, this.config.k, true).values, [0, this.config.k - 1], [-1, 1]);
      return tf.cast(tf.greaterEqual(pre, kth), 'float32') as tf.Tensor2D;
    });
  }

  /** latent activations z, [N, dSae] (at most k non-zero per row; fewer when fewer pre-activations are positive) */
  encode(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const pre = this.preActivations(x);
      return tf.mul(pre, this.topKMask(pre)) as tf.Tensor2D;
    });
  }

  /** reconstruction from latents, original scale, [N, dIn] */
  decode(z: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.mul(tf.add(tf.matMul(z, this.wDec), this.bDec), this.scale) as tf.Tensor2D);
  }

  /** the reconstruction xhat of x */
  reconstruct(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.decode(this.encode(x)));
  }

  /** rescale decoder rows to unit norm (keeps latent magnitudes comparable) */
  normalizeDecoder(): void {
    tf.tidy(() => {
      const norms = tf.maximum(tf.norm(this.wDec, 'euclidean', 1, true), 1e-8);
      this.wDec.assign(tf.div(this.wDec, norms) as tf.Tensor2D);
    });
  }

  exportWeights(): SaeWeights {
    return {
      wEnc: Float32Array.from(this.wEnc.dataSync() as Float32Array),
      bEnc: Float32Array.from(this.bEnc.dataSync() as Float32Array),
      wDec: Float32Array.from(this.wDec.dataSync() as Float32Array),
      bDec: Float32Array.from(this.bDec.dataSync() as Float32Array),
      scale: this.scale,
    };
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
  }
}

/**
 * A fresh SAE: random unit decoder rows, encoder = decoder (tied init, which
 * starts every latent as a matched filter), b_dec = the data mean (scaled),
 * b_enc = 0.
 */
export function initSae(config: SaeConfig, dataMean: Float32Array, scale: number, rng: Rng): TopKSae {
  const { dIn, dSae } = config;
  const wDec = new Float32Array(dSae * dIn);
  for (let i = 0; i < dSae; i++) {
    let n = 0;
    for (let j = 0; j < dIn; j++) {
      const v = rng.normal();
      wDec[i * dIn + j] = v;
      n += v * v;
    }
    n = Math.sqrt(n) || 1;
    for (let j = 0; j < dIn; j++) wDec[i * dIn + j] /= n;
  }
  return new TopKSae(config, {
    wEnc: Float32Array.from(wDec),
    bEnc: new Float32Array(dSae),
    wDec,
    bDec: dataMean.map((v) => v / scale),
    scale,
  });
}
