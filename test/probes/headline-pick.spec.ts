import { strict as assert } from 'node:assert';
import { HeadlinePicker } from '../../core/probes/headline-pick';
import type { ProbeHeadline } from '../../core/probes/types';

const score = (value: number) => ({ value, low: value - 0.05, high: value + 0.05 });
const h = (metric: string, value: number, floor: number, layer: number): ProbeHeadline => ({ metric, score: value, ci_low: value - 0.05, ci_high: value + 0.05, floor, detected: value > floor, layer });

describe('HeadlinePicker', () => {
  it("a null organism: each family's one headline is kept; the overall one is the detected family before the undetected, then the stronger; names carry the family", () => {
    const p = new HeadlinePicker('m', true);
    p.offer('t', 'a', score(0.9), 1.0, 2, 9); // strongest, not detected
    p.offer('t', 'b', score(0.3), 0.1, 2, 3);
    p.offer('t', 'c', score(0.4), 0.1, 2, 4);
    assert.deepEqual(p.headline('t'), h('m[c]', 0.4, 0.1, 2));
    assert.deepEqual(p.familyHeadlines(), { a: h('m[a]', 0.9, 1.0, 2), b: h('m[b]', 0.3, 0.1, 2), c: h('m[c]', 0.4, 0.1, 2) });
  });

  it('no best-of-k: a second headline for a family (another layer) is an error naming the probe, whichever is larger', () => {
    const p = new HeadlinePicker('m', false);
    p.offer('my-probe', 'a', score(0.2), 0.1, 1, 2);
    assert.throws(() => p.offer('my-probe', 'a', score(0.9), 0.1, 3, 9), /my-probe: two headline scores for family 'a' \(m at layer 1 and at layer 3\)/);
    assert.deepEqual(p.headline('my-probe'), h('m', 0.2, 0.1, 1), 'the first (the named one) stays');
  });

  it('one family: a plain name and no per-family headlines; a score equal to its floor is not detected; none: an error naming the probe', () => {
    const p = new HeadlinePicker('m', false);
    p.offer('t', 'a', score(0.3), 0.3, undefined, 1);
    assert.deepEqual(p.headline('t'), { ...h('m', 0.3, 0.3, 0), layer: undefined });
    assert.equal(p.headline('t').detected, false);
    assert.equal(p.familyHeadlines(), undefined);
    assert.throws(() => new HeadlinePicker('m', false).headline('my-probe'), /my-probe: no headline candidate/);
  });
});
