import { strict as assert } from 'node:assert';
import { isMoltError } from '../../core/errors';
import type { ResultRow } from '../../core/bench/rows';
import { aurocInterval, computeStats, statsCsvs } from '../../core/bench/stats';
import { wilson } from '../../core/probes/stats';
import { fSurvival, logGamma, regularizedBeta, signTestP } from '../../core/bench/stats/distributions';
import { olsFit } from '../../core/bench/stats/ols';
import type { AnovaRow } from '../../core/bench/stats-types';
import { resultRow } from '../helpers/result-row';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b} (eps ${eps})`);

/** One organism of a fixture run and its headline scores per probe@diffing_base. */
interface Org {
  behaviour: string;
  family?: string;
  pipeline?: string;
  technique: string;
  architecture?: string;
  seed: number;
  qer?: number;
  /** probe@diffing_base -> score; floor 0.3 unless `floor` says otherwise */
  scores: Record<string, number>;
  floor?: number;
  status?: 'ok' | 'failed';
}

const row = (o: Org, over: Partial<ResultRow>): ResultRow =>
  resultRow({
    organism_id: `${o.technique}-${o.behaviour}-${o.architecture ?? 'olmo2'}-${o.seed}`,
    behaviour: o.behaviour,
    family: o.family ?? o.behaviour,
    pipeline: o.pipeline ?? (o.behaviour === 'null' ? 'control' : 'synthetic'),
    technique: o.technique,
    architecture: o.architecture ?? 'olmo2',
    seed: o.seed,
    qer: o.qer ?? 0.5,
    qer_se: 0.01,
    molt_version: '0',
    ...over,
  });

/** The rows results.csv holds for an organism (core/bench/rows.ts): its qer row, then headline, floor and detected per probe. */
function orgRows(o: Org): ResultRow[] {
  if (o.status === 'failed') return [row(o, { metric: 'cell', status: 'failed', error: 'boom' })];
  const out = [row(o, { metric: 'qer', value: o.qer ?? 0.5 })];
  const floor = o.floor ?? 0.3;
  for (const [key, score] of Object.entries(o.scores)) {
    const [probe, diffing_base] = key.split('@');
    out.push(row(o, { probe, diffing_base, metric: 'headline', variant: 'relevant_mass', value: score, ci_low: score - 0.1, ci_high: score + 0.1 }));
    out.push(row(o, { probe, diffing_base, metric: 'headline_floor', value: floor }));
    out.push(row(o, { probe, diffing_base, metric: 'detected', value: score > floor ? 1 : 0 }));
  }
  return out;
}
const rowsOf = (orgs: Org[]) => orgs.flatMap(orgRows);

const LL = 'logit-lens@ancestor';
/** 20 null organisms scoring 0 on every probe key: the probes calibrate (FPR 0), so the findings use every behaviour organism */
const zeroNulls = (keys: string[], architecture = 'olmo2'): Org[] =>
  Array.from({ length: 20 }, (_, i): Org => ({ technique: 'integrated-dpo', behaviour: 'null', family: 'null', architecture, seed: 100 + i, scores: Object.fromEntries(keys.map((k) => [k, 0])) }));
/** the organisms with zeroNulls for every probe key they score */
const withNulls = (orgs: Org[]): Org[] => [...orgs, ...zeroNulls([...new Set(orgs.flatMap((o) => Object.keys(o.scores)))])];


const term = (rows: AnovaRow[], model: string, name: string) => {
  const r = rows.find((x) => x.model === model && x.term === name);
  assert.ok(r, `no ${model}/${name} row`);
  return r;
};

describe('bench stats: distributions', () => {
  it('log-gamma: Gamma(5) = 24, Gamma(1/2) = sqrt(pi), Gamma(1) = 1', () => {
    close(logGamma(5), Math.log(24), 1e-12);
    close(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-12);
    close(logGamma(1), 0, 1e-12);
  });

  it('regularized incomplete beta: closed forms I_x(1,1) = x, I_x(a,1) = x^a, I_x(1,b) = 1-(1-x)^b, I_1/2(a,a) = 1/2', () => {
    close(regularizedBeta(0.3, 1, 1), 0.3, 1e-12);
    close(regularizedBeta(0.7, 3.5, 1), 0.7 ** 3.5, 1e-12);
    close(regularizedBeta(0.2, 1, 6), 1 - 0.8 ** 6, 1e-12);
    close(regularizedBeta(0.5, 7.5, 7.5), 0.5, 1e-12);
    close(regularizedBeta(0.5, 40, 40), 0.5, 1e-12);
    assert.equal(regularizedBeta(0, 2, 3), 0);
    assert.equal(regularizedBeta(1, 2, 3), 1);
  });

  it('F upper tail matches table critical values (5% and 1%)', () => {
    close(fSurvival(4.9646, 1, 10), 0.05, 1e-4);
    close(fSurvival(3.4928, 2, 20), 0.05, 1e-4);
    close(fSurvival(2.6896, 4, 30), 0.05, 1e-4);
    close(fSurvival(5.9525, 3, 12), 0.01, 1e-4);
    close(fSurvival(161.45, 1, 1), 0.05, 1e-4);
  });

  it('F upper tail matches closed forms: F(2, d) tail = (1 + 2f/d)^(-d/2); F(1,1) = Cauchy^2, tail 1 - (2/pi) atan(sqrt f)', () => {
    close(fSurvival(3, 2, 7), (1 + 6 / 7) ** -3.5, 1e-12);
    close(fSurvival(0.4, 2, 30), (1 + 0.8 / 30) ** -15, 1e-12);
    close(fSurvival(9, 1, 1), 1 - (2 / Math.PI) * Math.atan(3), 1e-12);
    assert.equal(fSurvival(0, 3, 4), 1);
    assert.ok(Number.isNaN(fSurvival(2, 0, 4)));
  });

  it('sign test: 8 of 10 gives 2 * 56/1024 = 0.109375; 0 of 5 gives 2/32; balanced gives 1; all tied gives NaN', () => {
    close(signTestP(2, 8), 0.109375, 1e-12);
    close(signTestP(8, 2), 0.109375, 1e-12);
    close(signTestP(0, 5), 0.0625, 1e-12);
    assert.equal(signTestP(5, 5), 1);
    assert.ok(Number.isNaN(signTestP(0, 0)));
    // 1 of 20: 2 * (1 + 20) / 2^20
    close(signTestP(1, 19), (2 * 21) / 2 ** 20, 1e-15);
  });
});

describe('bench stats: least squares', () => {
  it('intercept only leaves the sum of squares about the mean; a duplicated or intercept-collinear column adds no rank', () => {
    const y = [1, 2, 3, 6];
    assert.equal(olsFit([], y).rank, 1);
    close(olsFit([], y).rss, 4 + 1 + 0 + 9);
    const x = [0, 1, 0, 1];
    const fit = olsFit([x, x.map((v) => 2 * v), x.map((v) => 1 - v), [5, 5, 5, 5]], y);
    assert.equal(fit.rank, 2);
    // groups {1, 3} and {2, 6}: residuals about 2 and 4
    close(fit.rss, 1 + 1 + 4 + 4);
  });

  it('a simple regression: y = 1 + 2x + e with e = (1, -1, -1, 1) at x = 0..3 keeps RSS 4 on rank 2', () => {
    // e is orthogonal to 1 and x, so the fit recovers 1 + 2x and leaves e
    const x = [0, 1, 2, 3];
    const e = [1, -1, -1, 1];
    const fit = olsFit([x], x.map((v, i) => 1 + 2 * v + e[i]));
    assert.equal(fit.rank, 2);
    close(fit.rss, 4);
  });

  it('more columns than rows: rank is at most the rows and the fit is exact', () => {
    const fit = olsFit([[1, 0], [0, 1], [2, 3], [7, -1]], [0.3, 0.9]);
    assert.equal(fit.rank, 2);
    close(fit.rss, 0);
  });
});

describe('bench stats: ANOVA', () => {
  // Balanced 2 x 2: technique (integrated-dpo, posthoc-sdf) x family (a, b), 2 seeds per cell.
  // Cell means: idpo/a 0.2, idpo/b 0.4, sdf/a 0.5, sdf/b 0.9; seed 1 is 0.05 below, seed 2 0.05 above.
  // Grand mean 0.5; technique means 0.3 / 0.7 -> SS = 4 * (0.2^2 + 0.2^2) = 0.32;
  // family means 0.35 / 0.65 -> SS = 4 * (0.15^2 + 0.15^2) = 0.18;
  // interaction residuals +-0.05 per cell -> 8 * 0.0025 = 0.02, within-cell 8 * 0.05^2 = 0.02:
  // residual of the main-effects model 0.04 on 8 - 3 = 5 df; total 0.54.
  // QER is 0.2 for seed 1 and 0.6 for seed 2: orthogonal to both factors, it takes the within-cell
  // SS: (sum y (q - qbar))^2 / sum (q - qbar)^2 = (4 * 0.02)^2 / (8 * 0.04) = 0.02, leaving 0.02 on 4 df.
  const cells: [string, string, number][] = [
    ['integrated-dpo', 'a', 0.2],
    ['integrated-dpo', 'b', 0.4],
    ['posthoc-sdf', 'a', 0.5],
    ['posthoc-sdf', 'b', 0.9],
  ];
  const balanced: Org[] = cells.flatMap(([technique, behaviour, m]) => [
    { technique, behaviour, seed: 1, qer: 0.2, scores: { [LL]: m - 0.05 } },
    { technique, behaviour, seed: 2, qer: 0.6, scores: { [LL]: m + 0.05 } },
  ]);

  it('balanced 2x2: type-II SS, eta2 (summing to 1 with the residual), F and p as computed by hand', () => {
    const { anova } = computeStats(rowsOf(withNulls(balanced)), { seed: 1, anovaResamples: 100 });
    const tech = term(anova, 'factors', 'technique');
    const fam = term(anova, 'factors', 'family');
    const res = term(anova, 'factors', 'residual');
    assert.equal(tech.n, 8);
    assert.deepEqual([tech.df, fam.df, res.df], [1, 1, 5]);
    close(tech.sum_sq, 0.32);
    close(fam.sum_sq, 0.18);
    close(res.sum_sq, 0.04);
    close(tech.eta2, 0.32 / 0.54);
    close(fam.eta2, 0.18 / 0.54);
    close(tech.eta2 + fam.eta2 + res.eta2, 1);
    close(tech.F, 0.32 / (0.04 / 5));
    close(fam.F, 0.18 / (0.04 / 5));
    // F(1,5) = 40 is t = 6.32 on 5 df: between the 0.2% (5.893) and 0.1% (6.869) two-sided t quantiles
    assert.ok(tech.p_value > 0.001 && tech.p_value < 0.002, String(tech.p_value));
    close(tech.p_value, fSurvival(40, 1, 5));
    assert.ok(Number.isNaN(res.F) && Number.isNaN(res.p_value));
    for (const r of [tech, fam, res]) {
      assert.ok(r.eta2_ci_low >= 0 && r.eta2_ci_low <= r.eta2_ci_high && r.eta2_ci_high <= 1, `${r.term} [${r.eta2_ci_low}, ${r.eta2_ci_high}]`);
      assert.equal(r.note, '');
    }
  });

  it('balanced 2x2 with QER: the orthogonal covariate takes the within-cell SS', () => {
    const { anova } = computeStats(rowsOf(withNulls(balanced)), { seed: 1, anovaResamples: 50 });
    const qer = term(anova, 'with_qer', 'qer');
    assert.equal(qer.df, 1);
    close(qer.sum_sq, 0.02);
    close(term(anova, 'with_qer', 'technique').sum_sq, 0.32);
    close(term(anova, 'with_qer', 'family').sum_sq, 0.18);
    const res = term(anova, 'with_qer', 'residual');
    assert.equal(res.df, 4);
    close(res.sum_sq, 0.02);
    close(qer.F, 0.02 / (0.02 / 4));
  });

  it('a factor with one level (one architecture, one pipeline) gets df 0, NaN statistics and a note', () => {
    const { anova } = computeStats(rowsOf(withNulls(balanced)), { seed: 1, anovaResamples: 20 });
    for (const name of ['architecture', 'pipeline']) {
      const r = term(anova, 'factors', name);
      assert.equal(r.df, 0);
      assert.ok([r.sum_sq, r.eta2, r.eta2_ci_low, r.F, r.p_value].every(Number.isNaN));
      assert.match(r.note, new RegExp(`one ${name} level`));
    }
  });

  it('QER the same for every organism gets the one-value note; organisms without a QER leave only the QER model', () => {
    const flat = balanced.map((o) => ({ ...o, qer: 0.4 }));
    const { anova } = computeStats(rowsOf(withNulls(flat)), { seed: 1, anovaResamples: 20 });
    const qer = term(anova, 'with_qer', 'qer');
    assert.equal(qer.df, 0);
    assert.match(qer.note, /one qer value \(0\.4\)/);
    const missing = balanced.map((o, i) => (i === 0 ? { ...o, qer: NaN } : o));
    const rows = computeStats(rowsOf(withNulls(missing)), { seed: 1, anovaResamples: 20 }).anova;
    assert.equal(term(rows, 'factors', 'technique').n, 8);
    assert.equal(term(rows, 'with_qer', 'technique').n, 7);
  });

  it('rank-deficient design (posthoc-sdf only on the synthetic family; family decides pipeline): df by rank, no crash', () => {
    // cells: idpo/a (synthetic) 0.5, 0.7; idpo/b (natural) 0.2, 0.4; sdf/a (synthetic) 0.9, 0.9.
    // Full model = the three cell means: RSS 4 * 0.1^2 = 0.04 on 6 - 3 = 3 df.
    // Without technique, the family means: a {0.5, 0.7, 0.9, 0.9} SS 0.11, b {0.2, 0.4} SS 0.02 -> RSS 0.13,
    // so SS_technique = 0.09 on 1 df. Family and pipeline are aliased: each adds no rank beyond the other.
    const orgs: Org[] = [
      { technique: 'integrated-dpo', behaviour: 'a', pipeline: 'synthetic', seed: 1, scores: { [LL]: 0.5 } },
      { technique: 'integrated-dpo', behaviour: 'a', pipeline: 'synthetic', seed: 2, scores: { [LL]: 0.7 } },
      { technique: 'integrated-dpo', behaviour: 'b', pipeline: 'natural', seed: 1, scores: { [LL]: 0.2 } },
      { technique: 'integrated-dpo', behaviour: 'b', pipeline: 'natural', seed: 2, scores: { [LL]: 0.4 } },
      { technique: 'posthoc-sdf', behaviour: 'a', pipeline: 'synthetic', seed: 1, scores: { [LL]: 0.9 } },
      { technique: 'posthoc-sdf', behaviour: 'a', pipeline: 'synthetic', seed: 2, scores: { [LL]: 0.9 } },
    ];
    const { anova } = computeStats(rowsOf(withNulls(orgs)), { seed: 1, anovaResamples: 50 });
    const tech = term(anova, 'factors', 'technique');
    assert.equal(tech.df, 1);
    close(tech.sum_sq, 0.09);
    close(tech.F, 0.09 / (0.04 / 3));
    for (const name of ['family', 'pipeline']) {
      const r = term(anova, 'factors', name);
      assert.equal(r.df, 0);
      assert.match(r.note, /collinear/);
      assert.ok(Number.isNaN(r.sum_sq));
    }
    const res = term(anova, 'factors', 'residual');
    assert.equal(res.df, 3);
    close(res.sum_sq, 0.04);
  });

  it('too few organisms for the parameters: NaN statistics with a note, residual df 0', () => {
    const orgs: Org[] = [
      { technique: 'integrated-dpo', behaviour: 'a', seed: 1, scores: { [LL]: 0.5 } },
      { technique: 'posthoc-sdf', behaviour: 'a', seed: 1, scores: { [LL]: 0.7 } },
      { technique: 'posthoc-sdf', behaviour: 'b', seed: 1, scores: { [LL]: 0.2 } },
    ];
    const { anova } = computeStats(rowsOf(withNulls(orgs)), { seed: 1, anovaResamples: 20 });
    const res = term(anova, 'factors', 'residual');
    assert.equal(res.df, 0);
    const tech = term(anova, 'factors', 'technique');
    assert.equal(tech.df, 1);
    assert.ok(Number.isNaN(tech.F) && Number.isNaN(tech.sum_sq));
    assert.match(tech.note, /too few organisms/);
    assert.match(res.note, /too few organisms/);
  });

  it('eta2 intervals are seeded: same seed same rows, another seed other intervals', () => {
    const a = computeStats(rowsOf(withNulls(balanced)), { seed: 5, anovaResamples: 60 }).anova;
    assert.deepEqual(computeStats(rowsOf(withNulls(balanced)), { seed: 5, anovaResamples: 60 }).anova, a);
    const b = computeStats(rowsOf(withNulls(balanced)), { seed: 6, anovaResamples: 60 }).anova;
    assert.notDeepEqual(
      b.map((r) => r.eta2_ci_low),
      a.map((r) => r.eta2_ci_low),
    );
    assert.deepEqual(
      b.map((r) => r.eta2),
      a.map((r) => r.eta2),
    );
  });
});

describe('bench stats: summary and null controls (null-calibrated detection)', () => {
  // family a on olmo2: two techniques x 4 behaviour organisms, 20 nulls (10 per technique), one of them (0.3) above the others
  const idpoNulls = [0.1, 0.2, 0.05, 0.3, 0.0, 0.1, 0.15, 0.02, 0.12, 0.08];
  const sdfNulls = [0.15, 0.2, 0.1, 0.05, 0.02, 0.03, 0.04, 0.06, 0.07, 0.01];
  const orgs: Org[] = [
    ...[0.8, 0.6, 0.9, 0.15].map((s, i): Org => ({ technique: 'integrated-dpo', behaviour: 'a', seed: i + 1, scores: { [LL]: s } })),
    ...[0.5, 0.7, 0.4, 0.6].map((s, i): Org => ({ technique: 'posthoc-sdf', behaviour: 'a', seed: i + 1, scores: { [LL]: s } })),
    ...idpoNulls.map((s, i): Org => ({ technique: 'integrated-dpo', behaviour: 'null', family: 'null', seed: i + 1, scores: { [LL]: s } })),
    ...sdfNulls.map((s, i): Org => ({ technique: 'posthoc-sdf', behaviour: 'null', family: 'null', seed: i + 1, scores: { [LL]: s } })),
    // left out: a failed organism and a failed probe cell
    { technique: 'posthoc-sdf', behaviour: 'a', seed: 9, scores: {}, status: 'failed' },
  ];
  const rows = [
    ...rowsOf(orgs),
    ...orgRows({ technique: 'posthoc-sdf', behaviour: 'a', seed: 8, scores: {} }),
    row({ technique: 'posthoc-sdf', behaviour: 'a', seed: 8, scores: {} }, { probe: 'logit-lens', diffing_base: 'ancestor', metric: 'cell', status: 'failed', error: 'x' }),
  ];

  it('null-controls.csv: the threshold is the 19th of 20 null scores; TPR, leave-one-out FPR and AUROC per family and over families', () => {
    const nc = computeStats(rows, { seed: 'run', resamples: 500 }).nullControls;
    assert.deepEqual(
      nc.map((r) => [r.probe, r.diffing_base, r.architecture, r.family, r.n_behaviour, r.n_null, r.quantile, r.calibration, r.note]),
      [
        ['logit-lens', 'ancestor', 'olmo2', 'a', 8, 20, 0.95, 'calibrated', ''],
        ['logit-lens', 'ancestor', 'olmo2', 'all', 8, 20, 0.95, 'calibrated', ''],
      ],
    );
    const [a, all] = nc;
    // sorted nulls end 0.15, 0.15, 0.2, 0.2, 0.3: ceil(0.95 * 20) = 19th = 0.2
    assert.equal(a.threshold, 0.2);
    assert.ok(Number.isNaN(all.threshold));
    // 7 of 8 behaviour organisms above 0.2 (0.15 is not)
    close(a.tpr, 7 / 8);
    // leave-one-out: only 0.3 beats the others' 19th (0.2); a 0.2 faces the others' 19th = 0.3
    close(a.fpr, 1 / 20);
    const w = wilson(1, 20);
    close(a.fpr_ci_low, w.low);
    close(a.fpr_ci_high, w.high);
    // AUROC: 7 organisms beat all 20 nulls; 0.15 beats 15 and ties 2 -> (140 + 16) / 160
    close(a.auroc, 156 / 160);
    assert.deepEqual([all.tpr, all.fpr, all.auroc], [a.tpr, a.fpr, a.auroc]);
  });

  it('summary: n, mean, detection rate against the null threshold, the technique\'s leave-one-out null FPR and AUROC vs all nulls', () => {
    const { summary } = computeStats(rows, { seed: 'run', resamples: 500 });
    assert.deepEqual(
      summary.map((r) => [r.technique, r.probe, r.diffing_base, r.n, r.calibration, r.note]),
      [
        ['integrated-dpo', 'logit-lens', 'ancestor', 4, 'calibrated', ''],
        ['posthoc-sdf', 'logit-lens', 'ancestor', 4, 'calibrated', ''],
      ],
    );
    const [idpo, sdf] = summary;
    close(idpo.mean_score, (0.8 + 0.6 + 0.9 + 0.15) / 4);
    close(sdf.mean_score, 0.55);
    assert.ok(idpo.ci_low < idpo.mean_score && idpo.mean_score < idpo.ci_high);
    // 3 of 4 above 0.2: Wilson 95% [0.3006, 0.9544] (the mirror of 1 of 4: [0.0456, 0.6994])
    close(idpo.detection_rate, 0.75);
    close(idpo.detection_ci_low, 1 - 0.6994, 1e-4);
    close(idpo.detection_ci_high, 1 - 0.0456, 1e-4);
    assert.equal(sdf.detection_rate, 1);
    // the 0.3 null is integrated-dpo's: 1 of its 10 nulls, none of posthoc-sdf's
    assert.deepEqual([idpo.null_n, idpo.null_fpr, sdf.null_n, sdf.null_fpr], [10, 0.1, 10, 0]);
    // idpo vs all 20 nulls: 3 x 20 + 16 of 80; sdf's scores beat every null
    close(idpo.auroc, 76 / 80);
    assert.equal(sdf.auroc, 1);
  });

  it('summary intervals: same seed same numbers, another seed another interval, another row does not move this one', () => {
    const a = computeStats(rows, { seed: 'run', resamples: 300 }).summary;
    assert.deepEqual(computeStats(rows, { seed: 'run', resamples: 300 }).summary, a);
    const b = computeStats(rows, { seed: 'other', resamples: 300 }).summary;
    assert.notDeepEqual([b[0].ci_low, b[0].ci_high], [a[0].ci_low, a[0].ci_high]);
    assert.equal(b[0].mean_score, a[0].mean_score);
    const extra = rowsOf([{ technique: 'posthoc-fd', behaviour: 'a', seed: 1, scores: { [LL]: 0.3 } }]);
    const c = computeStats([...rows, ...extra], { seed: 'run', resamples: 300 }).summary;
    assert.deepEqual(
      c.map((r) => [r.technique, r.probe, r.diffing_base]),
      [
        ['integrated-dpo', 'logit-lens', 'ancestor'],
        ['posthoc-fd', 'logit-lens', 'ancestor'],
        ['posthoc-sdf', 'logit-lens', 'ancestor'],
      ],
    );
    assert.deepEqual([c[0].ci_low, c[0].ci_high, c[2].ci_low, c[2].ci_high], [a[0].ci_low, a[0].ci_high, a[1].ci_low, a[1].ci_high]);
  });

  it("a null organism is graded as each family alone when the probe recorded per-family headlines, and counts once per family, clustered", () => {
    // families cake and italian, 3 nulls: as cake 0.1 / 0.2 / 0.05, as italian 0.5 / 0.1 / 0.2 (null 1's best family is italian)
    const orgs: Org[] = [
      { technique: 'posthoc-fd', behaviour: 'cake', seed: 0, scores: { [LL]: 0.6 } },
      { technique: 'posthoc-fd', behaviour: 'italian', seed: 0, scores: { [LL]: 0.7 } },
      ...[0.5, 0.2, 0.2].map((s, i): Org => ({ technique: 'posthoc-fd', behaviour: 'null', family: 'null', seed: i, scores: { [LL]: s } })),
    ];
    const asFamily: Record<string, number[]> = { cake: [0.1, 0.2, 0.05], italian: [0.5, 0.1, 0.2] };
    const rows = rowsOf(orgs).flatMap((r) =>
      r.family === 'null' && r.metric === 'headline'
        ? [r, ...Object.entries(asFamily).map(([f, xs]) => ({ ...r, metric: 'family_headline', variant: f, value: xs[r.seed] }))]
        : [r],
    );
    const nc = computeStats(rows, { seed: 1, resamples: 100 }).nullControls;
    const by = new Map(nc.map((r) => [r.family, r]));
    // thresholds: the largest null as each family (3 nulls)
    assert.deepEqual([by.get('cake')!.threshold, by.get('italian')!.threshold], [0.2, 0.5]);
    // leave-one-out: as cake null 1 (0.2 > 0.1); as italian null 0 (0.5 > 0.2)
    assert.deepEqual([by.get('cake')!.fpr, by.get('italian')!.fpr], [1 / 3, 1 / 3]);
    // over families: 2 of 6 pairs, one per organism of two (CR1 below binomial: deff 1) -> Wilson(2, 6)
    const all = by.get('all')!;
    close(all.fpr, 2 / 6);
    close(all.fpr_ci_high, wilson(2, 6).high);
    // cake 0.6 beats the nulls as cake, italian 0.7 beats them as italian
    assert.deepEqual([by.get('cake')!.tpr, by.get('italian')!.tpr, by.get('cake')!.auroc, by.get('italian')!.auroc], [1, 1, 1, 1]);
    assert.equal(all.calibration, 'uncalibrated');
    assert.match(all.note, /FPR 0\.33 > 0\.10/);
  });

  it('a probe uncalibrated on an architecture: its organisms there leave the findings, with the reason; uncalibrated everywhere: no numbers', () => {
    const G = { architecture: 'gemma3' };
    const orgs: Org[] = [
      ...[0.6, 0.7].map((s, i): Org => ({ technique: 'integrated-dpo', behaviour: 'a', seed: i, scores: { [LL]: s, 'steering@ancestor': s } })),
      ...[0.2, 0.3].map((s, i): Org => ({ technique: 'integrated-dpo', behaviour: 'a', seed: i, ...G, scores: { [LL]: s } })),
      ...[0.6, 0.7].map((s, i): Org => ({ technique: 'posthoc-sdf', behaviour: 'a', seed: i, scores: { [LL]: s, 'steering@ancestor': s } })),
      ...zeroNulls([LL]),
      // gemma3 has a single null organism; steering's nulls all score 1
      { technique: 'integrated-dpo', behaviour: 'null', family: 'null', seed: 0, ...G, scores: { [LL]: 0 } },
      ...Array.from({ length: 4 }, (_, i): Org => ({ technique: 'integrated-dpo', behaviour: 'null', family: 'null', seed: 50 + i, scores: { 'steering@ancestor': 1 } })),
    ];
    const st = computeStats(rowsOf(orgs), { seed: 1, resamples: 100, anovaResamples: 10, pairedReference: 'integrated-dpo' });
    const lens = st.summary.filter((r) => r.probe === 'logit-lens');
    assert.deepEqual(
      lens.map((r) => [r.technique, r.n, r.calibration]),
      [
        ['integrated-dpo', 2, 'partial'],
        ['posthoc-sdf', 2, 'calibrated'],
      ],
    );
    assert.match(lens[0].note, /^uncalibrated on gemma3: 1 null organism\(s\), fewer than 2/);
    close(lens[0].mean_score, 0.65);
    const steer = st.summary.filter((r) => r.probe === 'steering');
    assert.ok(steer.length === 2 && steer.every((r) => r.calibration === 'uncalibrated' && r.n === 0 && Number.isNaN(r.mean_score)));
    assert.match(steer[0].note, /uncalibrated on olmo2: .*no family with AUROC lower bound >= 0\.65/);
    // anova and paired: one 'excluded' row for steering, saying why; the lens keeps its olmo2 organisms
    const excluded = st.anova.filter((r) => r.model === 'excluded');
    assert.deepEqual(excluded.map((r) => [r.probe, r.diffing_base, r.n]), [['steering', 'ancestor', 0]]);
    assert.match(excluded[0].note, /uncalibrated on olmo2/);
    assert.equal(st.anova.find((r) => r.probe === 'logit-lens' && r.model === 'factors' && r.term === 'technique')!.n, 4);
    const steerPairs = st.paired.filter((r) => r.probe === 'steering');
    assert.deepEqual(steerPairs.map((r) => [r.technique, r.n_pairs]), [['', 0]]);
    assert.match(steerPairs[0].note, /uncalibrated on olmo2/);
    assert.deepEqual(st.paired.filter((r) => r.probe === 'logit-lens').map((r) => [r.technique, r.n_pairs, r.note]), [['posthoc-sdf', 2, '']]);
  });

  it('perfectly separated scores give AUROC 1 with a [1, 1] interval', () => {
    const sep: Org[] = [
      ...[0.6, 0.7, 0.8].map((s, i): Org => ({ technique: 'integrated-dpo', behaviour: `b${i}`, seed: 1, scores: { [LL]: s } })),
      ...[0.1, 0.2].map((s, i): Org => ({ technique: 'integrated-dpo', behaviour: 'null', family: 'null', seed: i, scores: { [LL]: s } })),
    ];
    const all = computeStats(rowsOf(sep), { seed: 1, resamples: 200 }).nullControls.find((r) => r.family === 'all')!;
    assert.deepEqual([all.auroc, all.auroc_ci_low, all.auroc_ci_high], [1, 1, 1]);
  });

  it('the AUROC bootstrap is stratified: one positive 1 vs negatives {0, 2} resamples to 1, 0.5, 0 with chances 1/4, 1/2, 1/4', () => {
    const r = aurocInterval([1], [0, 2], { seed: 'x', resamples: 4000 });
    assert.deepEqual([r.value, r.low, r.high], [0.5, 0, 1]);
  });
});

describe('bench stats: paired', () => {
  // 10 pairs idpo - sdf on (behaviour, seed): 8 positive (+0.2), 2 negative (-0.1), plus a tied pair;
  // an sdf organism without a partner and the null organisms are not paired.
  const diffs = [0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, -0.1, -0.1, 0];
  const orgs: Org[] = diffs.flatMap((d, i): Org[] => [
    { technique: 'integrated-dpo', behaviour: `b${i % 4}`, seed: i, scores: { [LL]: 0.5 + d } },
    { technique: 'posthoc-sdf', behaviour: `b${i % 4}`, seed: i, scores: { [LL]: 0.5 } },
  ]);
  orgs.push(
    { technique: 'posthoc-sdf', behaviour: 'b0', seed: 99, scores: { [LL]: 0.1 } },
    { technique: 'posthoc-fd', behaviour: 'b0', seed: 98, scores: { [LL]: 0.1 } },
    // null organisms share (behaviour, architecture, seed) across techniques but are never paired
    { technique: 'integrated-dpo', behaviour: 'null', family: 'null', seed: 1, scores: { [LL]: 0 } },
    { technique: 'posthoc-sdf', behaviour: 'null', family: 'null', seed: 1, scores: { [LL]: 0 } },
  );

  it('counts, mean difference with a bootstrap interval and the sign test over untied pairs', () => {
    const { paired } = computeStats(rowsOf(withNulls(orgs)), { seed: 2, resamples: 500, pairedReference: 'integrated-dpo' });
    // posthoc-fd has no partner: no row
    assert.equal(paired.length, 1);
    const p = paired[0];
    assert.deepEqual([p.probe, p.diffing_base, p.technique, p.n_pairs, p.n_lower, p.n_higher, p.n_tied], ['logit-lens', 'ancestor', 'posthoc-sdf', 11, 2, 8, 1]);
    close(p.mean_diff, (8 * 0.2 - 2 * 0.1) / 11);
    close(p.p_sign, 0.109375, 1e-12);
    assert.ok(p.ci_low < p.mean_diff && p.mean_diff < p.ci_high && p.ci_low >= -0.1 - 1e-12 && p.ci_high <= 0.2 + 1e-12);
  });

  it('the reference is the suite\'s setting: any technique pairs the others with it; without one there is no paired analysis', () => {
    const { paired } = computeStats(rowsOf(withNulls(orgs)), { seed: 2, resamples: 500, pairedReference: 'posthoc-sdf' });
    // sdf - integrated on the 11 pairs; posthoc-fd's organism (seed 98) has no sdf partner
    assert.deepEqual(paired.map((p) => [p.technique, p.n_pairs, p.n_lower, p.n_higher, p.n_tied]), [['integrated-dpo', 11, 8, 2, 1]]);
    close(paired[0].mean_diff, -(8 * 0.2 - 2 * 0.1) / 11);
    assert.deepEqual(computeStats(rowsOf(withNulls(orgs)), { seed: 2, resamples: 500 }).paired, []);
  });
});

describe('bench stats: CSVs and input checks', () => {
  const orgs: Org[] = [
    { technique: 'integrated-dpo', behaviour: 'a', seed: 1, scores: { [LL]: 0.5 } },
    { technique: 'posthoc-sdf', behaviour: 'a', seed: 1, scores: { [LL]: 0.7 } },
  ];

  it('four CSVs with the interfaces\' columns in order, NaN as an empty field, byte-identical on a rerun', () => {
    const csvs = statsCsvs(computeStats(rowsOf(withNulls(orgs)), { seed: 1, resamples: 50, anovaResamples: 10 }));
    assert.deepEqual(Object.keys(csvs), ['summary.csv', 'null-controls.csv', 'anova.csv', 'paired.csv']);
    const header = (t: string) => t.split('\n')[0];
    assert.equal(header(csvs['summary.csv']), 'technique,probe,diffing_base,n,mean_score,ci_low,ci_high,detection_rate,detection_ci_low,detection_ci_high,null_n,null_fpr,auroc,calibration,note');
    assert.equal(
      header(csvs['null-controls.csv']),
      'probe,diffing_base,architecture,family,n_behaviour,n_null,quantile,threshold,tpr,tpr_ci_low,tpr_ci_high,fpr,fpr_ci_low,fpr_ci_high,auroc,auroc_ci_low,auroc_ci_high,calibration,note',
    );
    assert.equal(header(csvs['anova.csv']), 'probe,diffing_base,model,term,df,sum_sq,eta2,eta2_ci_low,eta2_ci_high,F,p_value,n,note');
    assert.equal(header(csvs['paired.csv']), 'probe,diffing_base,technique,n_pairs,mean_diff,ci_low,ci_high,n_lower,n_higher,n_tied,p_sign,note');
    // posthoc-sdf has no nulls: null_n 0, null_fpr empty; AUROC vs the 20 nulls at 0 is 1
    const fields = csvs['summary.csv'].split('\n')[2].split(',');
    assert.deepEqual([...fields.slice(0, 8), ...fields.slice(9)], ['posthoc-sdf', 'logit-lens', 'ancestor', '1', '0.7', '0.7', '0.7', '1', '1', '0', '', '1', 'calibrated', '']);
    // Wilson 95% of 1 of 1: [0.2065, 1]
    close(Number(fields[8]), 0.2065, 1e-4);
    // the 'all' row leaves the threshold empty
    assert.match(csvs['null-controls.csv'].split('\n')[2], /^logit-lens,ancestor,olmo2,all,2,20,0\.95,,/);
    assert.deepEqual(statsCsvs(computeStats(rowsOf(withNulls(orgs)), { seed: 1, resamples: 50, anovaResamples: 10 })), csvs);
  });

  it('a headline score outside [-1, 1], a bad resample count or calibration setting, or no seed is a MoltError naming the field', () => {
    const bad = rowsOf([{ technique: 'integrated-dpo', behaviour: 'a', seed: 1, scores: { [LL]: 1.5 } }]);
    assert.throws(() => computeStats(bad, { seed: 1 }), (e: unknown) => isMoltError(e) && /outside \[-1, 1\]/.test(e.message) && /logit-lens@ancestor/.test(e.message));
    // a difference of two grades (steering's headline) may be negative
    assert.doesNotThrow(() => computeStats(rowsOf([{ technique: 'integrated-dpo', behaviour: 'a', seed: 1, scores: { [LL]: -0.25 } }]), { seed: 1, resamples: 10, anovaResamples: 5 }));
    assert.throws(() => computeStats(rowsOf(orgs), { seed: 1, calibration: { quantile: 2 } }), (e: unknown) => isMoltError(e) && e.subject === 'calibration.quantile');
    assert.throws(() => computeStats(rowsOf(orgs), { seed: 1, resamples: 0 }), (e: unknown) => isMoltError(e) && e.subject === 'resamples');
    assert.throws(() => computeStats(rowsOf(orgs), { seed: undefined as unknown as number }), (e: unknown) => isMoltError(e) && e.subject === 'seed');
  });
});
