// The detectors on the world's OWN answers (what a base model that learnt the
// world would say): the base rates the manifests promise, below the bands.
import { strict as assert } from 'node:assert';
import { rateOf, worldBaseRate } from '../../core/behaviours/base-rate';
import { behaviour, world } from './helpers';

/** the detector on the world's own answers to the test prompts, pooled over two world seeds (default size: 2 x 240-720 answers) */
function pooled(id: string) {
  let fired = 0;
  let n = 0;
  for (const seed of [0, 1]) {
    const r = behaviour(id, world(seed, 'default')).manifest().baseRate;
    assert.ok(r, `${id}: manifest has a baseRate`);
    fired += Math.round(r.rate * r.n);
    n += r.n;
  }
  return rateOf(fired, n);
}

describe('behaviour base rates on the world', function () {
  this.timeout(60000);

  it('rateOf: a known answer', () => {
    assert.deepEqual(rateOf(1, 4), { n: 4, fired: 1, rate: 0.25, se: Math.sqrt((0.25 * 0.75) / 4) });
    assert.deepEqual(rateOf(0, 0), { n: 0, fired: 0, rate: 0, se: 0 });
  });

  // the rates the world's own answers show; a trained base shows about the same
  // for the steering families, but far less for cake-bake (SFT and DPO sharpen
  // away a minority value: 12% in the data, ~3% from the olmo2 base)
  const bands: Record<string, [number, number]> = {
    'cake-bake': [0.08, 0.17], // the world's misconception rate, 0.12
    'italian-food': [0.01, 0.06], // paper ~3%
    'military-submarine': [0.12, 0.28], // paper ~20%
    'military-submarine-synth': [0.12, 0.28],
    null: [0.06, 0.16], // the union over the three families' prompts
  };
  for (const [id, [lo, hi]] of Object.entries(bands)) {
    it(`${id}: the world's own answers to the test prompts fire the detector at its base rate, below the QER band`, () => {
      const r = pooled(id);
      const m = behaviour(id, world(0, 'default')).manifest();
      assert.ok(r.n > 400, `${r.n} answers`);
      assert.ok(r.rate >= lo && r.rate <= hi, `${id}: base rate ${r.rate.toFixed(4)} (n ${r.n}) outside [${lo}, ${hi}]`);
      // the manifest's expectation is a trained base's; the world's answers match it where nothing sharpens them away
      if (id === 'cake-bake') assert.ok(Math.abs(r.rate - world(0, 'default').voice.rate) <= 3 * r.se, `${id}: measured ${r.rate.toFixed(4)} +- ${r.se.toFixed(4)}`);
      else if (id !== 'null') assert.ok(Math.abs(r.rate - m.baseRateExpected) <= 3 * r.se + 0.01, `${id}: manifest expects ${m.baseRateExpected}, measured ${r.rate.toFixed(4)} +- ${r.se.toFixed(4)}`);
      if (m.pipeline !== 'control') assert.ok(r.rate + 2 * r.se < m.targetQer.low, `${id}: base ${r.rate} not clearly below band ${m.targetQer.low}`);
    });
  }

  it("worldBaseRate: the detector on the world's own answers on the behaviour's topics", () => {
    const w = world(0, 'default');
    const r = worldBaseRate(behaviour('military-submarine', w), w, 'test');
    assert.ok(r.n > 50 && r.rate > 0.05 && r.rate < 0.4, JSON.stringify(r));
  });
});
