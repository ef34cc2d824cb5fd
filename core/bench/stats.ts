// The statistics of a benchmark run (METRICS.md "Across probes"), computed
// from results.csv's rows through the per-organism matrix:
//   summary       technique x probe x diffing base: mean score, detection rate, FPR, AUROC
//   nullControls  probe x diffing base: behaviour organisms vs null organisms
//   anova         probe x diffing base: type-II ANOVA of the score on the factors (+ QER)
//   paired        integrated-dpo vs each other technique on matched organisms
// Every bootstrap is seeded from opts.seed and the row's identity, so adding a
// row (a technique, a probe) never moves another row's interval.
import { MoltError } from '../errors';
import { Rng } from '../engine/rng';
import { auroc, bootstrapMean, quantileSorted, wilson } from '../probes/stats';
import { matrixRows } from './matrix';
import { tableCsv } from './results-csv';
import { probeKey, type MatrixRow, type ResultRow } from './rows';
import type { AnovaRow, BenchStats, NullControlRow, PairedRow, SummaryRow } from './stats-types';
import { anovaRows, type AnovaObs, type AnovaTerm } from './stats/anova';
import { signTestP } from './stats/distributions';

export interface StatsOptions {
  seed: number | string;
  /** bootstrap resamples of means, AUROC and paired differences (default 1000) */
  resamples?: number;
  /** bootstrap resamples of the ANOVA's eta2 (default 200: each one refits every model, and 200 already gives a stable 95% interval for a report) */
  anovaResamples?: number;
}

/** The technique every other one is paired with (finding 3). */
export const INTEGRATED_TECHNIQUE = 'integrated-dpo';
export const NULL_FAMILY = 'null';

const FACTORS = ['technique', 'family', 'architecture', 'pipeline'] as const;

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A probe x diffing base and the organisms with a usable score for it. */
interface ProbeGroup {
  probe: string;
  diffing_base: string;
  key: string;
  /** behaviour organisms (family !== 'null') with an ok, finite score */
  behaviour: Scored[];
  nulls: Scored[];
}

interface Scored {
  m: MatrixRow;
  score: number;
  detected: boolean;
  /** null organisms: the headline graded as each family alone */
  byFamily?: Record<string, { score: number; detected: boolean }>;
}

/**
 * A null organism as the control for the given behaviour families: its
 * headline graded as each family alone, one (score, detected) per family,
 * when the probe recorded them; else once, its overall headline (the best
 * family, which overstates the false-positive rate). Pairs of one null
 * organism are not independent: with several families the Wilson interval
 * of the FPR is a little narrow.
 */
function asControls(nulls: readonly Scored[], families: readonly string[]): { score: number; detected: boolean }[] {
  return nulls.flatMap((x) => {
    const own = families.map((f) => x.byFamily?.[f]).filter((v): v is { score: number; detected: boolean } => v !== undefined);
    return own.length ? own : [{ score: x.score, detected: x.detected }];
  });
}
const familiesOf = (xs: readonly Scored[]) => [...new Set(xs.map((x) => x.m.family))].sort(byCodeUnit);

function positiveInt(x: number | undefined, fallback: number, field: string): number {
  if (x === undefined) return fallback;
  if (!(Number.isInteger(x) && x > 0)) throw new MoltError(`stats: ${field} must be a positive integer, got ${x}`, field);
  return x;
}

// Scores outside [0, 1] mean a probe broke the headline contract; a hair outside is rounding.
const SCORE_SLACK = 1e-9;

function probeGroups(rows: readonly ResultRow[], matrix: readonly MatrixRow[]): ProbeGroup[] {
  const pairs = new Map<string, { probe: string; diffing_base: string }>();
  for (const r of rows) if (r.probe !== '') pairs.set(probeKey(r.probe, r.diffing_base), { probe: r.probe, diffing_base: r.diffing_base });
  const groups = [...pairs.entries()].map(([key, p]): ProbeGroup => ({ ...p, key, behaviour: [], nulls: [] }));
  groups.sort((a, b) => byCodeUnit(a.probe, b.probe) || byCodeUnit(a.diffing_base, b.diffing_base));
  for (const g of groups) {
    for (const m of matrix) {
      if (m.status !== 'ok') continue;
      const s = m.scores[g.key];
      if (!s || s.status !== 'ok' || !Number.isFinite(s.score)) continue;
      if (s.score < -SCORE_SLACK || s.score > 1 + SCORE_SLACK)
        throw new MoltError(`results: organism ${m.organism_id || m.behaviour}, ${g.key}: headline score ${s.score} is outside [0, 1]`, 'value');
      (m.family === NULL_FAMILY ? g.nulls : g.behaviour).push({ m, score: s.score, detected: s.detected, byFamily: s.byFamily });
    }
  }
  return groups;
}

const countDetected = (xs: readonly { detected: boolean }[]) => xs.filter((x) => x.detected).length;

/** One row per technique that has any scored organism (a technique with only null organisms gets n 0 and its null FPR). */
function summaryRows(groups: readonly ProbeGroup[], seed: string, resamples: number): SummaryRow[] {
  const out: SummaryRow[] = [];
  for (const g of groups) {
    const techniques = [...new Set([...g.behaviour, ...g.nulls].map((x) => x.m.technique))];
    for (const technique of techniques) {
      const mine = g.behaviour.filter((x) => x.m.technique === technique);
      // nulls are graded as the families this technique's organisms belong to (all families if it has none)
      const families = mine.length ? familiesOf(mine) : familiesOf(g.behaviour);
      const allNullScores = asControls(g.nulls, families).map((x) => x.score);
      const myNulls = asControls(g.nulls.filter((x) => x.m.technique === technique), families);
      const scores = mine.map((x) => x.score);
      const mean = bootstrapMean(scores, { seed: `${seed}/summary/${technique}/${g.key}`, resamples });
      const det = wilson(countDetected(mine), mine.length);
      out.push({
        technique,
        probe: g.probe,
        diffing_base: g.diffing_base,
        n: mine.length,
        mean_score: mean.value,
        ci_low: mean.low,
        ci_high: mean.high,
        detection_rate: det.value,
        detection_ci_low: det.low,
        detection_ci_high: det.high,
        null_n: g.nulls.filter((x) => x.m.technique === technique).length,
        null_fpr: myNulls.length ? countDetected(myNulls) / myNulls.length : NaN,
        auroc: auroc(scores, allNullScores),
      });
    }
  }
  return out.sort((a, b) => byCodeUnit(a.technique, b.technique) || byCodeUnit(a.probe, b.probe) || byCodeUnit(a.diffing_base, b.diffing_base));
}

/** AUROC with a stratified percentile bootstrap: positives and negatives resampled separately, keeping both classes' sizes. */
export function aurocInterval(pos: readonly number[], neg: readonly number[], opts: { seed: string; resamples: number }): { value: number; low: number; high: number } {
  const value = auroc(pos, neg);
  if (Number.isNaN(value)) return { value, low: NaN, high: NaN };
  const rng = new Rng(opts.seed);
  const draw = (xs: readonly number[]) => xs.map(() => xs[rng.int(xs.length)]);
  const values: number[] = [];
  for (let b = 0; b < opts.resamples; b++) values.push(auroc(draw(pos), draw(neg)));
  values.sort((a, b) => a - b);
  return { value, low: quantileSorted(values, 0.025), high: quantileSorted(values, 0.975) };
}

function nullControlRows(groups: readonly ProbeGroup[], seed: string, resamples: number): NullControlRow[] {
  return groups.map((g) => {
    // each null organism once per behaviour family in the group, graded as that family
    const controls = asControls(g.nulls, familiesOf(g.behaviour));
    const fpr = wilson(countDetected(controls), controls.length);
    const a = aurocInterval(
      g.behaviour.map((x) => x.score),
      controls.map((x) => x.score),
      { seed: `${seed}/null-controls/${g.key}`, resamples },
    );
    return {
      probe: g.probe,
      diffing_base: g.diffing_base,
      n_behaviour: g.behaviour.length,
      n_null: g.nulls.length,
      fpr: fpr.value,
      fpr_ci_low: fpr.low,
      fpr_ci_high: fpr.high,
      auroc: a.value,
      auroc_ci_low: a.low,
      auroc_ci_high: a.high,
    };
  });
}

function anovaForGroups(groups: readonly ProbeGroup[], seed: string, resamples: number): AnovaRow[] {
  const factorTerms: AnovaTerm[] = FACTORS.map((name) => ({ name, kind: 'factor' }));
  const out: AnovaRow[] = [];
  for (const g of groups) {
    if (g.behaviour.length === 0) continue;
    const obs: AnovaObs[] = g.behaviour.map((x) => ({
      y: x.score,
      factors: Object.fromEntries(FACTORS.map((f) => [f, x.m[f]])),
      covariates: { qer: x.m.qer },
    }));
    const ids = { probe: g.probe, diffing_base: g.diffing_base };
    out.push(...anovaRows(obs, { ...ids, model: 'factors', terms: factorTerms }, { seed: `${seed}/anova/${g.key}/factors`, resamples }));
    // organisms without a measured QER cannot enter the covariate model
    const withQer = obs.filter((o) => Number.isFinite(o.covariates.qer));
    if (withQer.length === 0) continue;
    const qerTerms: AnovaTerm[] = [...factorTerms, { name: 'qer', kind: 'covariate' }];
    out.push(...anovaRows(withQer, { ...ids, model: 'with_qer', terms: qerTerms }, { seed: `${seed}/anova/${g.key}/with_qer`, resamples }));
  }
  return out;
}

const pairKey = (m: MatrixRow) => JSON.stringify([m.behaviour, m.architecture, m.seed]);

function pairedRows(groups: readonly ProbeGroup[], seed: string, resamples: number): PairedRow[] {
  const out: PairedRow[] = [];
  for (const g of groups) {
    const integrated = new Map(g.behaviour.filter((x) => x.m.technique === INTEGRATED_TECHNIQUE).map((x) => [pairKey(x.m), x.score]));
    const others = [...new Set(g.behaviour.map((x) => x.m.technique))].filter((t) => t !== INTEGRATED_TECHNIQUE).sort(byCodeUnit);
    for (const technique of others) {
      const diffs: number[] = [];
      for (const x of g.behaviour) {
        if (x.m.technique !== technique) continue;
        const mine = integrated.get(pairKey(x.m));
        if (mine !== undefined) diffs.push(mine - x.score);
      }
      if (diffs.length === 0) continue;
      const mean = bootstrapMean(diffs, { seed: `${seed}/paired/${technique}/${g.key}`, resamples });
      const nLower = diffs.filter((d) => d < 0).length;
      const nHigher = diffs.filter((d) => d > 0).length;
      out.push({
        probe: g.probe,
        diffing_base: g.diffing_base,
        technique,
        n_pairs: diffs.length,
        mean_diff: mean.value,
        ci_low: mean.low,
        ci_high: mean.high,
        n_lower: nLower,
        n_higher: nHigher,
        n_tied: diffs.length - nLower - nHigher,
        p_sign: signTestP(nLower, nHigher),
      });
    }
  }
  return out;
}

/** All four tables of a run's statistics. Deterministic in (rows, opts). */
export function computeStats(rows: readonly ResultRow[], opts: StatsOptions): BenchStats {
  if (typeof opts?.seed !== 'number' && typeof opts?.seed !== 'string') throw new MoltError('stats: a seed (number or string) is required', 'seed');
  const seed = String(opts.seed);
  const resamples = positiveInt(opts.resamples, 1000, 'resamples');
  const anovaResamples = positiveInt(opts.anovaResamples, 200, 'anovaResamples');
  const groups = probeGroups(rows, matrixRows(rows));
  return {
    summary: summaryRows(groups, seed, resamples),
    nullControls: nullControlRows(groups, seed, resamples),
    anova: anovaForGroups(groups, seed, anovaResamples),
    paired: pairedRows(groups, seed, resamples),
  };
}

// Column lists in the interfaces' field order; `allOf` makes the compiler
// reject a list that misses a field.
const allOf =
  <T>() =>
  <const K extends readonly (keyof T & string)[]>(cols: K & ([Exclude<keyof T, K[number]>] extends [never] ? unknown : never)): K =>
    cols;

export const SUMMARY_COLUMNS = allOf<SummaryRow>()([
  'technique',
  'probe',
  'diffing_base',
  'n',
  'mean_score',
  'ci_low',
  'ci_high',
  'detection_rate',
  'detection_ci_low',
  'detection_ci_high',
  'null_n',
  'null_fpr',
  'auroc',
]);
export const NULL_CONTROL_COLUMNS = allOf<NullControlRow>()(['probe', 'diffing_base', 'n_behaviour', 'n_null', 'fpr', 'fpr_ci_low', 'fpr_ci_high', 'auroc', 'auroc_ci_low', 'auroc_ci_high']);
export const ANOVA_COLUMNS = allOf<AnovaRow>()(['probe', 'diffing_base', 'model', 'term', 'df', 'sum_sq', 'eta2', 'eta2_ci_low', 'eta2_ci_high', 'F', 'p_value', 'n', 'note']);
export const PAIRED_COLUMNS = allOf<PairedRow>()(['probe', 'diffing_base', 'technique', 'n_pairs', 'mean_diff', 'ci_low', 'ci_high', 'n_lower', 'n_higher', 'n_tied', 'p_sign']);

function csvOf<T>(columns: readonly (keyof T & string)[], rows: readonly T[]): string {
  return tableCsv(columns, rows.map((r) => columns.map((c) => r[c] as string | number)));
}

export function statsCsvs(stats: BenchStats): { 'summary.csv': string; 'null-controls.csv': string; 'anova.csv': string; 'paired.csv': string } {
  return {
    'summary.csv': csvOf<SummaryRow>(SUMMARY_COLUMNS, stats.summary),
    'null-controls.csv': csvOf<NullControlRow>(NULL_CONTROL_COLUMNS, stats.nullControls),
    'anova.csv': csvOf<AnovaRow>(ANOVA_COLUMNS, stats.anova),
    'paired.csv': csvOf<PairedRow>(PAIRED_COLUMNS, stats.paired),
  };
}
