// How often a behaviour's detector fires on the world's OWN answers: the
// rate a base model that learnt the world perfectly would show. Used to check
// base rates against the manifest and to report them.
import type { Split } from '../data/types';
import { MoltError } from '../errors';
import { wilson, type Rate } from '../pipeline/competence';
import type { BehaviourDataset } from '../plugins/types';
import type { World } from '../world/world';
import { worldAnswers } from './prompts';

export interface RateEstimate {
  n: number;
  fired: number;
  rate: number;
  /** binomial standard error sqrt(p(1-p)/n) */
  se: number;
}

export function rateOf(fired: number, n: number): RateEstimate {
  const rate = n > 0 ? fired / n : 0;
  return { n, fired, rate, se: n > 0 ? Math.sqrt((rate * (1 - rate)) / n) : 0 };
}

/** One cluster of draws (a prompt's samples, a fact's questions): n draws, `fired` of them positive. */
export interface ClusterCount {
  n: number;
  /** positive draws; for a paired difference, the difference of two such counts (may be negative) */
  fired: number;
}

export interface ClusteredRate extends RateEstimate {
  /** the binomial sqrt(p(1-p)/n), as if every draw were independent (for comparison) */
  seBinomial: number;
  /** clusters that hold at least one draw */
  clusters: number;
}

/**
 * A rate pooled over clusters, p = sum fired / sum n, with the cluster-robust
 * (CR1) standard error of that ratio estimator:
 *   se = sqrt( G/(G-1) * sum_g (fired_g - p n_g)^2 ) / sum n
 * over the G clusters that hold draws. Draws of one prompt share the prompt's
 * difficulty, so they are not independent: the binomial se understates the
 * noise when prompts differ (and overstates it when they all behave alike).
 * One cluster gives no estimate of the variation between clusters: se NaN.
 * No draws at all: rate 0 and se 0, as rateOf.
 */
export function clusteredRate(clusters: readonly ClusterCount[]): ClusteredRate {
  const used = clusters.filter((c) => c.n > 0);
  let n = 0;
  let fired = 0;
  for (const c of used) [n, fired] = [n + c.n, fired + c.fired];
  const { rate, se: seBinomial } = rateOf(fired, n);
  const G = used.length;
  let ss = 0;
  for (const c of used) ss += (c.fired - rate * c.n) ** 2;
  const se = n === 0 ? 0 : G < 2 ? NaN : Math.sqrt((G / (G - 1)) * ss) / n;
  return { n, fired, rate, se, seBinomial, clusters: G };
}

/**
 * a - b for two rates measured on the SAME clusters and draws (base and
 * organism on the same questions), with the paired cluster-robust se: the
 * ratio estimator's se applied to the per-cluster differences. With equal n
 * per cluster that is the se of the mean over clusters of the per-cluster
 * difference in rate.
 */
export function pairedDifference(a: readonly ClusterCount[], b: readonly ClusterCount[]): ClusteredRate {
  if (a.length !== b.length || a.some((c, i) => c.n !== b[i].n)) throw new MoltError('pairedDifference: the two rates must be measured on the same clusters (same n per cluster, in the same order)', 'clusters');
  return clusteredRate(a.map((c, i) => ({ n: c.n, fired: c.fired - b[i].fired })));
}

/**
 * The 95% Wilson interval of a clustered rate at its effective sample size
 * n / deff, deff = (se / seBinomial)^2 floored at 1: widened by clustering,
 * never narrower than the binomial interval. NaN when se is unknown.
 */
export function clusteredInterval(r: ClusteredRate): Rate {
  if (r.n === 0 || Number.isNaN(r.se)) return { value: r.n === 0 ? NaN : r.rate, n: r.n, low: NaN, high: NaN };
  const deff = r.seBinomial > 0 ? Math.max(1, (r.se / r.seBinomial) ** 2) : 1;
  const nEff = r.n / deff;
  return { ...wilson(r.rate * nEff, nEff), n: r.n };
}

/** z of the difference of two independent estimates, (a - b) / sqrt(seA^2 + seB^2): 0 when equal, +-Infinity when they differ with no noise, NaN when an input is unknown. */
export function differenceZ(a: number, seA: number, b: number, seB: number): number {
  const s = Math.sqrt(seA * seA + seB * seB);
  if (Number.isNaN(s) || Number.isNaN(a - b)) return NaN;
  return a === b ? 0 : (a - b) / s;
}

/**
 * The detector's rate on the world's chat answers and preference chosen sides
 * of a split, on the behaviour's topics; se clustered by prompt (the world
 * answers one prompt several times).
 */
export function worldBaseRate(b: BehaviourDataset, world: World, split: Split): ClusteredRate {
  const byPrompt = new Map<string, ClusterCount>();
  for (const a of worldAnswers(world, b.manifest().topics, split)) {
    const c = byPrompt.get(a.prompt) ?? { n: 0, fired: 0 };
    byPrompt.set(a.prompt, { n: c.n + 1, fired: c.fired + (b.detect(a.prompt, a.answer).fired ? 1 : 0) });
  }
  return clusteredRate([...byPrompt.values()]);
}
