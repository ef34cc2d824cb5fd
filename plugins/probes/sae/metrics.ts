// SAE quality metrics (docs/METRICS.md "Sparse autoencoder"), on row-major
// [n, d] Float32Arrays, accumulated in float64.
import { MoltError } from '../../../core/public';

function rows(a: ArrayLike<number>, d: number, what: string): number {
  if (!(d >= 1) || a.length % d !== 0) throw new MoltError(`sae metrics: ${what} has ${a.length} values, not a multiple of width ${d}`, what);
  return a.length / d;
}

function sameShape(x: ArrayLike<number>, xhat: ArrayLike<number>): void {
  if (x.length !== xhat.length) throw new MoltError(`sae metrics: x has ${x.length} values, xhat ${xhat.length}`, 'xhat');
}

/** column means of an [n, d] matrix */
export function columnMean(x: ArrayLike<number>, d: number): Float64Array {
  const n = rows(x, d, 'x');
  const mean = new Float64Array(d);
  for (let t = 0; t < n; t++) for (let i = 0; i < d; i++) mean[i] += x[t * d + i];
  for (let i = 0; i < d; i++) mean[i] /= n;
  return mean;
}

/**
 * Fraction of variance explained around the data mean:
 * 1 - sum_t |x_t - xhat_t|^2 / sum_t |x_t - xbar|^2, numerator and
 * denominator summed separately (so predicting xbar gives exactly 0).
 */
export function fractionVarianceExplained(x: ArrayLike<number>, xhat: ArrayLike<number>, d: number): number {
  sameShape(x, xhat);
  const n = rows(x, d, 'x');
  const mean = columnMean(x, d);
  let resid = 0;
  let total = 0;
  for (let t = 0; t < n; t++) {
    for (let i = 0; i < d; i++) {
      const v = x[t * d + i];
      const e = v - xhat[t * d + i];
      const c = v - mean[i];
      resid += e * e;
      total += c * c;
    }
  }
  if (total === 0) throw new MoltError('sae metrics: FVE undefined, the data has zero variance', 'x');
  return 1 - resid / total;
}

/** mean over tokens of |x_t - xhat_t|^2 */
export function meanSquaredError(x: ArrayLike<number>, xhat: ArrayLike<number>, d: number): number {
  sameShape(x, xhat);
  const n = rows(x, d, 'x');
  let s = 0;
  for (let j = 0; j < x.length; j++) s += (x[j] - xhat[j]) ** 2;
  return s / n;
}

/** mean over tokens of cos(x_t, xhat_t); a zero vector counts as cosine 0 */
export function meanCosine(x: ArrayLike<number>, xhat: ArrayLike<number>, d: number): number {
  sameShape(x, xhat);
  const n = rows(x, d, 'x');
  let s = 0;
  for (let t = 0; t < n; t++) {
    let dot = 0;
    let a = 0;
    let b = 0;
    for (let i = 0; i < d; i++) {
      const u = x[t * d + i];
      const v = xhat[t * d + i];
      dot += u * v;
      a += u * u;
      b += v * v;
    }
    s += a > 0 && b > 0 ? dot / Math.sqrt(a * b) : 0;
  }
  return s / n;
}

/** how many tokens (rows of z) each latent is active (> 0) on */
export function activeCounts(z: ArrayLike<number>, dSae: number): Float64Array {
  const n = rows(z, dSae, 'z');
  const counts = new Float64Array(dSae);
  for (let t = 0; t < n; t++) for (let i = 0; i < dSae; i++) if (z[t * dSae + i] > 0) counts[i]++;
  return counts;
}

/** L0: mean over tokens of the number of latents > 0 */
export function meanL0(z: ArrayLike<number>, dSae: number): number {
  const n = rows(z, dSae, 'z');
  let s = 0;
  for (let j = 0; j < z.length; j++) if (z[j] > 0) s++;
  return s / n;
}

/** share of latents never active on these tokens */
export function deadFraction(counts: ArrayLike<number>): number {
  let dead = 0;
  for (let i = 0; i < counts.length; i++) if (counts[i] === 0) dead++;
  return dead / counts.length;
}

/** share of latents active on more than `threshold` (default 10%) of the n tokens */
export function denseFraction(counts: ArrayLike<number>, n: number, threshold = 0.1): number {
  let dense = 0;
  for (let i = 0; i < counts.length; i++) if (counts[i] / n > threshold) dense++;
  return dense / counts.length;
}

/**
 * CE loss recovered with zero ablation: (CE_zero - CE_sae) / (CE_zero - CE_clean).
 * 1 when splicing the SAE costs nothing, 0 when it is as bad as zeroing the layer.
 */
export function ceRecovered(ceClean: number, ceSae: number, ceZero: number): number {
  const gap = ceZero - ceClean;
  if (!(Math.abs(gap) > 1e-12)) throw new MoltError(`sae metrics: CE recovered undefined, zero ablation does not change the loss (${ceZero} vs ${ceClean})`, 'ce');
  return (ceZero - ceSae) / gap;
}

export interface SaeQuality {
  /** tokens evaluated */
  n: number;
  l0: number;
  fve: number;
  mse: number;
  cosine: number;
  deadFraction: number;
  denseFraction: number;
}

/** Every reconstruction metric of one evaluation set. */
export function saeQuality(x: ArrayLike<number>, xhat: ArrayLike<number>, z: ArrayLike<number>, d: number, dSae: number): SaeQuality {
  const n = rows(x, d, 'x');
  const counts = activeCounts(z, dSae);
  return {
    n,
    l0: meanL0(z, dSae),
    fve: fractionVarianceExplained(x, xhat, d),
    mse: meanSquaredError(x, xhat, d),
    cosine: meanCosine(x, xhat, d),
    deadFraction: deadFraction(counts),
    denseFraction: denseFraction(counts, n),
  };
}
