// Statistics every probe shares (METRICS.md "every rate is reported as value,
// n and a 95% interval"): seeded bootstrap for means, a one-sided upper bound
// for noise floors, AUROC with ties, Wilson for rates, and the log-odds ratio
// with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008,
// "Fightin' Words") for the steering investigator.
import { Rng } from '../engine/rng';
import { MoltError } from '../errors';
import { wilson, type Rate } from '../pipeline/competence';

export { wilson, type Rate };

export interface Interval {
  value: number;
  n: number;
  low: number;
  high: number;
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** The q-quantile (0..1) of sorted values, linear interpolation between order statistics (type 7, as numpy's default). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export interface BootstrapOptions {
  seed: number | string;
  /** resamples (default 1000) */
  resamples?: number;
}

/** Means of `resamples` resamples with replacement, sorted. Deterministic by seed. */
export function bootstrapMeans(xs: readonly number[], opts: BootstrapOptions): number[] {
  const B = opts.resamples ?? 1000;
  if (!(Number.isInteger(B) && B > 0)) throw new MoltError(`bootstrap: resamples must be a positive integer, got ${B}`, 'resamples');
  const rng = new Rng(opts.seed).fork('bootstrap');
  const n = xs.length;
  const out = new Array<number>(B);
  for (let b = 0; b < B; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += xs[rng.int(n)];
    out[b] = s / n;
  }
  return out.sort((a, b) => a - b);
}

/** Mean with a two-sided 95% percentile-bootstrap interval. n = 0 gives NaNs; n = 1 a zero-width interval. */
export function bootstrapMean(xs: readonly number[], opts: BootstrapOptions): Interval {
  const n = xs.length;
  if (n === 0) return { value: NaN, n: 0, low: NaN, high: NaN };
  const m = mean(xs);
  const means = bootstrapMeans(xs, opts);
  return { value: m, n, low: quantileSorted(means, 0.025), high: quantileSorted(means, 0.975) };
}

/** One-sided 95% upper bound of the mean (the 95th percentile of bootstrap means): the noise floor's bound. */
export function upperBound95(xs: readonly number[], opts: BootstrapOptions): number {
  if (xs.length === 0) return NaN;
  return quantileSorted(bootstrapMeans(xs, opts), 0.95);
}

/**
 * Area under the ROC curve of scores separating positives from negatives:
 * P(score_pos > score_neg) + 0.5 P(tie), the Mann-Whitney U / (n+ n-).
 * Computed from mid-ranks, so ties count one half exactly.
 */
export function auroc(positives: readonly number[], negatives: readonly number[]): number {
  const nP = positives.length;
  const nN = negatives.length;
  if (nP === 0 || nN === 0) return NaN;
  const all = [...positives.map((s) => ({ s, pos: true })), ...negatives.map((s) => ({ s, pos: false }))].sort((a, b) => a.s - b.s);
  let rankSumPos = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1].s === all[i].s) j++;
    const midRank = (i + j) / 2 + 1; // 1-based mid-rank of the tie group
    for (let k = i; k <= j; k++) if (all[k].pos) rankSumPos += midRank;
    i = j + 1;
  }
  const U = rankSumPos - (nP * (nP + 1)) / 2;
  return U / (nP * nN);
}

export type Counts = ReadonlyMap<string, number>;

export function countWords(docs: readonly (readonly string[])[]): Map<string, number> {
  const c = new Map<string, number>();
  for (const d of docs) for (const w of d) c.set(w, (c.get(w) ?? 0) + 1);
  return c;
}

/** In how many of the documents each word occurs (once per document). */
export function documentFrequency(docs: readonly (readonly string[])[]): Map<string, number> {
  const c = new Map<string, number>();
  for (const d of docs) for (const w of new Set(d)) c.set(w, (c.get(w) ?? 0) + 1);
  return c;
}

function total(c: Counts): number {
  let s = 0;
  for (const v of c.values()) s += v;
  return s;
}

/**
 * An informative Dirichlet prior: alpha_w = alpha0 * (background count of w / background total).
 * Monroe et al. use a large background corpus; alpha0 sets how strongly it shrinks rare words.
 */
export function dirichletPrior(background: Counts, alpha0: number): Map<string, number> {
  if (!(alpha0 > 0)) throw new MoltError(`log-odds prior: alpha0 must be > 0, got ${alpha0}`, 'alpha0');
  const n = total(background);
  if (n === 0) throw new MoltError('log-odds prior: the background corpus is empty', 'background');
  const prior = new Map<string, number>();
  for (const [w, c] of background) if (c > 0) prior.set(w, (alpha0 * c) / n);
  return prior;
}

export interface LogOddsRow {
  word: string;
  /** delta_w: log-odds of w in A minus in B, both smoothed by the prior */
  delta: number;
  variance: number;
  /** delta / sqrt(variance): how over-represented w is in A */
  z: number;
  countA: number;
  countB: number;
}

/**
 * Log-odds ratio with an informative Dirichlet prior (Monroe et al. 2008, eq. 16-22):
 *   delta_w = log((yA_w + a_w) / (nA + a0 - yA_w - a_w)) - log((yB_w + a_w) / (nB + a0 - yB_w - a_w))
 *   var     ~ 1/(yA_w + a_w) + 1/(yB_w + a_w),   z = delta / sqrt(var)
 * for every word with a prior weight (words outside the prior are skipped:
 * build the prior from a background that covers A and B). Sorted by z, highest first.
 */
export function logOddsDirichlet(a: Counts, b: Counts, prior: Counts): LogOddsRow[] {
  const nA = total(a);
  const nB = total(b);
  const a0 = total(prior);
  const rows: LogOddsRow[] = [];
  for (const [word, aw] of prior) {
    if (!(aw > 0)) continue;
    const yA = a.get(word) ?? 0;
    const yB = b.get(word) ?? 0;
    const delta = Math.log((yA + aw) / (nA + a0 - yA - aw)) - Math.log((yB + aw) / (nB + a0 - yB - aw));
    const variance = 1 / (yA + aw) + 1 / (yB + aw);
    rows.push({ word, delta, variance, z: delta / Math.sqrt(variance), countA: yA, countB: yB });
  }
  return rows.sort((x, y) => y.z - x.z || (x.word < y.word ? -1 : 1));
}
