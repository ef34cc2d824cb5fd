// A probe result as results.csv rows, folded back by matrixRows: the
// headline, its floor and detection, and a null organism's per-family picks.
import { strict as assert } from 'node:assert';
import { probeMetricRows } from '../../core/bench/run-cell';
import { matrixRows } from '../../core/bench/matrix';
import { resultRow } from '../helpers/result-row';
import type { ProbeResult } from '../../core/probes/types';

describe('probe rows', () => {
  it("a null organism's per-family headlines become family_headline / family_detected rows and the matrix keeps them", () => {
    const result: ProbeResult = {
      probe: 'p',
      organism: 'o',
      diffingBase: 'b',
      diffingBaseKind: 'ancestor',
      family: 'null',
      settings: {},
      findings: [],
      metrics: [{ metric: 'mass', value: 0.5, n: 3, ci_low: 0.4, ci_high: 0.6, layer: 2, variant: 'diff:x' }],
      headline: { metric: 'mass[x]', score: 0.5, ci_low: 0.4, ci_high: 0.6, floor: 0.3, detected: true, layer: 2 },
      familyHeadlines: {
        x: { metric: 'mass[x]', score: 0.5, ci_low: 0.4, ci_high: 0.6, floor: 0.3, detected: true, layer: 2 },
        y: { metric: 'mass[y]', score: 0.1, ci_low: 0, ci_high: 0.2, floor: 0.3, detected: false, layer: 1 },
      },
      timings: {},
      notes: [],
    };
    const metrics = probeMetricRows(result, 'p', 'ancestor');
    assert.deepEqual(
      metrics.map((m) => [m.metric, m.variant, m.value]),
      [
        ['mass', 'diff:x', 0.5],
        ['headline', 'mass[x]', 0.5],
        ['headline_floor', 'mass[x]', 0.3],
        ['detected', 'mass[x]', 1],
        ['family_headline', 'x', 0.5],
        ['family_detected', 'x', 1],
        ['family_headline', 'y', 0.1],
        ['family_detected', 'y', 0],
      ],
    );
    const rows = metrics.map((m) => resultRow({ organism_id: 'o', behaviour: 'null', family: 'null', pipeline: 'control', technique: 't', architecture: 'a', qer: 0, qer_se: 0, ...m }));
    const [m] = matrixRows(rows);
    assert.deepEqual(m.scores['p@ancestor'].byFamily, { x: { score: 0.5, detected: true }, y: { score: 0.1, detected: false } });
    assert.equal(m.scores['p@ancestor'].detected, true);
  });
});
