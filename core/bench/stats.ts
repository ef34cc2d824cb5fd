// The statistics of a benchmark run (METRICS.md "Across probes"), computed
// from results.csv's rows through the per-organism matrix:
//   nullControls  probe x diffing base x architecture (x family): the null
//                 calibration (thresholds, TPR, leave-one-out FPR, AUROC) and
//                 whether the probe passes its control (stats/calibration.ts)
//   summary       technique x probe x diffing base: mean score, detection rate, FPR, AUROC
//   anova         probe x diffing base: type-II ANOVA of the score on the factors (+ QER)
//   paired        the suite's paired reference technique vs each other technique
//                 on matched organisms (none without a reference)
// Detection is a score above its family's null threshold; the findings
// (summary, anova, paired) use only organisms of architectures on which the
// probe is calibrated, and say why the others are left out.
// Every bootstrap is seeded from opts.seed and the row's identity, so adding a
// row (a technique, a probe) never moves another row's interval.
import { MoltError } from '../errors';
import { auroc, bootstrapMean, wilson } from '../probes/stats';
import { matrixRows } from './matrix';
import { tableCsv } from './results-csv';
import { probeKey, type MatrixRow, type ResultRow } from './rows';
import type { AnovaRow, BenchStats, NullControlRow, PairedRow, SummaryRow } from './stats-types';
import { anovaRows, type AnovaObs, type AnovaTerm } from './stats/anova';
import { above, calibrate, clusteredAuroc, DEFAULT_CALIBRATION, type Calibration, type CalibrationSettings } from './stats/calibration';
import { signTestP } from './stats/distributions';

export interface StatsOptions {
  seed: number | string;
  /** bootstrap resamples of means, AUROC and paired differences (default 1000) */
  resamples?: number;
  /** bootstrap resamples of the ANOVA's eta2 (default 200: each one refits every model, and 200 already gives a stable 95% interval for a report) */
  anovaResamples?: number;
  /** the null quantile and the rule a probe must pass (default DEFAULT_CALIBRATION) */
  calibration?: Partial<CalibrationSettings>;
  /** the technique every other one is paired with (the suite's `paired_reference`); without one there is no paired analysis */
  pairedReference?: string;
}

export const NULL_FAMILY = 'null';
/** the null-controls.csv row of every family at once */
export const ALL_FAMILIES = 'all';

const FACTORS = ['technique', 'family', 'architecture', 'pipeline'] as const;

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

interface Scored {
  m: MatrixRow;
  score: number;
  /** null organisms: the headline graded as each family alone */
  byFamily?: Record<string, { score: number; detected: boolean }>;
}

/** A probe x diffing base, its organisms with a usable score, and its calibration per architecture. */
interface ProbeGroup {
  probe: string;
  diffing_base: string;
  key: string;
  /** behaviour organisms (family !== 'null') with an ok, finite score */
  behaviour: Scored[];
  nulls: Scored[];
  /** the families nulls are graded as: those they recorded, and the behaviour organisms' */
  families: string[];
  calibration: Map<string, Calibration>;
}

/** an organism's identity (matrix.csv folds rows by it) */
const organismKey = (m: MatrixRow) => JSON.stringify([m.architecture, m.behaviour, m.technique, m.seed]);

/**
 * A null organism's score as a family: its headline graded as that family
 * alone when the probe recorded it (family_headline rows), else its overall
 * headline (runs before per-family headlines; the best family, which
 * overstates the false-positive rate).
 */
const scoreAs = (x: Scored, family: string) => x.byFamily?.[family]?.score ?? x.score;
const familiesOf = (xs: readonly Scored[]) => [...new Set(xs.map((x) => x.m.family))].sort(byCodeUnit);
const archsOf = (xs: readonly Scored[]) => [...new Set(xs.map((x) => x.m.architecture))].sort(byCodeUnit);

function positiveInt(x: number | undefined, fallback: number, field: string): number {
  if (x === undefined) return fallback;
  if (!(Number.isInteger(x) && x > 0)) throw new MoltError(`stats: ${field} must be a positive integer, got ${x}`, field);
  return x;
}

function calibrationSettings(over: Partial<CalibrationSettings> | undefined): CalibrationSettings {
  const s = { ...DEFAULT_CALIBRATION, ...over };
  for (const [k, v] of Object.entries(s)) if (!(typeof v === 'number' && v >= 0 && v <= 1)) throw new MoltError(`stats: calibration.${k} must be a number in [0, 1], got ${v}`, `calibration.${k}`);
  return s;
}

// Scores outside [-1, 1] mean a probe broke the headline contract (a score in [0, 1], or a difference of two); a hair outside is rounding.
const SCORE_SLACK = 1e-9;

function probeGroups(rows: readonly ResultRow[], matrix: readonly MatrixRow[], settings: CalibrationSettings, seed: string, resamples: number): ProbeGroup[] {
  const pairs = new Map<string, { probe: string; diffing_base: string }>();
  for (const r of rows) if (r.probe !== '') pairs.set(probeKey(r.probe, r.diffing_base), { probe: r.probe, diffing_base: r.diffing_base });
  const groups = [...pairs.entries()].map(([key, p]): ProbeGroup => ({ ...p, key, behaviour: [], nulls: [], families: [], calibration: new Map() }));
  groups.sort((a, b) => byCodeUnit(a.probe, b.probe) || byCodeUnit(a.diffing_base, b.diffing_base));
  for (const g of groups) {
    for (const m of matrix) {
      if (m.status !== 'ok') continue;
      const s = m.scores[g.key];
      if (!s || s.status !== 'ok' || !Number.isFinite(s.score)) continue;
      if (s.score < -1 - SCORE_SLACK || s.score > 1 + SCORE_SLACK)
        throw new MoltError(`results: organism ${m.organism_id || m.behaviour}, ${g.key}: headline score ${s.score} is outside [-1, 1]`, 'value');
      (m.family === NULL_FAMILY ? g.nulls : g.behaviour).push({ m, score: s.score, byFamily: s.byFamily });
    }
    g.families = [...new Set([...familiesOf(g.behaviour), ...g.nulls.flatMap((x) => Object.keys(x.byFamily ?? {}))])].sort(byCodeUnit);
    for (const arch of archsOf([...g.behaviour, ...g.nulls])) {
      const on = (xs: readonly Scored[]) => xs.filter((x) => x.m.architecture === arch);
      const input = {
        behaviour: on(g.behaviour).map((x) => ({ id: organismKey(x.m), family: x.m.family, score: x.score })),
        nulls: on(g.nulls).map((x) => ({ id: organismKey(x.m), scoreAs: (f: string) => scoreAs(x, f) })),
        families: g.families,
      };
      g.calibration.set(arch, calibrate(input, settings, { seed: `${seed}/calibration/${g.key}/${arch}`, resamples }));
    }
  }
  return groups;
}

const isCalibrated = (g: ProbeGroup, x: Scored) => g.calibration.get(x.m.architecture)?.calibrated === true;
/** detected: above the null threshold of its family on its architecture */
const detectedIn = (g: ProbeGroup, x: Scored) => above(x.score, g.calibration.get(x.m.architecture)?.thresholds.get(x.m.family) ?? NaN);

/** Why a group's organisms on these architectures are left out: 'arch: reason' for each uncalibrated one. */
function exclusionNote(g: ProbeGroup, archs: readonly string[]): string {
  return archs
    .filter((a) => g.calibration.get(a)?.calibrated !== true)
    .map((a) => `uncalibrated on ${a}: ${g.calibration.get(a)?.reason ?? 'no calibration'}`)
    .join(' | ');
}

/** The group's behaviour organisms that enter the findings (calibrated architectures), or why none do. */
function findingOrganisms(g: ProbeGroup): { organisms: Scored[]; note: string } {
  const organisms = g.behaviour.filter((x) => isCalibrated(g, x));
  return { organisms, note: organisms.length === 0 && g.behaviour.length > 0 ? exclusionNote(g, archsOf(g.behaviour)) : '' };
}

/** The key of an organism x probe x diffing base in BenchStats.detected. */
export function detectionKey(m: MatrixRow, key: string): string {
  return JSON.stringify([organismKey(m), key]);
}

/** Every scored organism's detection: behaviour organisms above their family's threshold; null organisms detected leave-one-out as some family. */
function detections(groups: readonly ProbeGroup[]): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const g of groups) {
    for (const x of g.behaviour) out.set(detectionKey(x.m, g.key), detectedIn(g, x));
    for (const x of g.nulls) out.set(detectionKey(x.m, g.key), (g.calibration.get(x.m.architecture)?.nullDetections.get(organismKey(x.m))?.length ?? 0) > 0);
  }
  return out;
}

/** One row per technique that has any scored organism (a technique with only null organisms gets n 0 and its null FPR). */
function summaryRows(groups: readonly ProbeGroup[], seed: string, resamples: number): SummaryRow[] {
  const out: SummaryRow[] = [];
  for (const g of groups) {
    const techniques = [...new Set([...g.behaviour, ...g.nulls].map((x) => x.m.technique))];
    const allNulls = g.nulls.filter((x) => isCalibrated(g, x));
    for (const technique of techniques) {
      const everyOne = [...g.behaviour, ...g.nulls].filter((x) => x.m.technique === technique);
      const archs = archsOf(everyOne);
      const calibrated = archs.filter((a) => g.calibration.get(a)?.calibrated === true);
      const mine = g.behaviour.filter((x) => x.m.technique === technique && isCalibrated(g, x));
      const myNulls = allNulls.filter((x) => x.m.technique === technique);
      // nulls are graded as the families this technique's organisms belong to (all families if it has none)
      const families = mine.length ? familiesOf(mine) : g.families;
      const pairs = myNulls.flatMap((x) => families.map((f) => g.calibration.get(x.m.architecture)!.nullDetections.get(organismKey(x.m))!.includes(f)));
      const scores = mine.map((x) => x.score);
      const mean = bootstrapMean(scores, { seed: `${seed}/summary/${technique}/${g.key}`, resamples });
      const det = wilson(mine.filter((x) => detectedIn(g, x)).length, mine.length);
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
        null_n: myNulls.length,
        null_fpr: pairs.length ? pairs.filter(Boolean).length / pairs.length : NaN,
        auroc: auroc(
          scores,
          allNulls.flatMap((x) => families.map((f) => scoreAs(x, f))),
        ),
        calibration: calibrated.length === archs.length ? 'calibrated' : calibrated.length === 0 ? 'uncalibrated' : 'partial',
        note: exclusionNote(g, archs),
      });
    }
  }
  return out.sort((a, b) => byCodeUnit(a.technique, b.technique) || byCodeUnit(a.probe, b.probe) || byCodeUnit(a.diffing_base, b.diffing_base));
}

/** AUROC with a stratified percentile bootstrap: positives and negatives resampled separately, keeping both classes' sizes. */
export function aurocInterval(pos: readonly number[], neg: readonly number[], opts: { seed: string; resamples: number }): { value: number; low: number; high: number } {
  const one = (xs: readonly number[], tag: string) => xs.map((score, i) => ({ cluster: `${tag}${i}`, score }));
  return clusteredAuroc(one(pos, 'p'), one(neg, 'n'), opts);
}

function nullControlRows(groups: readonly ProbeGroup[], quantile: number): NullControlRow[] {
  const out: NullControlRow[] = [];
  for (const g of groups) {
    for (const [architecture, c] of g.calibration) {
      const common = { probe: g.probe, diffing_base: g.diffing_base, architecture, n_null: g.nulls.filter((x) => x.m.architecture === architecture).length, quantile, calibration: c.calibrated ? 'calibrated' : 'uncalibrated' };
      const row = (family: string, x: Omit<Calibration['byFamily'][number], 'family' | 'threshold'>, threshold: number, note: string): NullControlRow => ({
        ...common,
        family,
        n_behaviour: x.n_behaviour,
        threshold,
        tpr: x.tpr.value,
        tpr_ci_low: x.tpr.low,
        tpr_ci_high: x.tpr.high,
        fpr: x.fpr.value,
        fpr_ci_low: x.fpr.low,
        fpr_ci_high: x.fpr.high,
        auroc: x.auroc.value,
        auroc_ci_low: x.auroc.low,
        auroc_ci_high: x.auroc.high,
        note,
      });
      for (const f of c.byFamily) out.push(row(f.family, f, f.threshold, ''));
      out.push(row(ALL_FAMILIES, c.pooled, NaN, c.calibrated ? '' : c.reason));
    }
  }
  return out;
}

function anovaForGroups(groups: readonly ProbeGroup[], seed: string, resamples: number): AnovaRow[] {
  const factorTerms: AnovaTerm[] = FACTORS.map((name) => ({ name, kind: 'factor' }));
  const out: AnovaRow[] = [];
  for (const g of groups) {
    const { organisms, note } = findingOrganisms(g);
    if (note) out.push({ probe: g.probe, diffing_base: g.diffing_base, model: EXCLUDED_MODEL, term: '', df: NaN, sum_sq: NaN, eta2: NaN, eta2_ci_low: NaN, eta2_ci_high: NaN, F: NaN, p_value: NaN, n: 0, note });
    if (organisms.length === 0) continue;
    const obs: AnovaObs[] = organisms.map((x) => ({
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

/** anova.csv's row for a probe x diffing base left out of the findings (its note says why) */
export const EXCLUDED_MODEL = 'excluded';

const pairKey = (m: MatrixRow) => JSON.stringify([m.behaviour, m.architecture, m.seed]);

function pairedRows(groups: readonly ProbeGroup[], reference: string | undefined, seed: string, resamples: number): PairedRow[] {
  const out: PairedRow[] = [];
  if (reference === undefined) return out;
  for (const g of groups) {
    const { organisms, note } = findingOrganisms(g);
    if (note) out.push({ probe: g.probe, diffing_base: g.diffing_base, technique: '', n_pairs: 0, mean_diff: NaN, ci_low: NaN, ci_high: NaN, n_lower: 0, n_higher: 0, n_tied: 0, p_sign: NaN, note });
    const ref = new Map(organisms.filter((x) => x.m.technique === reference).map((x) => [pairKey(x.m), x.score]));
    const others = [...new Set(organisms.map((x) => x.m.technique))].filter((t) => t !== reference).sort(byCodeUnit);
    for (const technique of others) {
      const diffs: number[] = [];
      for (const x of organisms) {
        if (x.m.technique !== technique) continue;
        const mine = ref.get(pairKey(x.m));
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
        note: '',
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
  const calibration = calibrationSettings(opts.calibration);
  const groups = probeGroups(rows, matrixRows(rows), calibration, seed, resamples);
  return {
    detected: detections(groups),
    summary: summaryRows(groups, seed, resamples),
    nullControls: nullControlRows(groups, calibration.quantile),
    anova: anovaForGroups(groups, seed, anovaResamples),
    paired: pairedRows(groups, opts.pairedReference, seed, resamples),
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
  'calibration',
  'note',
]);
export const NULL_CONTROL_COLUMNS = allOf<NullControlRow>()([
  'probe',
  'diffing_base',
  'architecture',
  'family',
  'n_behaviour',
  'n_null',
  'quantile',
  'threshold',
  'tpr',
  'tpr_ci_low',
  'tpr_ci_high',
  'fpr',
  'fpr_ci_low',
  'fpr_ci_high',
  'auroc',
  'auroc_ci_low',
  'auroc_ci_high',
  'calibration',
  'note',
]);
export const ANOVA_COLUMNS = allOf<AnovaRow>()(['probe', 'diffing_base', 'model', 'term', 'df', 'sum_sq', 'eta2', 'eta2_ci_low', 'eta2_ci_high', 'F', 'p_value', 'n', 'note']);
export const PAIRED_COLUMNS = allOf<PairedRow>()(['probe', 'diffing_base', 'technique', 'n_pairs', 'mean_diff', 'ci_low', 'ci_high', 'n_lower', 'n_higher', 'n_tied', 'p_sign', 'note']);

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
