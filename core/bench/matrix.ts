// matrix.csv: the long rows folded to one row per organism, with each
// probe x diffing base's headline score, interval and detection.
import {
  CELL_METRIC,
  DETECTED_METRIC,
  FAMILY_DETECTED_METRIC,
  FAMILY_HEADLINE_METRIC,
  HEADLINE_FLOOR_METRIC,
  HEADLINE_METRIC,
  MATRIX_FIXED_COLUMNS,
  probeKey,
  type MatrixRow,
  type ProbeScore,
  type ResultRow,
} from './rows';
import { tableCsv } from './results-csv';

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
        step: NaN,
        matched: NaN,
        qer: r.qer,
        qer_se: r.qer_se,
        qer_base: NaN,
        leakage: NaN,
        leakage_base: NaN,
        capability: NaN,
        capability_base: NaN,
        scores: {},
      };
      byOrganism.set(k, m);
    }
    if (!m.organism_id && r.organism_id) m.organism_id = r.organism_id;
    if (r.probe === '') {
      if (r.metric === CELL_METRIC) m.status = r.status;
      else if (r.metric === 'qer') [m.qer, m.qer_se] = [r.value, r.qer_se];
      else if (r.metric === 'qer_base') m.qer_base = r.value;
      else if (r.metric === 'leakage') m.leakage = r.value;
      else if (r.metric === 'leakage_base') m.leakage_base = r.value;
      else if (r.metric === 'capability') m.capability = r.value;
      else if (r.metric === 'capability_base') m.capability_base = r.value;
      else if (r.metric === 'step') m.step = r.value;
      else if (r.metric === 'matched') m.matched = r.value;
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

export function matrixCsv(matrix: readonly MatrixRow[]): string {
  const keys = probeKeys(matrix);
  const header = [...MATRIX_FIXED_COLUMNS, ...keys.flatMap((k) => [k, `${k}_ci_low`, `${k}_ci_high`, `${k}_detected`])];
  type Field = string | number | boolean;
  const body = matrix.map((m): Field[] => [
    ...MATRIX_FIXED_COLUMNS.map((c): Field => m[c]),
    ...keys.flatMap((k): Field[] => {
      const s = m.scores[k];
      if (!s) return ['', '', '', ''];
      if (s.status !== 'ok') return [s.status, '', '', ''];
      return [s.score, s.ci_low, s.ci_high, s.detected];
    }),
  ]);
  return tableCsv(header, body);
}
