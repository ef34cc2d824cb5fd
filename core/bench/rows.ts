// The benchmark's long results table (METRICS.md "Long results table") and
// the row shapes derived from it. results.csv is the one source of truth:
// matrix.csv, summary.csv, the statistics and report.html are all computed
// from these rows, so `molt report DIR` can rebuild everything from the CSV.
//
// Columns are METRICS.md's, plus four: `family` (behaviour family, 'null' for
// controls), `variant` (which variant or control a probe metric measures),
// `status` and `error` (a failed cell keeps a row saying why).

export const RESULT_COLUMNS = [
  'run_id',
  'organism_id',
  'behaviour',
  'family',
  'pipeline',
  'technique',
  'architecture',
  'seed',
  'diffing_base',
  'probe',
  'layer',
  'variant',
  'metric',
  'value',
  'n',
  'ci_low',
  'ci_high',
  'qer',
  'qer_se',
  'cost_s',
  'config_hash',
  'molt_version',
  'created_at',
  'status',
  'error',
] as const;
export type ResultColumn = (typeof RESULT_COLUMNS)[number];

export type CellStatus = 'ok' | 'failed' | 'skipped';

/**
 * One row of results.csv. Numbers that do not exist are NaN in memory and an
 * empty field in the CSV (layer of a whole-model metric, n of a flag, ...).
 *
 * Organism rows have probe '' and diffing_base '' and metrics:
 *   qer, qer_base, leakage, leakage_base, capability, capability_base, capability_drop,
 *   step, matched (1/0, NaN when not matched by design), val_qer.
 * Probe rows carry every ProbeMetric of the probe's result, plus
 *   metric 'headline' (variant = the headline's metric name, value = score,
 *   ci = its interval), 'headline_floor' and 'detected' (1/0); for a null
 *   organism also 'family_headline' and 'family_detected' per family
 *   (variant = the family), its headline graded as that family alone.
 * A failed or skipped cell has one row: metric 'cell', status and error set.
 */
export interface ResultRow {
  run_id: string;
  organism_id: string;
  behaviour: string;
  family: string;
  /** 'synthetic' | 'natural' | 'control' (the behaviour's data pipeline) */
  pipeline: string;
  technique: string;
  architecture: string;
  seed: number;
  diffing_base: string;
  probe: string;
  layer: number;
  variant: string;
  metric: string;
  value: number;
  n: number;
  ci_low: number;
  ci_high: number;
  /** the organism's test-split QER and its SE, repeated on every row of the organism */
  qer: number;
  qer_se: number;
  /** wall-clock seconds of the cell; NaN (empty) in reproducible runs */
  cost_s: number;
  config_hash: string;
  molt_version: string;
  /** ISO time the cell finished; '' in reproducible runs */
  created_at: string;
  status: CellStatus;
  error: string;
}

export const NUMERIC_COLUMNS: readonly ResultColumn[] = ['seed', 'layer', 'value', 'n', 'ci_low', 'ci_high', 'qer', 'qer_se', 'cost_s'];

/** The metrics an organism cell reports (probe ''). */
export const ORGANISM_METRICS = ['qer', 'qer_base', 'leakage', 'leakage_base', 'capability', 'capability_base', 'capability_drop', 'step', 'matched', 'val_qer'] as const;

/** Headline rows of a probe cell. */
export const HEADLINE_METRIC = 'headline';
export const HEADLINE_FLOOR_METRIC = 'headline_floor';
export const DETECTED_METRIC = 'detected';
/** null organisms: each family's own headline score and detection (variant = the family) */
export const FAMILY_HEADLINE_METRIC = 'family_headline';
export const FAMILY_DETECTED_METRIC = 'family_detected';
/** The one row of a failed or skipped cell. */
export const CELL_METRIC = 'cell';

/**
 * matrix.csv: one row per organism. Fixed columns, then for each
 * probe x diffing base that ran (sorted), four columns named
 * `<probe>@<diffing_base>`, `..._ci_low`, `..._ci_high`, `..._detected`.
 */
export const MATRIX_FIXED_COLUMNS = [
  'organism_id',
  'behaviour',
  'family',
  'pipeline',
  'technique',
  'architecture',
  'seed',
  'status',
  'step',
  'matched',
  'qer',
  'qer_se',
  'qer_base',
  'leakage',
  'leakage_base',
  'capability',
  'capability_base',
] as const;

export interface ProbeScore {
  score: number;
  ci_low: number;
  ci_high: number;
  floor: number;
  detected: boolean;
  /** the headline's metric name (e.g. relevant_mass, grade01) */
  metric: string;
  status: CellStatus;
  error: string;
  /** null organisms: the headline graded as each family alone */
  byFamily?: Record<string, { score: number; detected: boolean }>;
}

export interface MatrixRow {
  organism_id: string;
  behaviour: string;
  family: string;
  pipeline: string;
  technique: string;
  architecture: string;
  seed: number;
  status: CellStatus;
  step: number;
  matched: number;
  qer: number;
  qer_se: number;
  qer_base: number;
  leakage: number;
  leakage_base: number;
  capability: number;
  capability_base: number;
  /** key `<probe>@<diffing_base>` */
  scores: Record<string, ProbeScore>;
}

/** `<probe>@<diffing_base>`, the key of a probe's column group in matrix.csv. */
export function probeKey(probe: string, diffingBase: string): string {
  return `${probe}@${diffingBase}`;
}
