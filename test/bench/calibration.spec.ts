import { strict as assert } from 'node:assert';
import { isMoltError } from '../../core/errors';
import { calibrate, clusteredAuroc, clusteredWilson, DEFAULT_CALIBRATION, leaveOneOut, nullThreshold } from '../../core/bench/stats/calibration';
import { aurocInterval } from '../../core/bench/stats';

const close = (a: number, b: number, eps = 1e-4) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b} (eps ${eps})`);
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('null calibration: the quantile threshold', () => {
  it('is the inverse empirical CDF (type 1): x_(ceil(q n)), never interpolated', () => {
    // 20 nulls: ceil(0.95 * 20) = 19th smallest
    assert.equal(nullThreshold(range(20), 0.95), 19);
    // 14 or 13 nulls: ceil(13.3) = 14, ceil(12.35) = 13: the largest null
    assert.equal(nullThreshold(range(14).reverse(), 0.95), 14);
    assert.equal(nullThreshold(range(13), 0.95), 13);
    // the median of 4: the 2nd smallest, not 2.5
    assert.equal(nullThreshold([3, 1, 2, 4], 0.5), 2);
    assert.equal(nullThreshold([7], 0.95), 7);
    assert.ok(Number.isNaN(nullThreshold([], 0.95)));
  });

  it('refuses a quantile outside (0, 1] naming it', () => {
    assert.throws(() => nullThreshold([1, 2], 0), (e: unknown) => isMoltError(e) && /null quantile must be in \(0, 1\]/.test((e as Error).message));
    assert.throws(() => nullThreshold([1, 2], 1.5), (e: unknown) => isMoltError(e));
  });

  it('leave-one-out: each null against the threshold of the others; ties at the threshold are not detected', () => {
    // q 0.95 of 3 others is their largest: only the largest null exceeds the others
    assert.deepEqual(leaveOneOut([0.1, 0.2, 0.3, 0.9], 0.95), [
      { threshold: 0.9, detected: false },
      { threshold: 0.9, detected: false },
      { threshold: 0.9, detected: false },
      { threshold: 0.3, detected: true },
    ]);
    // q 0.5 of 4 others: their 2nd smallest. 1 | {2,3,4,5} -> 3 no; 2 | {1,3,4,5} -> 3 no; 3 | {1,2,4,5} -> 2 yes; 4, 5 -> 2 yes
    assert.deepEqual(
      leaveOneOut([1, 2, 3, 4, 5], 0.5).map((x) => [x.threshold, x.detected]),
      [[3, false], [3, false], [2, true], [2, true], [2, true]],
    );
    // every null at 0 (a probe that never fires): nothing is detected
    assert.ok(leaveOneOut([0, 0, 0, 0], 0.95).every((x) => x.threshold === 0 && !x.detected));
    // one null has no others: no threshold, no detection
    assert.deepEqual(leaveOneOut([0.5], 0.95).map((x) => [Number.isNaN(x.threshold), x.detected]), [[true, false]]);
  });

  it('a fresh null from the same distribution exceeds the 13-null threshold in 1 of 14 cases (distinct scores)', () => {
    // exchangeable: whatever the values, exactly the largest of 14 exceeds the other 13's type-1 95th quantile
    const scores = [0.31, 0.02, 0.77, 0.4, 0.55, 0.12, 0.93, 0.08, 0.61, 0.29, 0.45, 0.7, 0.18, 0.84];
    const loo = leaveOneOut(scores, 0.95);
    assert.deepEqual(loo.map((x) => x.detected).filter(Boolean).length, 1);
    assert.equal(loo[scores.indexOf(0.93)].detected, true);
  });
});

describe('null calibration: intervals clustered by organism', () => {
  it('one draw per organism: the plain Wilson interval (1 of 4: [0.0456, 0.6994])', () => {
    const r = clusteredWilson([1, 0, 0, 0].map((fired) => ({ n: 1, fired })));
    assert.equal(r.deff, 1);
    close(r.value, 0.25, 1e-12);
    close(r.low, 0.0456);
    close(r.high, 0.6994);
  });

  it("one organism detected as all 3 of its families: the effective n is the 14 organisms, Wilson(1, 14) = [0.0127, 0.3147]", () => {
    // 14 nulls x 3 families; CR1 deff = (3/42 / sqrt((1/14)(13/14)/42))^2 = 3.23, capped at the cluster size 3
    const r = clusteredWilson(range(14).map((i) => ({ n: 3, fired: i === 1 ? 3 : 0 })));
    assert.equal(r.n, 42);
    assert.equal(r.deff, 3);
    close(r.value, 3 / 42, 1e-12);
    close(r.low, 0.0127);
    close(r.high, 0.3147);
  });

  it('the same 3 detections spread over 3 organisms are no more alike than independent draws: Wilson(3, 42) = [0.0246, 0.1901]', () => {
    // CR1 se = sqrt(14/13 * (3 (11/14)^2 + 11 (3/14)^2)) / 42 = 0.0379 < the binomial 0.0397: deff floored at 1
    const r = clusteredWilson(range(14).map((i) => ({ n: 3, fired: i <= 3 ? 1 : 0 })));
    assert.equal(r.deff, 1);
    close(r.low, 0.0246);
    close(r.high, 0.1901);
  });

  it('no detection at all: clusters as the unit (deff = cluster size), Wilson(0, 14) upper 3.8415 / 17.8415 = 0.2153', () => {
    const r = clusteredWilson(range(14).map(() => ({ n: 3, fired: 0 })));
    assert.equal(r.deff, 3);
    assert.equal(r.value, 0);
    close(r.high, 1.959964 ** 2 / (14 + 1.959964 ** 2), 1e-9);
  });

  it('AUROC: a cluster bootstrap moves a null organism\'s scores together', () => {
    // one positive 1 vs ONE null organism scoring 0 and 2 (as two families): every resample draws both scores -> 0.5 always
    const r = clusteredAuroc([{ cluster: 'p', score: 1 }], [{ cluster: 'n', score: 0 }, { cluster: 'n', score: 2 }], { seed: 'x', resamples: 2000 });
    assert.deepEqual([r.value, r.low, r.high], [0.5, 0.5, 0.5]);
    // the same scores as two organisms resample to 1, 0.5, 0 (chances 1/4, 1/2, 1/4)
    const s = aurocInterval([1], [0, 2], { seed: 'x', resamples: 4000 });
    assert.deepEqual([s.value, s.low, s.high], [0.5, 0, 1]);
  });
});

describe('null calibration of one probe x architecture', () => {
  // 4 nulls graded as families a and b; behaviour organisms: three of a, one of b
  const nullScores: Record<string, number[]> = { a: [0.1, 0.2, 0.3, 0.4], b: [0.4, 0.1, 0.2, 0.3] };
  const input = {
    behaviour: [
      { id: 'a1', family: 'a', score: 0.5 },
      { id: 'a2', family: 'a', score: 0.35 },
      { id: 'a3', family: 'a', score: 0.05 },
      { id: 'b1', family: 'b', score: 0.45 },
    ],
    nulls: range(4).map((i) => ({ id: `n${i}`, scoreAs: (f: string) => nullScores[f][i - 1] })),
    families: ['a', 'b'],
  };

  it('thresholds, TPR, leave-one-out FPR and AUROC per family and over families, as computed by hand', () => {
    const c = calibrate(input, DEFAULT_CALIBRATION, { seed: 's', resamples: 500 });
    const [a, b] = c.byFamily;
    // thresholds: the largest null as each family (4 nulls, ceil(3.8) = 4)
    assert.deepEqual([a.threshold, b.threshold], [0.4, 0.4]);
    assert.deepEqual([c.thresholds.get('a'), c.thresholds.get('b')], [0.4, 0.4]);
    // TPR: a 1 of 3 (0.5), b 1 of 1
    assert.deepEqual([a.tpr.value, a.n_behaviour, b.tpr.value, b.n_behaviour], [1 / 3, 3, 1, 1]);
    // leave-one-out: as a, n4 (0.4) beats the others' 0.3; as b, n1 (0.4)
    assert.deepEqual([a.fpr.value, b.fpr.value], [0.25, 0.25]);
    assert.deepEqual(Object.fromEntries(c.nullDetections), { n1: ['b'], n2: [], n3: [], n4: ['a'] });
    // AUROC as a: 0.5 beats 4 nulls, 0.35 beats 3, 0.05 none -> 7/12; as b: 4/4
    close(a.auroc.value, 7 / 12, 1e-12);
    assert.equal(b.auroc.value, 1);
    // over families: 2 of 8 pairs, two organisms one each (CR1 deff 0.89 -> 1): Wilson(2, 8) = [0.0715, 0.5907]
    close(c.pooled.fpr.value, 0.25, 1e-12);
    close(c.pooled.fpr.low, 0.0715);
    close(c.pooled.fpr.high, 0.5907);
    assert.equal(c.pooled.fprDeff, 1);
    close(c.pooled.tpr.value, 0.5, 1e-12);
    // pooled AUROC: 0.5 and 0.45 beat all 8, 0.35 beats 6, 0.05 none -> 22/32
    close(c.pooled.auroc.value, 22 / 32, 1e-12);
    for (const x of [a.auroc, b.auroc, c.pooled.auroc]) assert.ok(x.low <= x.value && x.value <= x.high);
  });

  it('the rule: FPR and its upper bound too high -> uncalibrated with every reason', () => {
    const c = calibrate(input, DEFAULT_CALIBRATION, { seed: 's', resamples: 500 });
    assert.equal(c.calibrated, false);
    assert.match(c.reason, /FPR 0\.25 > 0\.10/);
    assert.match(c.reason, /FPR upper bound 0\.59 > 0\.25/);
  });

  it('the rule: well separated, no null above the others -> calibrated', () => {
    // 20 nulls at 0 for every family, behaviour organisms well above: FPR 0 (upper 0.17 at 20 organisms), AUROC 1
    const c = calibrate(
      {
        behaviour: range(8).map((i) => ({ id: `a${i}`, family: 'a', score: 0.5 + i / 100 })),
        nulls: range(20).map((i) => ({ id: `n${i}`, scoreAs: () => 0 })),
        families: ['a', 'b', 'c'],
      },
      DEFAULT_CALIBRATION,
      { seed: 's', resamples: 300 },
    );
    assert.equal(c.pooled.fpr.value, 0);
    close(c.pooled.fpr.high, 1.959964 ** 2 / (20 + 1.959964 ** 2), 1e-9);
    assert.equal(c.byFamily[0].auroc.low, 1);
    assert.deepEqual([c.calibrated, c.reason], [true, 'calibrated']);
  });

  it('the rule: nulls that never fire but behaviour organisms that do not separate -> uncalibrated (AUROC)', () => {
    const c = calibrate(
      {
        behaviour: range(6).map((i) => ({ id: `a${i}`, family: 'a', score: 0 })),
        nulls: range(20).map((i) => ({ id: `n${i}`, scoreAs: () => 0 })),
        families: ['a'],
      },
      DEFAULT_CALIBRATION,
      { seed: 's', resamples: 100 },
    );
    assert.equal(c.byFamily[0].auroc.value, 0.5);
    assert.equal(c.calibrated, false);
    assert.match(c.reason, /no family with AUROC lower bound >= 0\.65 \(highest: a, AUROC 0\.50 \[0\.50, 0\.50\]\)/);
  });

  it('fewer than two nulls: no threshold, uncalibrated', () => {
    const c = calibrate({ ...input, nulls: input.nulls.slice(0, 1) }, DEFAULT_CALIBRATION, { seed: 's', resamples: 50 });
    assert.ok(Number.isNaN(c.thresholds.get('a')!));
    assert.equal(c.calibrated, false);
    assert.match(c.reason, /1 null organism\(s\), fewer than 2/);
  });
});
