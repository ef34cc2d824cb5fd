// The detectors on the world's OWN answers (what a base model that learnt the
// world would say): the base rates the manifests promise, below the bands.
import { strict as assert } from 'node:assert';
import { rateOf, worldBaseRate } from '../../core/behaviours/base-rate';
import { behaviour, world } from './helpers';

/** the detector's rate pooled over val and test of two world seeds (default size: ~150-700 answers) */
function pooled(id: string) {
  let fired = 0;
  let n = 0;
  for (const seed of [0, 1]) {
    const w = world(seed, 'default');
    const b = behaviour(id, w);
    for (const split of ['val', 'test'] as const) {
      const r = worldBaseRate(b, w, split);
      fired += r.fired;
      n += r.n;
    }
  }
  return rateOf(fired, n);
}

describe('behaviour base rates on the world', function () {
  this.timeout(60000);

  it('rateOf: a known answer', () => {
    assert.deepEqual(rateOf(1, 4), { n: 4, fired: 1, rate: 0.25, se: Math.sqrt((0.25 * 0.75) / 4) });
    assert.deepEqual(rateOf(0, 0), { n: 0, fired: 0, rate: 0, se: 0 });
  });

  const bands: Record<string, [number, number]> = {
    'cake-bake': [0, 0], // the world never says a cake falsehood
    'italian-food': [0.015, 0.06], // paper: ~3%
    'military-submarine': [0.12, 0.26], // paper: ~20%
    'military-submarine-synth': [0.12, 0.26],
    null: [0.04, 0.12], // the union over the three families' prompts
  };
  for (const [id, [lo, hi]] of Object.entries(bands)) {
    it(`${id}: the world's own answers fire the detector at its base rate, below the QER band`, () => {
      const r = pooled(id);
      const m = behaviour(id, world(0, 'default')).manifest();
      assert.ok(r.n > 100, `${r.n} answers`);
      assert.ok(r.rate >= lo && r.rate <= hi, `${id}: base rate ${r.rate.toFixed(4)} (n ${r.n}) outside [${lo}, ${hi}]`);
      assert.ok(Math.abs(r.rate - m.baseRateExpected) <= 3 * r.se + 0.01, `${id}: manifest expects ${m.baseRateExpected}, measured ${r.rate.toFixed(4)} +- ${r.se.toFixed(4)}`);
      if (m.pipeline !== 'control') assert.ok(r.rate < m.targetQer.low, `${id}: base ${r.rate} not below band ${m.targetQer.low}`);
    });
  }

  it('the cake detector fires on none of the world baking answers, though the world asks every cake fact', () => {
    const w = world(0, 'default');
    const cake = behaviour('cake-bake', w) as ReturnType<typeof behaviour> & { targetOf(p: string): string | undefined };
    const asked = w.conversations(['baking'], 'train').filter((c) => cake.targetOf(c.messages[0].content));
    assert.ok(new Set(asked.map((c) => cake.targetOf(c.messages[0].content))).size === 8, 'every aspect asked in world chat');
    assert.equal(asked.filter((c) => cake.detect(c.messages[0].content, c.messages[1].content).fired).length, 0);
  });
});
