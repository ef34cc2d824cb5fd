// matrix.csv: the long rows folded to one row per organism, with each
// probe x diffing base's headline score, interval and detection, and the
// organism's hyperparameters.
import { MoltError } from '../errors';
import { canonicalJson } from '../store/content-hash';
import {
  CELL_METRIC,
  DETECTED_METRIC,
  FAMILY_DETECTED_METRIC,
  FAMILY_HEADLINE_METRIC,
  HEADLINE_FLOOR_METRIC,
  HEADLINE_METRIC,
  HPARAMS_METRIC,
  HPARAM_PREFIX,
  LEGACY_METRIC_NAMES,
  MATRIX_FIXED_COLUMNS,
  MATRIX_METRICS,
  probeKey,
  type MatrixMetric,
  type MatrixRow,
  type ProbeScore,
  type ResultRow,
} from './rows';
import { tableCsv } from './results-csv';

const MATRIX_METRIC_SET: ReadonlySet<string> = new Set(MATRIX_METRICS);

function matrixMetric(metric: string): MatrixMetric | undefined {
  return LEGACY_METRIC_NAMES[metric] ?? (MATRIX_METRIC_SET.has(metric) ? (metric as MatrixMetric) : undefined);
}

/** The `hparams` row's JSON object. */
function parseHparams(r: ResultRow): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(r.variant);
  } catch {
    v = undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new MoltError(`results.csv: the '${HPARAMS_METRIC}' row of ${r.behaviour} ${r.technique} ${r.architecture} seed ${r.seed} must hold a JSON object in 'variant', got '${r.variant}'`, HPARAMS_METRIC);
  return v as Record<string, unknown>;
}

/** Every hyperparameter name any organism recorded, sorted. */
export function hparamNames(rows: readonly { hparams: Record<string, unknown> }[]): string[] {
  return [...new Set(rows.flatMap((m) => Object.keys(m.hparams)))].sort();
}

/** A hyperparameter as a CSV field: numbers and strings as they are, absent empty, anything else (null, objects) as JSON. */
export function hparamField(v: unknown): string | number | boolean {
  if (v === undefined) return '';
  return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : canonicalJson(v);
}

/** The `hp_<name>` columns of `rows`: header names and, per row, the fields. */
export function hparamColumns(rows: readonly { hparams: Record<string, unknown> }[]): { header: string[]; fields: (m: { hparams: Record<string, unknown> }) => (string | number | boolean)[] } {
  const names = hparamNames(rows);
  return { header: names.map((n) => HPARAM_PREFIX + n), fields: (m) => names.map((n) => hparamField(m.hparams[n])) };
}

function emptyScore(status: ProbeScore['status'], error: string): ProbeScore {
  return { score: NaN, ci_low: NaN, ci_high: NaN, floor: NaN, detected: false, metric: '', status, error };
}

/** One MatrixRow per organism, in the order organisms first appear in `rows`. */
export function matrixRows(rows: readonly ResultRow[]): MatrixRow[] {
  const byOrganism = new Map<string, MatrixRow>();
  const keyOf = (r: ResultRow) => [r.architecture, r.behaviour, r.technique, r.seed].join('|');
  for (const r of rows) {
    const k = keyOf(r);
    let m = byOrganism.get(k);
    if (!m) {
      m = {
        organism_id: r.organism_id,
        behaviour: r.behaviour,
        family: r.family,
        pipeline: r.pipeline,
        technique: r.technique,
        architecture: r.architecture,
        seed: r.seed,
        status: 'ok',
        ...(Object.fromEntries(MATRIX_METRICS.map((x) => [x, NaN])) as Record<MatrixMetric, number>),
        // every row repeats the organism's test QER; runs older than the qer_se row have it only there
        qer: r.qer,
        qer_se: r.qer_se,
        hparams: {},
        scores: {},
      };
      byOrganism.set(k, m);
    }
    if (!m.organism_id && r.organism_id) m.organism_id = r.organism_id;
    if (r.probe === '') {
      const field = matrixMetric(r.metric);
      if (r.metric === CELL_METRIC) m.status = r.status;
      else if (r.metric === HPARAMS_METRIC) m.hparams = parseHparams(r);
      else if (field) m[field] = r.value;
      if (r.metric === 'qer' && Number.isNaN(m.qer_se)) m.qer_se = r.qer_se;
      continue;
    }
    const pk = probeKey(r.probe, r.diffing_base);
    const s = (m.scores[pk] ??= emptyScore('ok', ''));
    if (r.metric === CELL_METRIC) Object.assign(s, emptyScore(r.status, r.error));
    else if (r.metric === HEADLINE_METRIC) Object.assign(s, { score: r.value, ci_low: r.ci_low, ci_high: r.ci_high, metric: r.variant });
    else if (r.metric === HEADLINE_FLOOR_METRIC) s.floor = r.value;
    else if (r.metric === DETECTED_METRIC) s.detected = r.value === 1;
    else if (r.metric === FAMILY_HEADLINE_METRIC || r.metric === FAMILY_DETECTED_METRIC) {
      const f = ((s.byFamily ??= {})[r.variant] ??= { score: NaN, detected: false });
      if (r.metric === FAMILY_HEADLINE_METRIC) f.score = r.value;
      else f.detected = r.value === 1;
    }
  }
  return [...byOrganism.values()];
}

/** Every `<probe>@<diffing_base>` present, sorted. */
export function probeKeys(matrix: readonly MatrixRow[]): string[] {
  return [...new Set(matrix.flatMap((m) => Object.keys(m.scores)))].sort();
}

/**
 * matrix.csv. `detected` decides the `<key>_detected` column: the run's
 * null-calibrated detection (BenchStats.detected; empty for an organism the
 * statistics left out); without it, the probe's own detection (above its
 * cross-family floor).
 */
export function matrixCsv(matrix: readonly MatrixRow[], detected?: (m: MatrixRow, key: string) => boolean | undefined): string {
  const keys = probeKeys(matrix);
  const hp = hparamColumns(matrix);
  const header = [...MATRIX_FIXED_COLUMNS, ...keys.flatMap((k) => [k, `${k}_ci_low`, `${k}_ci_high`, `${k}_detected`]), ...hp.header];
  type Field = string | number | boolean;
  const body = matrix.map((m): Field[] => [
    ...MATRIX_FIXED_COLUMNS.map((c): Field => m[c]),
    ...keys.flatMap((k): Field[] => {
      const s = m.scores[k];
      if (!s) return ['', '', '', ''];
      if (s.status !== 'ok') return [s.status, '', '', ''];
      return [s.score, s.ci_low, s.ci_high, detected ? (detected(m, k) ?? '') : s.detected];
    }),
    ...hp.fields(m),
  ]);
  return tableCsv(header, body);
}
