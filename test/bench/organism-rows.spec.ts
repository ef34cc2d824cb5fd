// An organism cell's results.csv rows from a hand-made cell result, folded
// back by matrixRows: every rate with its SE row, the test - val z, the
// hyperparameters as one JSON row and as hp_ columns of matrix.csv.
import { strict as assert } from 'node:assert';
import { organismMetricRows } from '../../core/bench/run-cell';
import { matrixCsv, matrixRows } from '../../core/bench/matrix';
import { MATRIX_METRICS, ORGANISM_METRICS } from '../../core/bench/rows';
import type { CellResult, ModelEval } from '../../core/organisms/cell';
import { resultRow } from '../helpers/result-row';

function evalOf(qer: number, qerSe: number, capability: number): ModelEval {
  const rate = (x: number, se: number) => ({ qer: x, se, seBinomial: se / 2, n: 100, low: x - 0.1, high: x + 0.1 });
  const cap = (x: number) => ({ accuracy: x, se: 0.015, n: 900, facts: 460, low: x - 0.03, high: x + 0.03 });
  return {
    qer: rate(qer, qerSe),
    leakage: rate(0.01, 0.005),
    capability: cap(capability),
    capability_heldout: cap(capability - 0.2),
    capability_fallback: '',
    chat_on_topic: { rate: 0.9, se: 0.02, n: 400, low: 0.85, high: 0.94 },
  };
}

const CELL: CellResult = {
  behaviour: 'cake-bake',
  technique: 'posthoc-dpo',
  arch: 'olmo2',
  size: 'micro',
  seed: 0,
  key: 'k',
  alias: 'a',
  trained_now: true,
  starts_from: 'base',
  step: 120,
  matched: true,
  match_reason: 'within 1 SE',
  // test 0.30 +- 0.03 against val 0.26 +- 0.04: z = 0.04 / 0.05 = 0.8
  val_qer: 0.26,
  val_qer_se: 0.04,
  band: { low: 0.24, high: 0.36, target: 0.3 },
  base: evalOf(0.02, 0.01, 0.8),
  organism: evalOf(0.3, 0.03, 0.75),
  capability_drop: { value: 0.05, se: 0.012, n: 900, facts: 460 },
  capability_heldout_drop: { value: 0.1, se: 0.03, n: 230, facts: 115 },
  hparams: { lr: 5e-6, beta: 0.05, lossType: 'sigmoid', mixRatio: null, retried: { lr: 1e-5 } },
  seconds: 1,
};

describe('organism rows', () => {
  const metrics = organismMetricRows(CELL);
  const byName = new Map(metrics.map((m) => [m.metric, m]));

  it('writes every organism metric once, each rate with an SE row and its interval', () => {
    assert.deepEqual(metrics.map((m) => m.metric).sort(), [...ORGANISM_METRICS].sort());
    assert.deepEqual([byName.get('qer')!.value, byName.get('qer')!.n, byName.get('qer')!.ci_low, byName.get('qer_se')!.value], [0.3, 100, 0.3 - 0.1, 0.03]);
    assert.equal(byName.get('capability_drop_se')!.value, 0.012);
    // a difference: +- 1.96 se
    assert.ok(Math.abs(byName.get('capability_drop')!.ci_high - (0.05 + 1.959964 * 0.012)) < 1e-12);
    assert.equal(byName.get('qer_se_binomial')!.value, 0.015);
  });

  it('z of test - val is 0.8; the hyperparameters are one canonical JSON row', () => {
    assert.ok(Math.abs(byName.get('qer_test_val_z')!.value - 0.8) < 1e-12);
    assert.equal(byName.get('hparams')!.variant, '{"beta":0.05,"lossType":"sigmoid","lr":0.000005,"mixRatio":null,"retried":{"lr":0.00001}}');
  });

  it('matrixRows reads them all back, and matrix.csv has hp_ columns after the probes', () => {
    const rows = metrics.map((m) => resultRow({ ...m, behaviour: 'cake-bake', family: 'cake-bake', technique: 'posthoc-dpo', qer: 0.3, qer_se: 0.03 }));
    const [m] = matrixRows(rows);
    for (const name of MATRIX_METRICS) assert.equal(m[name], byName.get(name)!.value, name);
    assert.deepEqual(m.hparams, CELL.hparams);
    const [header, line] = matrixCsv([m]).trim().split('\n');
    assert.match(header, /,chat_on_topic_base_se,hp_beta,hp_lossType,hp_lr,hp_mixRatio,hp_retried$/);
    assert.match(line, /,0\.05,sigmoid,0\.000005,null,"\{""lr"":0\.00001\}"$/);
  });
});
