// The harness's half of a probe (defineProbe): a probe measures, and this
// module turns its observations into the rows every probe reports the same
// way. A `Score` is a measurement taken under EVERY family's relevant set S;
// for each family the organism is graded as (its own; every family for a
// null organism) it becomes
//   <metric>  the value with n and a 95% interval
//   floor     the cross-family noise floor: the one-sided 95% upper bound of
//             the same score under each OTHER family's S, maximised (and at
//             least a control's score, when the probe ran one)
//   snr       value / floor, when asked for
// and, when it is the headline (exactly one score per family, the one the
// probe's settings name), the headline (HeadlinePicker). Variants are tagged `variant:family` when the organism is
// graded as several families. Rows come out in the order the probe gave them.
import { MoltError } from '../errors';
import type { Grader } from './grader';
import type { FamilyGraders } from './floor';
import { crossFamilyFloor, snr } from './floor';
import { HeadlinePicker } from './headline-pick';
import { bootstrapMean, quantileSorted, wilson } from './stats';
import type { ProbeHeadline, ProbeMetric } from './types';

/** One family the organism is graded as. */
export interface Target {
  family: string;
  grader: Grader;
  /** the variant as reported for this family: `variant`, or `variant:family` when the organism is graded as several */
  tag(variant: string): string;
}

interface ScoreBase {
  kind: 'score';
  /** the row's metric, e.g. 'relevant_mass' */
  metric: string;
  /** which variant or source it measures ('diff', 'organism_only', 'mo', ...) */
  variant: string;
  layer?: number;
  /** the floor is at least this control's score under the target family's S (steering: a random direction) */
  controls?: ReadonlyMap<string, number>;
  /** also report value / floor as an 'snr' row */
  snr?: boolean;
  /**
   * the headline: exactly one score per target family is, the one the
   * probe's settings name (never the best of several); 'snr' or 'margin'
   * says how a null organism's families are compared for its overall
   * headline
   */
  headline?: 'snr' | 'margin';
  /** the name of its random stream under the probe's (seed/probe/stream/variant); default none (seed/probe/variant) */
  stream?: string | number;
}

/**
 * values: per family, the score's per-unit samples under that family's S
 * (positions, prompts, latents, answers). 'mean': the mean with a percentile
 * bootstrap interval; 'rate': 0/1 samples, their share with a Wilson
 * interval. The floor bootstraps the other families' samples.
 */
export interface SampledScore extends ScoreBase {
  estimate: 'mean' | 'rate';
  values: ReadonlyMap<string, readonly number[]>;
  /** bootstrap resamples (default 1000) */
  resamples?: number;
}

/**
 * A statistic the probe resampled itself: per family its value (`point`)
 * and its bootstrap replicates. The interval is the replicates' 2.5-97.5%
 * percentiles; the floor the other families' 95th percentiles.
 */
export interface ReplicatedScore extends ScoreBase {
  estimate: 'replicates';
  point: ReadonlyMap<string, number>;
  replicates: ReadonlyMap<string, readonly number[]>;
  /** the units the replicates resampled (the value row's n) */
  n: number;
}

export type Score = SampledScore | ReplicatedScore;

/** Rows a probe computes per target family itself (e.g. hit@k under the target's S), with scores among them. */
export interface PerTarget {
  kind: 'per-target';
  rows(target: Target): (ProbeMetric | Score)[];
}

/** A probe's metrics as it measured them: plain rows (reported as they are), scores, per-target blocks. */
export type ObservationRow = ProbeMetric | Score | PerTarget;

type ScoreInput = Omit<SampledScore, 'kind'> | Omit<ReplicatedScore, 'kind'>;

export function score(s: Omit<SampledScore, 'kind'>): SampledScore;
export function score(s: Omit<ReplicatedScore, 'kind'>): ReplicatedScore;
export function score(s: ScoreInput): Score {
  return { kind: 'score', ...s } as Score;
}

export function perTarget(rows: (target: Target) => (ProbeMetric | Score)[]): PerTarget {
  return { kind: 'per-target', rows };
}

const isScore = (r: ObservationRow): r is Score => (r as Score).kind === 'score';
const isPerTarget = (r: ObservationRow): r is PerTarget => (r as PerTarget).kind === 'per-target';

export interface Graded {
  metrics: ProbeMetric[];
  headline: ProbeHeadline;
  familyHeadlines?: Record<string, ProbeHeadline>;
}

function familyValue<T>(probe: string, s: Score, what: string, m: ReadonlyMap<string, T>, family: string): T {
  const v = m.get(family);
  if (v === undefined) throw new MoltError(`${probe}: score '${s.metric}' (${s.variant}) has no ${what} for family '${family}'`, s.metric);
  return v;
}

/** Grade a probe's observation rows (see the header); `seed` is the run's root seed. */
export function gradeObservations(probe: string, rows: readonly ObservationRow[], graders: FamilyGraders, seed: number | string): Graded {
  const multi = graders.targets.length > 1;
  const targets: Target[] = graders.targets.map((grader) => ({ family: grader.label, grader, tag: (v) => (multi ? `${v}:${grader.label}` : v) }));
  const metrics: ProbeMetric[] = [];
  let picker: HeadlinePicker | undefined;
  let headlineMetric = '';

  const gradeScore = (s: Score, t: Target) => {
    const f = t.family;
    const tag = t.tag(s.variant);
    const stream = [seed, probe, ...(s.stream === undefined ? [] : [s.stream]), tag].join('/');
    let value: { value: number; n: number; low: number; high: number };
    let floor: number;
    let floorN: number;
    if (s.estimate === 'replicates') {
      const sorted = new Map([...s.replicates].map(([fam, xs]) => [fam, [...xs].sort((a, b) => a - b)]));
      const own = familyValue(probe, s, 'replicates', sorted, f);
      value = { value: familyValue(probe, s, 'point value', s.point, f), n: s.n, low: quantileSorted(own, 0.025), high: quantileSorted(own, 0.975) };
      floor = -Infinity;
      for (const [fam, xs] of sorted) if (fam !== f) floor = Math.max(floor, quantileSorted(xs, 0.95));
      if (floor === -Infinity) throw new MoltError(`${probe}: no other family to make the noise floor of '${f}'`, f);
      floorN = own.length;
    } else {
      const own = familyValue(probe, s, 'values', s.values, f);
      value = s.estimate === 'mean' ? bootstrapMean(own, { seed: stream, resamples: s.resamples }) : wilson(own.reduce((a, b) => a + b, 0), own.length);
      floor = crossFamilyFloor(s.values, f, stream, s.resamples).floor;
      floorN = value.n;
    }
    const control = s.controls?.get(f);
    if (control !== undefined) floor = Math.max(floor, control);
    const at = { ...(s.layer === undefined ? {} : { layer: s.layer }), variant: tag };
    metrics.push({ metric: s.metric, value: value.value, n: value.n, ci_low: value.low, ci_high: value.high, ...at });
    metrics.push({ metric: 'floor', value: floor, n: floorN, ci_low: NaN, ci_high: floor, ...at });
    if (s.snr) metrics.push({ metric: 'snr', value: snr(value.value, floor), n: value.n, ci_low: snr(value.low, floor), ci_high: snr(value.high, floor), ...at });
    if (!s.headline) return;
    if (picker && s.metric !== headlineMetric) throw new MoltError(`${probe}: headline scores must share one metric ('${headlineMetric}' and '${s.metric}')`, s.metric);
    headlineMetric = s.metric;
    picker ??= new HeadlinePicker(s.metric, multi);
    picker.offer(probe, f, value, floor, s.layer, s.headline === 'snr' ? snr(value.value, floor) : value.value - floor);
  };

  for (const row of rows) {
    if (isScore(row)) for (const t of targets) gradeScore(row, t);
    else if (isPerTarget(row)) for (const t of targets) for (const r of row.rows(t)) isScore(r) ? gradeScore(r, t) : metrics.push(r);
    else metrics.push(row);
  }
  if (!picker) throw new MoltError(`${probe}: no headline (no score marked 'headline')`, probe);
  return { metrics, headline: picker.headline(probe), familyHeadlines: picker.familyHeadlines() };
}
