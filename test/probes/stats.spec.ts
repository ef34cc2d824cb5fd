import { strict as assert } from 'node:assert';
import { auroc, bootstrapMean, countWords, dirichletPrior, documentFrequency, logOddsDirichlet, quantileSorted, upperBound95, wilson } from '../../core/probes/stats';

const close = (a: number, b: number, eps = 1e-6) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

describe('probe stats', () => {
  it('quantiles interpolate between order statistics (type 7)', () => {
    close(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
    close(quantileSorted([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95), 9.5);
    close(quantileSorted([7], 0.3), 7);
  });

  it('bootstrap of a constant sample has a zero-width interval', () => {
    const r = bootstrapMean([2, 2, 2, 2], { seed: 1 });
    assert.deepEqual([r.value, r.low, r.high, r.n], [2, 2, 2, 4]);
    assert.equal(upperBound95([3, 3, 3], { seed: 1 }), 3);
  });

  it('bootstrap of {0, 1}: resample means are 0, 0.5, 1 (1/4, 1/2, 1/4), so the 95% interval is [0, 1] and the one-sided bound 1', () => {
    const r = bootstrapMean([0, 1], { seed: 'x', resamples: 4000 });
    assert.deepEqual([r.value, r.low, r.high], [0.5, 0, 1]);
    assert.equal(upperBound95([0, 1], { seed: 'x', resamples: 4000 }), 1);
  });

  it('bootstrap is seeded: same seed same interval, the mean lies inside, a wider spread gives a wider interval', () => {
    const xs = [0.1, 0.5, 0.2, 0.9, 0.3, 0.4, 0.8, 0.05, 0.6, 0.7];
    const a = bootstrapMean(xs, { seed: 3 });
    assert.deepEqual(bootstrapMean(xs, { seed: 3 }), a);
    assert.ok(a.low < a.value && a.value < a.high);
    const b = bootstrapMean(xs.map((x) => x * 3), { seed: 3 });
    close(b.high - b.low, 3 * (a.high - a.low), 1e-9);
    assert.ok(upperBound95(xs, { seed: 3 }) < a.high + 1e-12 && upperBound95(xs, { seed: 3 }) > a.value);
  });

  it('AUROC on a hand-made ranking with a tie is 7.5/9', () => {
    // pairs won: 0.9 beats 3, 0.8 beats 3, 0.4 beats 0.1 and ties 0.4 -> 7.5 of 9
    close(auroc([0.9, 0.8, 0.4], [0.7, 0.4, 0.1]), 7.5 / 9);
    assert.equal(auroc([3, 4], [1, 2]), 1);
    assert.equal(auroc([1, 2], [3, 4]), 0);
    assert.equal(auroc([1, 1], [1, 1, 1]), 0.5);
    assert.ok(Number.isNaN(auroc([], [1])));
  });

  it('log-odds with an informative Dirichlet prior matches a hand computation', () => {
    // A: x x x y   B: x y y y   prior a_x = a_y = 1 (a0 = 2), nA = nB = 4
    // delta_x = ln((3+1)/(4+2-3-1)) - ln((1+1)/(4+2-1-1)) = ln 2 - ln 0.5 = 2 ln 2
    // var_x = 1/(3+1) + 1/(1+1) = 0.75, z_x = 2 ln 2 / sqrt(0.75)
    const A = countWords([['x', 'x'], ['x', 'y']]);
    const B = countWords([['x', 'y', 'y', 'y']]);
    const rows = logOddsDirichlet(A, B, new Map([['x', 1], ['y', 1]]));
    assert.deepEqual(rows.map((r) => r.word), ['x', 'y']);
    close(rows[0].delta, 2 * Math.log(2));
    close(rows[0].variance, 0.75);
    close(rows[0].z, (2 * Math.log(2)) / Math.sqrt(0.75));
    close(rows[1].z, -rows[0].z);
    assert.deepEqual([rows[0].countA, rows[0].countB], [3, 1]);
  });

  it('documentFrequency counts a word once per document it occurs in', () => {
    const df = documentFrequency([['x', 'x', 'y'], ['x'], ['z', 'z'], []]);
    assert.deepEqual([...df].sort(), [['x', 2], ['y', 1], ['z', 1]]);
    assert.equal(documentFrequency([]).size, 0);
  });

  it('the prior scales background frequencies to alpha0', () => {
    const p = dirichletPrior(new Map([['x', 3], ['y', 1]]), 8);
    assert.deepEqual([...p.entries()], [['x', 6], ['y', 2]]);
    assert.throws(() => dirichletPrior(new Map(), 1), /background corpus is empty/);
  });

  it('Wilson interval is the competence check one (5/10 -> 0.2366..0.7634)', () => {
    const r = wilson(5, 10);
    close(r.low, 0.236593, 1e-5);
    close(r.high, 0.763407, 1e-5);
    close(wilson(0, 10).high, 0.277533, 1e-5);
  });
});
