import { strict as assert } from 'node:assert';
import { HeadlinePicker } from '../../core/probes/headline-pick';
import type { ProbeHeadline } from '../../core/probes/types';

const score = (value: number) => ({ value, low: value - 0.05, high: value + 0.05 });
const h = (metric: string, value: number, floor: number, layer: number): ProbeHeadline => ({ metric, score: value, ci_low: value - 0.05, ci_high: value + 0.05, floor, detected: value > floor, layer });

describe('HeadlinePicker', () => {
  it('detected beats not detected, then the larger strength wins; per family the same rule; names carry the family', () => {
    const p = new HeadlinePicker('m', true);
    p.offer('a', score(0.9), 1.0, 1, 0.9); // strong but not detected
    p.offer('a', score(0.2), 0.1, 2, 2.0);
    p.offer('b', score(0.3), 0.1, 1, 3.0);
    p.offer('b', score(0.4), 0.1, 2, 4.0);
    assert.deepEqual(p.headline('t'), h('m[b]', 0.4, 0.1, 2));
    assert.deepEqual(p.familyHeadlines(), { a: h('m[a]', 0.2, 0.1, 2), b: h('m[b]', 0.4, 0.1, 2) });
  });

  it('one family: a plain name and no per-family picks; a score equal to its floor is not detected; no candidate: an error naming the probe', () => {
    const p = new HeadlinePicker('m', false);
    p.offer('a', score(0.3), 0.3, undefined, 1);
    assert.deepEqual(p.headline('t'), { ...h('m', 0.3, 0.3, 0), layer: undefined });
    assert.equal(p.headline('t').detected, false);
    assert.equal(p.familyHeadlines(), undefined);
    assert.throws(() => new HeadlinePicker('m', false).headline('my-probe'), /my-probe: no headline candidate/);
  });
});
