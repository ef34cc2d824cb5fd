// Rates clustered by prompt (or by fact): the CR1 standard error of a ratio
// estimator, the paired difference, the design-effect interval and the z of
// a difference, each against numbers worked out by hand.
import { strict as assert } from 'node:assert';
import { clusteredInterval, clusteredRate, differenceZ, pairedDifference, worldBaseRate } from '../../core/behaviours/base-rate';
import { worldAnswers } from '../../core/behaviours/prompts';
import { behaviour, world } from './helpers';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);
const c = (n: number, fired: number) => ({ n, fired });

describe('clustered rates', () => {
  it('three prompts of 4 samples firing 0, 2, 4 times: p 0.5, se sqrt(1.5 * 8) / 12 = 0.288675, twice the binomial 0.144338', () => {
    // residuals fired - p n: -2, 0, 2; sum of squares 8; G/(G-1) = 1.5
    const r = clusteredRate([c(4, 0), c(4, 2), c(4, 4)]);
    assert.deepEqual([r.n, r.fired, r.rate, r.clusters], [12, 6, 0.5, 3]);
    close(r.se, 0.28867513459481287);
    close(r.seBinomial, Math.sqrt(0.25 / 12));
  });

  it('unequal cluster sizes 2, 3, 5 firing 1, 0, 4: p 0.5, residuals 0, -1.5, 1.5, se sqrt(1.5 * 4.5) / 10 = 0.259808', () => {
    const r = clusteredRate([c(2, 1), c(3, 0), c(5, 4)]);
    assert.equal(r.rate, 0.5);
    close(r.se, 0.2598076211353316);
  });

  it('prompts that behave alike give a smaller se than the binomial one (equal rates: 0)', () => {
    const same = clusteredRate([c(4, 1), c(4, 1), c(4, 1)]);
    assert.equal(same.rate, 0.25);
    assert.equal(same.se, 0);
    close(same.seBinomial, 0.125);
    // 1, 2, 1, 2 of 4: p 0.375, residuals +-0.5, se sqrt(4/3) / 16 = 0.072169 < binomial 0.121031
    const near = clusteredRate([c(4, 1), c(4, 2), c(4, 1), c(4, 2)]);
    close(near.se, 0.07216878364870322);
    close(near.seBinomial, Math.sqrt((0.375 * 0.625) / 16));
    assert.ok(near.se < near.seBinomial);
  });

  it('edge cases: one cluster has no se (NaN), no draws give rate 0 and se 0, empty clusters do not count', () => {
    const one = clusteredRate([c(10, 3)]);
    assert.equal(one.rate, 0.3);
    assert.ok(Number.isNaN(one.se));
    close(one.seBinomial, Math.sqrt(0.021));
    assert.deepEqual(clusteredRate([]), { n: 0, fired: 0, rate: 0, se: 0, seBinomial: 0, clusters: 0 });
    // (0, 0) is dropped: G = 2, p 0.4, residuals -1, 1, se sqrt(2 * 2) / 10 = 0.2
    const r = clusteredRate([c(0, 0), c(5, 1), c(5, 3)]);
    assert.equal(r.clusters, 2);
    close(r.se, 0.2);
  });

  it('paired difference on the same clusters: drop 0.375, se 0.239357 = the se of the mean of per-fact differences', () => {
    // 4 facts x 2 questions; base correct 2, 1, 2, 0; organism 1, 1, 0, 0 -> 5/8 - 2/8
    const base = [c(2, 2), c(2, 1), c(2, 2), c(2, 0)];
    const org = [c(2, 1), c(2, 1), c(2, 0), c(2, 0)];
    const d = pairedDifference(base, org);
    assert.equal(d.rate, 0.375);
    close(d.se, 0.23935677693908453);
    // per-fact differences 0.5, 0, 1, 0: sd^2 = 0.6875 / 3, se = sqrt(sd^2 / 4)
    close(d.se, Math.sqrt(0.6875 / 3 / 4));
    assert.throws(() => pairedDifference(base, org.slice(1)), /same clusters/);
  });

  it('interval: Wilson at the effective n = n / deff; deff 4 in the first example -> Wilson(1.5 of 3); deff floored at 1', () => {
    const wide = clusteredInterval(clusteredRate([c(4, 0), c(4, 2), c(4, 4)]));
    assert.equal(wide.n, 12);
    close(wide.low, 0.12533447061434927, 1e-6);
    close(wide.high, 0.8746655293856507, 1e-6);
    // se 0 < binomial: the binomial Wilson interval of 3 of 12
    const alike = clusteredInterval(clusteredRate([c(4, 1), c(4, 1), c(4, 1)]));
    close(alike.low, 0.08894166769488562, 1e-6);
    close(alike.high, 0.5323053370816633, 1e-6);
    assert.ok(Number.isNaN(clusteredInterval(clusteredRate([c(10, 3)])).low));
  });

  it('differenceZ: (0.30 - 0.26) / sqrt(0.03^2 + 0.04^2) = 0.8; equal values 0; no noise +-Infinity; unknown NaN', () => {
    close(differenceZ(0.3, 0.03, 0.26, 0.04), 0.8);
    assert.equal(differenceZ(0.2, 0, 0.2, 0), 0);
    assert.equal(differenceZ(0.3, 0, 0.2, 0), Infinity);
    assert.ok(Number.isNaN(differenceZ(0.3, NaN, 0.2, 0.01)));
    assert.ok(Number.isNaN(differenceZ(NaN, 0.01, 0.2, 0.01)));
  });

  it("worldBaseRate clusters the world's answers by prompt: one cluster per distinct prompt, counts adding up", () => {
    const w = world(0, 'default');
    const b = behaviour('military-submarine', w);
    const answers = worldAnswers(w, b.manifest().topics, 'test');
    const r = worldBaseRate(b, w, 'test');
    const prompts = new Set(answers.map((a) => a.prompt));
    assert.equal(r.n, answers.length);
    assert.equal(r.fired, answers.filter((a) => b.detect(a.prompt, a.answer).fired).length);
    assert.equal(r.clusters, prompts.size);
    assert.ok(prompts.size < answers.length, 'the world asks some prompts more than once');
    assert.ok(r.fired > 0 && Number.isFinite(r.se) && r.se > 0);
  });
});
