// A results.csv row for tests: every column present, numbers NaN and text
// empty unless the test says otherwise; an unknown column is refused, so a
// typo in a fixture cannot pass silently.
import { RESULT_COLUMNS, type ResultRow } from '../../core/bench/rows';

const EMPTY: ResultRow = {
  run_id: 'r',
  organism_id: '',
  behaviour: '',
  family: '',
  pipeline: 'synthetic',
  technique: '',
  architecture: 'olmo2',
  seed: 0,
  diffing_base: '',
  probe: '',
  layer: NaN,
  variant: '',
  metric: '',
  value: NaN,
  n: NaN,
  ci_low: NaN,
  ci_high: NaN,
  qer: NaN,
  qer_se: NaN,
  cost_s: NaN,
  config_hash: 'h',
  molt_version: '0.1.0',
  created_at: '',
  status: 'ok',
  error: '',
};

export function resultRow(over: Partial<ResultRow>): ResultRow {
  const r = { ...EMPTY, ...over };
  if (Object.keys(r).length !== RESULT_COLUMNS.length) throw new Error(`fixture row has unknown columns: ${Object.keys(over).filter((k) => !(RESULT_COLUMNS as readonly string[]).includes(k)).join(', ')}`);
  return r;
}
