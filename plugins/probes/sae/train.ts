// Training a TopK SAE on a fixed activation matrix: AdamW (core/train), a
// normalised MSE, and the AuxK loss of Gao et al. (2024) that lets latents
// which stopped firing learn the residual error, so few latents die.
import { tf, Rng, MoltError, AdamW, DEFAULT_ADAMW } from '../../../core/public';
import { initSae, type SaeConfig, type TopKSae } from './sae';
import { columnMean } from './metrics';

export interface SaeTrainConfig {
  /** latents = expansion * d */
  expansion: number;
  k: number;
  steps: number;
  /** tokens per update */
  batchSize: number;
  lr: number;
  /** linear warmup, then constant, then linear decay over the last `decayShare` of steps */
  warmupSteps: number;
  decayShare: number;
  /** AuxK: latents idle for this many tokens count as dead; kAux = d/2 of them reconstruct the error */
  deadAfterTokens: number;
  auxCoef: number;
}

export const DEFAULT_SAE_TRAIN: Readonly<SaeTrainConfig> = {
  expansion: 8,
  k: 16,
  steps: 3000,
  batchSize: 256,
  lr: 2e-3,
  warmupSteps: 100,
  decayShare: 0.2,
  deadAfterTokens: 20000,
  auxCoef: 1 / 32,
};

export interface SaeTrainLogEntry {
  step: number;
  /** normalised MSE |x - xhat|^2 / |x - xbar|^2 of the batch */
  nmse: number;
  aux: number;
  /** latents counted dead at this step */
  dead: number;
}

export interface SaeTrainResult {
  sae: TopKSae;
  log: SaeTrainLogEntry[];
  seconds: number;
}

function lrAt(c: SaeTrainConfig, step: number): number {
  if (step < c.warmupSteps) return (c.lr * (step + 1)) / c.warmupSteps;
  const decayStart = Math.floor(c.steps * (1 - c.decayShare));
  if (step >= decayStart && c.decayShare > 0) return (c.lr * (c.steps - step)) / (c.steps - decayStart);
  return c.lr;
}

/** Train a TopK SAE on x ([n, d] row-major). Deterministic by seed. */
export function trainSae(x: Float32Array, d: number, config: SaeTrainConfig, seed: number | string, onLog?: (e: SaeTrainLogEntry) => void): SaeTrainResult {
  const n = x.length / d;
  if (!Number.isInteger(n) || n < 2) throw new MoltError(`sae training: need at least 2 activation rows of width ${d}, got ${x.length} values`, 'activations');
  const saeConfig: SaeConfig = { dIn: d, dSae: Math.round(config.expansion * d), k: config.k };
  const t0 = Date.now();
  const rng = new Rng(seed);
  const mean = Float32Array.from(columnMean(x, d));
  let sq = 0;
  for (let t = 0; t < n; t++) {
    let s = 0;
    for (let i = 0; i < d; i++) s += (x[t * d + i] - mean[i]) ** 2;
    sq += Math.sqrt(s);
  }
  // centred mean norm -> sqrt(d): unit-variance inputs on average
  const scale = sq / n / Math.sqrt(d) || 1;
  const sae = initSae(saeConfig, mean, scale, rng.fork('init'));
  const opt = new AdamW(sae.params, { ...DEFAULT_ADAMW, beta2: 0.999, weightDecay: 0, maxGradNorm: 1 });
  const m = saeConfig.dSae;
  const kAux = Math.min(m, Math.max(1, Math.floor(d / 2)));
  const idle = new Float64Array(m);
  const order = rng.fork('order');
  let perm = order.shuffle(Array.from({ length: n }, (_, i) => i));
  let cursor = 0;
  const log: SaeTrainLogEntry[] = [];
  const B = Math.min(config.batchSize, n);
  const meanScaled = tf.tensor1d(mean.map((v) => v / scale));
  try {
    for (let step = 0; step < config.steps; step++) {
      if (cursor + B > n) {
        perm = order.shuffle(perm);
        cursor = 0;
      }
      const rowsIdx = perm.slice(cursor, cursor + B);
      cursor += B;
      const batch = new Float32Array(B * d);
      rowsIdx.forEach((r, j) => batch.set(x.subarray(r * d, (r + 1) * d), j * d));
      const xb = tf.tensor2d(batch, [B, d]);
      // masks outside the tape (no gradient for comparisons)
      const [mask, counts, auxMask, errConst] = tf.tidy(() => {
        const pre = sae.preActivations(xb);
        const mask = sae.topKMask(pre);
        const counts = tf.sum(tf.cast(tf.greater(tf.mul(pre, mask), 0), 'float32'), 0);
        const deadFlags = Float32Array.from(idle, (v) => (v >= config.deadAfterTokens ? 1 : 0));
        const anyDead = deadFlags.some((v) => v > 0);
        let auxMask: tf.Tensor2D | null = null;
        let errConst: tf.Tensor2D | null = null;
        if (anyDead && config.auxCoef > 0) {
          errConst = tf.sub(tf.div(xb, sae.scale), tf.add(tf.matMul(tf.mul(pre, mask), sae.wDec), sae.bDec)) as tf.Tensor2D;
          const deadPre = tf.mul(pre, tf.tensor1d(deadFlags));
          const kth = tf.slice(tf.topk(deadPre, kAux, true).values, [0, kAux - 1], [-1, 1]);
          auxMask = tf.cast(tf.logicalAnd(tf.greaterEqual(deadPre, kth), tf.greater(deadPre, 0)), 'float32') as tf.Tensor2D;
        }
        return [mask, counts, auxMask, errConst].filter((t) => t !== null) as tf.Tensor[];
      }) as [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D | undefined, tf.Tensor2D | undefined];
      const countsData = counts.dataSync();
      counts.dispose();
      for (let i = 0; i < m; i++) idle[i] = countsData[i] > 0 ? 0 : idle[i] + B;
      let recon: tf.Scalar | null = null;
      let aux: tf.Scalar | null = null; // eslint-disable-line prefer-const
      const { value, grads } = tf.variableGrads(() => {
        const xs = tf.div(xb, sae.scale);
        const pre = sae.preActivations(xb);
        const xhat = tf.add(tf.matMul(tf.mul(pre, mask), sae.wDec), sae.bDec);
        const err = tf.sub(xs, xhat);
        const total = tf.sum(tf.square(tf.sub(xs, meanScaled)));
        recon = tf.keep(tf.div(tf.sum(tf.square(err)), total) as tf.Scalar);
        if (!auxMask || !errConst) return recon;
        // the dead latents learn to predict what the live ones missed
        const ehat = tf.matMul(tf.mul(pre, auxMask), sae.wDec);
        aux = tf.keep(tf.div(tf.sum(tf.square(tf.sub(errConst, ehat))), total) as tf.Scalar);
        return tf.add(recon, tf.mul(aux, config.auxCoef)) as tf.Scalar;
      }, [...sae.params.values()]);
      const named = new Map<string, tf.Tensor>();
      for (const [name, v] of sae.params) if (grads[v.name]) named.set(name, grads[v.name]);
      opt.apply(named, lrAt(config, step));
      Object.values(grads).forEach((g) => g.dispose());
      sae.normalizeDecoder();
      const logNow = step % 100 === 0 || step === config.steps - 1;
      const nmse = logNow ? (recon as tf.Scalar | null)?.dataSync()[0] ?? NaN : NaN;
      const auxValue = logNow ? ((aux as tf.Scalar | null)?.dataSync()[0] ?? 0) : 0;
      (recon as tf.Scalar | null)?.dispose();
      (aux as tf.Scalar | null)?.dispose();
      value.dispose();
      xb.dispose();
      mask.dispose();
      auxMask?.dispose();
      errConst?.dispose();
      if (logNow) {
        let dead = 0;
        for (let i = 0; i < m; i++) if (idle[i] >= config.deadAfterTokens) dead++;
        const entry = { step, nmse, aux: auxValue, dead };
        log.push(entry);
        onLog?.(entry);
      }
    }
  } catch (e) {
    sae.dispose();
    throw e;
  } finally {
    meanScaled.dispose();
    opt.dispose();
  }
  return { sae, log, seconds: (Date.now() - t0) / 1000 };
}
