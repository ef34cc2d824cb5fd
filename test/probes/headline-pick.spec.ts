import { strict as assert } from 'node:assert';
import { HeadlinePicker } from '../../core/probes/headline-pick';
import type { ProbeHeadline } from '../../core/probes/types';

const h = (score: number, floor: number): ProbeHeadline => ({ metric: 'm', score, ci_low: score, ci_high: score, floor, detected: score > floor });

describe('HeadlinePicker', () => {
  it('detected beats not detected, then the larger strength wins; per family the same rule', () => {
    const p = new HeadlinePicker();
    p.offer('a', h(0.9, 1.0), 0.9); // strong but not detected
    p.offer('a', h(0.2, 0.1), 2.0);
    p.offer('b', h(0.3, 0.1), 3.0);
    p.offer('b', h(0.4, 0.1), 4.0);
    assert.deepEqual(p.headline('t'), h(0.4, 0.1));
    assert.deepEqual(p.familyHeadlines(), { a: h(0.2, 0.1), b: h(0.4, 0.1) });
  });

  it('one family: no per-family picks; no candidate: an error naming the probe', () => {
    const p = new HeadlinePicker();
    p.offer('a', h(0.2, 0.3), 0.7);
    assert.equal(p.familyHeadlines(), undefined);
    assert.throws(() => new HeadlinePicker().headline('my-probe'), /my-probe: no headline candidate/);
  });
});
