// The QER matcher on synthetic curves: exact search paths on noise-free
// tables (hand-traced), the band hit rate on a noisy logistic curve, and the
// reasons it gives up.
import { strict as assert } from 'assert';
import { Rng } from '../../core/engine/rng';
import { MoltError } from '../../core/errors';
import { matchCheckpoint, pool, stepGrid, type MeasureQer, type QerMeasurement } from '../../core/organisms/matcher';
import type { QerBand } from '../../core/plugins/types';

const BAND: QerBand = { low: 0.24, high: 0.36, target: 0.3 };

/** A measurement that is exactly the rate, with the binomial se of n samples. */
function exact(qer: number, n = 100): QerMeasurement {
  return { qer, se: Math.sqrt((qer * (1 - qer)) / n), n };
}

/** measure() over a table indexed like stepGrid(10, 10 * table.length), recording the calls. */
function tableMeasure(table: number[], n = 100): { measure: MeasureQer; calls: [number, number][] } {
  const calls: [number, number][] = [];
  return {
    calls,
    measure: async (step, attempt) => {
      calls.push([step, attempt]);
      return exact(table[step / 10 - 1], n);
    },
  };
}

/** A logistic QER curve in steps, from 0 to `top`. */
function logistic(top: number, mid: number, scale: number): (step: number) => number {
  return (s) => top / (1 + Math.exp(-(s - mid) / scale));
}

/** measure() drawing n binomial samples of the true rate, seeded by (trial, step, attempt). */
function noisyMeasure(curve: (step: number) => number, trial: number, n = 128): MeasureQer {
  return async (step, attempt) => {
    const rng = new Rng(`trial${trial}/step${step}/attempt${attempt}`);
    const q = curve(step);
    let fired = 0;
    for (let i = 0; i < n; i++) if (rng.next() < q) fired++;
    return exact(fired / n, n);
  };
}

describe('QER matcher', () => {
  it('stepGrid: every K steps, maxSteps included', () => {
    assert.deepEqual(stepGrid(25, 100), [25, 50, 75, 100]);
    assert.deepEqual(stepGrid(30, 100), [30, 60, 90, 100]);
    assert.throws(() => stepGrid(0, 100), MoltError);
  });

  it('pool adds fired counts and n (known answer)', () => {
    // 2/8 and 4/8 -> 6/16 = 0.375, se = sqrt(0.375 * 0.625 / 16)
    const p = pool([exact(0.25, 8), exact(0.5, 8)]);
    assert.equal(p.n, 16);
    assert.equal(p.qer, 0.375);
    assert.ok(Math.abs(p.se - 0.121030729) < 1e-8);
  });

  it('pool with per-prompt counts adds each prompt and clusters the se by prompt (known answers)', () => {
    const m = (counts: [number, number][]): QerMeasurement => {
      const perPrompt = counts.map(([n, fired], i) => ({ id: `p${i}`, n, fired }));
      const n = counts.reduce((a, [k]) => a + k, 0);
      return { qer: counts.reduce((a, [, f]) => a + f, 0) / n, se: NaN, n, perPrompt };
    };
    // p0 1/4 + 1/4 = 2/8, p1 3/4 + 1/4 = 4/8: p 0.375, residuals -1, 1, se sqrt(2 * 2) / 16 = 0.125
    const a = pool([m([[4, 1], [4, 3]]), m([[4, 1], [4, 1]])]);
    assert.deepEqual(a.perPrompt, [{ id: 'p0', n: 8, fired: 2 }, { id: 'p1', n: 8, fired: 4 }]);
    assert.equal(a.qer, 0.375);
    assert.equal(a.n, 16);
    assert.equal(a.se, 0.125);
    // one prompt never fires, the other always: se 0.5 after one measurement (residuals -2, 2) and still 0.5
    // after two (residuals -4, 4 over n 16): sampling more does not remove the spread between prompts
    // (binomial pooling would say 0.125)
    const split = m([[4, 0], [4, 4]]);
    assert.equal(pool([split]).se, 0.5);
    assert.equal(pool([split, split]).se, 0.5);
    assert.throws(() => pool([split, exact(0.5, 8)]), /all carry per-prompt counts or none/);
  });

  it('the 1-SE tolerance is the clustered se: prompts that differ widen it, so a step the binomial se rejects is accepted', async () => {
    // 10 prompts x 10 samples, 5 fire 5 times, 5 never: p 0.25, residuals +-2.5, se sqrt(10/9 * 62.5) / 100 = 0.0833;
    // |0.25 - 0.30| = 0.05 is within it (binomial se 0.0433 is not)
    const se = Math.sqrt((10 / 9) * 62.5) / 100;
    const clustered: QerMeasurement = { qer: 0.25, se, n: 100, perPrompt: Array.from({ length: 10 }, (_, i) => ({ id: `p${i}`, n: 10, fired: i < 5 ? 5 : 0 })) };
    const calls: [number, number][] = [];
    const r = await matchCheckpoint({ band: BAND, steps: [10, 20], measure: async (step, attempt) => (calls.push([step, attempt]), step === 10 ? clustered : exact(0.5)) });
    assert.deepEqual(calls, [[10, 0], [10, 1]]);
    assert.equal(r.criterion, 'within-1se');
    assert.ok(Math.abs(r.se - se) < 1e-12 && Math.abs(se - 0.0833333) < 1e-6);
    assert.equal(r.history[1].pooled.perPrompt, undefined, 'history keeps the pooled rate, not the per-prompt counts');
    // the same rate without per-prompt counts: re-measured to the limit, below the target, then only inside the band
    const binomial = await matchCheckpoint({ band: BAND, steps: [10, 20], measure: async (step) => exact(step === 10 ? 0.25 : 0.5) });
    assert.equal(binomial.criterion, 'inside-band');
    assert.equal(binomial.step, 10);
  });

  it('gallop then bisect on a noise-free table: the hand-traced path, with a re-measure where the interval straddles the target', async () => {
    // index:      0    1     2     3    4     5     6     7    8    9
    const table = [0, 0.02, 0.05, 0.1, 0.15, 0.22, 0.29, 0.4, 0.5, 0.6];
    const { measure, calls } = tableMeasure(table);
    const r = await matchCheckpoint({ band: BAND, steps: stepGrid(10, 100), measure });
    // gallop 0,1,3 (below), 7 (0.40: d 0.10 > 1.96 * 0.049, above); bisect 5: 0.22, d 0.08 < 1.96 * 0.041
    // -> re-measured, pooled se 0.029 -> below; then 6: 0.29 within 1 se (0.045), confirmed by a second measurement -> accepted
    assert.deepEqual(calls, [[10, 0], [20, 0], [40, 0], [80, 0], [60, 0], [60, 1], [70, 0], [70, 1]]);
    assert.equal(r.matched, true);
    assert.equal(r.criterion, 'within-1se');
    assert.equal(r.step, 70);
    assert.equal(r.qer, 0.29);
    assert.equal(r.measurements, 8);
    assert.equal(r.n, 200);
    assert.equal(r.history[5].pooled.n, 200);
  });

  it("search 'bisect' measures both ends first", async () => {
    const table = [0, 0.02, 0.05, 0.1, 0.15, 0.22, 0.29, 0.4, 0.5, 0.6];
    const { measure, calls } = tableMeasure(table);
    const r = await matchCheckpoint({ band: BAND, steps: stepGrid(10, 100), measure, search: 'bisect' });
    // 0 below, 9 above, mid 4 (0.15) below, mid 6 (0.29) accepted after its confirmation
    assert.deepEqual(calls.map((c) => c[0]), [10, 100, 50, 70, 70]);
    assert.equal(r.step, 70);
  });

  it('confirm: 1 accepts on the first measurement; a confirmation that falls out of 1 SE sends the search on', async () => {
    const table = [0, 0.02, 0.05, 0.1, 0.15, 0.22, 0.29, 0.4, 0.5, 0.6];
    const once = tableMeasure(table);
    const r1 = await matchCheckpoint({ band: BAND, steps: stepGrid(10, 100), measure: once.measure, confirm: 1 });
    assert.deepEqual(once.calls.map((c) => c[0]), [10, 20, 40, 80, 60, 60, 70]);
    assert.equal(r1.step, 70);
    // step 70 reads 0.29 then 0.17: pooled 0.23 (n 200, se 0.0298) is below the band, 0.07 > 1.96 se from the
    // target -> below; the bracket closes between 70 and 80 with nothing in band
    const calls: number[] = [];
    const flaky: MeasureQer = async (step, attempt) => {
      calls.push(step);
      return exact(step === 70 && attempt > 0 ? 0.17 : table[step / 10 - 1]);
    };
    const r2 = await matchCheckpoint({ band: BAND, steps: stepGrid(10, 100), measure: flaky });
    assert.deepEqual(calls, [10, 20, 40, 80, 60, 60, 70, 70]);
    assert.equal(r2.matched, false);
    assert.match(r2.reason, /^no checkpoint in band: QER goes from 0\.230 at step 70 to 0\.400 at step 80/);
  });

  it('takes an in-band checkpoint not within 1 SE when the grid is too coarse (criterion inside-band)', async () => {
    // n = 10000: se ~ 0.005, so 0.34 is decisively above the target yet inside the band
    const { measure } = tableMeasure([0, 0.1, 0.34, 0.6], 10000);
    const r = await matchCheckpoint({ band: BAND, steps: stepGrid(10, 40), measure });
    assert.equal(r.matched, true);
    assert.equal(r.criterion, 'inside-band');
    assert.equal(r.step, 30);
    assert.match(r.reason, /no checkpoint within 1 SE of the target/);
  });

  it('finds a step whose true QER is in the band in >= 90% of 50 noisy trials, with fewer measurements than a linear scan', async () => {
    const curve = logistic(0.9, 600, 120);
    const steps = stepGrid(25, 1000); // 40 checkpoints
    // a linear scan cannot stop before the first checkpoint whose true QER reaches the band
    const linearScan = steps.findIndex((s) => curve(s) >= BAND.low) + 1;
    let inBand = 0;
    let measurements = 0;
    for (let trial = 0; trial < 50; trial++) {
      const r = await matchCheckpoint({ band: BAND, steps, measure: noisyMeasure(curve, trial) });
      const truth = curve(r.step!);
      if (r.matched && truth >= BAND.low && truth <= BAND.high) inBand++;
      measurements += r.measurements;
    }
    assert.ok(inBand >= 45, `true QER in band in ${inBand}/50 trials`);
    assert.ok(measurements / 50 < linearScan, `mean ${measurements / 50} measurements vs linear scan >= ${linearScan}`);
  });

  it("gives up with 'never reaches band' (max QER and its step) when the curve stays below the band", async () => {
    const curve = logistic(0.15, 300, 60);
    const r = await matchCheckpoint({ band: BAND, steps: stepGrid(25, 1000), measure: noisyMeasure(curve, 1) });
    assert.equal(r.matched, false);
    assert.match(r.reason, /^never reaches band: max QER 0\.\d{3} at step \d+/);
    const top = Math.max(...r.history.map((h) => h.pooled.qer));
    assert.equal(r.qer, top);
    assert.ok(r.reason.includes(`at step ${r.step}`));
  });

  it("gives up with 'overshoots at first checkpoint' after one measurement when the first checkpoint is above the band", async () => {
    const curve = logistic(0.9, 0, 60); // ~0.6 at step 25
    const r = await matchCheckpoint({ band: BAND, steps: stepGrid(25, 1000), measure: noisyMeasure(curve, 2) });
    assert.equal(r.matched, false);
    assert.equal(r.step, 25);
    assert.match(r.reason, /^overshoots at first checkpoint: QER 0\.\d+ \+- 0\.\d+ at step 25/);
    assert.equal(r.measurements, 1);
  });

  it("gives up with 'budget exhausted' when the budget runs out before the band", async () => {
    const r = await matchCheckpoint({ band: BAND, steps: stepGrid(25, 1000), measure: noisyMeasure(logistic(0.9, 600, 120), 3), budget: 3 });
    assert.equal(r.matched, false);
    assert.equal(r.measurements, 3);
    assert.match(r.reason, /^budget exhausted: 3 measurements/);
  });

  it('a budget cut before the confirmation leaves only the in-band fallback', async () => {
    const { measure } = tableMeasure([0, 0.02, 0.05, 0.1, 0.15, 0.22, 0.29, 0.4, 0.5, 0.6]);
    // the hand-traced path above, cut at its 7th measurement (step 70, 0.29, not yet confirmed)
    const r = await matchCheckpoint({ band: BAND, steps: stepGrid(10, 100), measure, budget: 7 });
    assert.equal(r.measurements, 7);
    assert.equal(r.matched, true);
    assert.equal(r.criterion, 'inside-band');
    assert.equal(r.step, 70);
    assert.match(r.reason, /^budget exhausted: 7 measurements; step 70 is inside the band/);
  });

  it('a non-monotone spike: the bracket ends at the crossing it holds, and the reason names the jump', async () => {
    // index:      0    1     2     3     4     5     6     7    8    9
    const table = [0, 0.05, 0.1, 0.15, 0.2, 0.45, 0.22, 0.5, 0.6, 0.6];
    const { measure, calls } = tableMeasure(table);
    const r = await matchCheckpoint({ band: BAND, steps: stepGrid(10, 100), measure });
    // gallop 0,1,3 below, 7 above; bisect 5 (spike, above), 4 below (0.2: d 0.1 > 1.96 * 0.04) -> bracket 4..5
    assert.deepEqual(calls.map((c) => c[0]), [10, 20, 40, 80, 60, 50]);
    assert.equal(r.matched, false);
    assert.equal(r.reason, 'no checkpoint in band: QER goes from 0.200 at step 50 to 0.450 at step 60 (between neighbouring checkpoints)');
  });

  it('refineTo bisects a jump between neighbouring checkpoints over the steps between them (known path)', async () => {
    // the italian-food SDF curve of the organisms-check run: +0.1 QER per 25 steps jumps the 0.10-0.16 band
    const knots: [number, number][] = [[0, 0.02], [25, 0.045], [50, 0.099], [75, 0.205], [100, 0.301], [200, 0.5]];
    const curve = (s: number) => {
      const k = knots.findIndex(([x]) => x >= s);
      const [x0, y0] = knots[k - 1];
      const [x1, y1] = knots[k];
      return y0 + ((y1 - y0) * (s - x0)) / (x1 - x0);
    };
    const band: QerBand = { low: 0.1, high: 0.16, target: 0.13 };
    const calls: number[] = [];
    const measure: MeasureQer = async (step) => {
      calls.push(step);
      return exact(curve(step), 4800);
    };
    // without: gallop 25, 50 below, 100 above; bisect 75 above -> bracket 50..75, nothing in band
    const coarse = await matchCheckpoint({ band, steps: stepGrid(25, 200), measure });
    assert.deepEqual(calls, [25, 50, 100, 75]);
    assert.equal(coarse.matched, false);
    assert.equal(coarse.reason, 'no checkpoint in band: QER goes from 0.099 at step 50 to 0.205 at step 75 (between neighbouring checkpoints)');
    // with refineTo 5: then 50, 55, ..., 75: 60 (0.141, above by more than 1.96 se) and 55 (0.120, below by 0.0098 > 1.96 x 0.0047)
    calls.length = 0;
    const fine = await matchCheckpoint({ band, steps: stepGrid(25, 200), measure, refineTo: 5 });
    assert.deepEqual(calls, [25, 50, 100, 75, 60, 55]);
    assert.equal(fine.matched, true);
    assert.equal(fine.criterion, 'inside-band');
    assert.equal(fine.step, 55);
    assert.match(fine.reason, /^no checkpoint within 1 SE of the target: QER goes from 0\.120 at step 55 to 0\.141 at step 60; step 55 is inside the band/);
    // refineTo must be a positive integer
    await assert.rejects(matchCheckpoint({ band, steps: [10], measure, refineTo: 0 }), /refineTo must be an integer >= 1/);
  });

  it('refuses a bad band, grid or measurement, naming it', async () => {
    const measure: MeasureQer = async () => exact(0.3);
    await assert.rejects(matchCheckpoint({ band: { low: 0.4, high: 0.36, target: 0.3 }, steps: [10], measure }), /QER band/);
    await assert.rejects(matchCheckpoint({ band: BAND, steps: [20, 10], measure }), /steps must ascend/);
    await assert.rejects(matchCheckpoint({ band: BAND, steps: [10], measure: async () => ({ qer: 1.5, se: 0, n: 10 }) }), /measurement at step 10/);
    const counts = (perPrompt: { id: string; n: number; fired: number }[], qer = 0.3, n = 10) => async () => ({ qer, se: 0.1, n, perPrompt });
    await assert.rejects(matchCheckpoint({ band: BAND, steps: [10], measure: counts([{ id: 'a', n: 10, fired: 3 }]) }), /1 prompt\(s\); an SE clustered by prompt needs at least 2/);
    await assert.rejects(matchCheckpoint({ band: BAND, steps: [10], measure: counts([{ id: 'a', n: 5, fired: 6 }, { id: 'b', n: 5, fired: 0 }]) }), /prompt 'a' has fired 6 of n 5/);
    await assert.rejects(matchCheckpoint({ band: BAND, steps: [10], measure: counts([{ id: 'a', n: 5, fired: 1 }, { id: 'b', n: 5, fired: 1 }]) }), /per-prompt counts \(2 of 10\) do not add up/);
  });
});
