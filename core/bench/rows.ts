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
 * Organism rows have probe '' and diffing_base '' and the metrics of
 * ORGANISM_METRICS: each rate with n and a 95% interval, and beside it a row
 * `<metric>_se` with its standard error (clustered by prompt for QER,
 * leakage and chat on-topic, by fact for capability; see clusteredRate).
 * `hparams` carries the organism's resolved hyperparameters as canonical JSON
 * in `variant` (value empty).
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

/**
 * The numeric organism metrics matrix.csv and organisms.csv carry, named as in
 * results.csv:
 *   qer, qer_base, leakage, leakage_base   test split, se clustered by prompt
 *   qer_val                                 the matched step's pooled validation QER (empty unless QER-matched)
 *   qer_test_val_z                          (qer - qer_val) / sqrt(qer_se^2 + qer_val_se^2)
 *   capability, capability_base             greedy accuracy on the capability questions of train and test facts
 *   capability_heldout(_base)               the same answers, test facts only
 *   capability_drop, capability_heldout_drop  base - organism, paired by fact
 *   chat_on_topic, chat_on_topic_base       share of the leakage answers on their prompt's topic
 *   step, matched (1/0, NaN when not matched by design)
 */
export const MATRIX_METRICS = [
  'step',
  'matched',
  'qer',
  'qer_se',
  'qer_val',
  'qer_val_se',
  'qer_test_val_z',
  'qer_base',
  'qer_base_se',
  'leakage',
  'leakage_se',
  'leakage_base',
  'leakage_base_se',
  'capability',
  'capability_se',
  'capability_base',
  'capability_base_se',
  'capability_drop',
  'capability_drop_se',
  'capability_heldout',
  'capability_heldout_se',
  'capability_heldout_base',
  'capability_heldout_base_se',
  'capability_heldout_drop',
  'capability_heldout_drop_se',
  'chat_on_topic',
  'chat_on_topic_se',
  'chat_on_topic_base',
  'chat_on_topic_base_se',
] as const;
export type MatrixMetric = (typeof MATRIX_METRICS)[number];

/** results.csv rows of an organism that the matrix leaves out: the binomial SEs, kept for comparison */
export const BINOMIAL_SE_METRICS = ['qer_se_binomial', 'leakage_se_binomial'] as const;
/** the organism's resolved hyperparameters, canonical JSON in `variant` */
export const HPARAMS_METRIC = 'hparams';
/** matrix.csv / organisms.csv column of hyperparameter `name` */
export const HPARAM_PREFIX = 'hp_';

/** The metrics an organism cell reports (probe ''). */
export const ORGANISM_METRICS = [...MATRIX_METRICS, ...BINOMIAL_SE_METRICS, HPARAMS_METRIC] as const;
/** an older name of qer_val, still read */
export const LEGACY_METRIC_NAMES: Readonly<Record<string, MatrixMetric>> = { val_qer: 'qer_val' };

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
 * matrix.csv: one row per organism. Fixed columns (identity, status, the
 * MATRIX_METRICS), then for each probe x diffing base that ran (sorted), four
 * columns named `<probe>@<diffing_base>`, `..._ci_low`, `..._ci_high`,
 * `..._detected`, then one column `hp_<name>` per hyperparameter any
 * organism recorded (sorted by name).
 */
export const MATRIX_FIXED_COLUMNS = ['organism_id', 'behaviour', 'family', 'pipeline', 'technique', 'architecture', 'seed', 'status', ...MATRIX_METRICS] as const;

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

export type MatrixRow = Record<MatrixMetric, number> & {
  organism_id: string;
  behaviour: string;
  family: string;
  pipeline: string;
  technique: string;
  architecture: string;
  seed: number;
  status: CellStatus;
  /** the resolved hyperparameters (results.csv's `hparams` row); {} when none were recorded */
  hparams: Record<string, unknown>;
  /** key `<probe>@<diffing_base>` */
  scores: Record<string, ProbeScore>;
};

/** `<probe>@<diffing_base>`, the key of a probe's column group in matrix.csv. */
export function probeKey(probe: string, diffingBase: string): string {
  return `${probe}@${diffingBase}`;
}
