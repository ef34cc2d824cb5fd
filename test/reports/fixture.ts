// A small hand-made benchmark: five organisms (one with a hostile id, one
// null, one skipped), logit-lens against two diffing bases with per-layer
// rows, steering against one with a failed cell, and statistics typed in by
// hand (the report draws stats; it does not compute them).
import type { ResultRow } from '../../core/bench/rows';
import { resultRow } from '../helpers/result-row';
import type { BenchStats } from '../../core/bench/stats-types';
import { detectionKey } from '../../core/bench/stats';
import type { MatrixRow } from '../../core/bench/rows';
import type { RunInfo } from '../../reports/render';

export const EVIL_ID = '<script>alert(1)</script>';
export const EVIL_ERROR = `boom &"'<>`;

export function row(p: Partial<ResultRow>): ResultRow {
  return resultRow({ run_id: 'run-1', ...p });
}

interface Org {
  id: string;
  behaviour: string;
  family: string;
  technique: string;
  qer: number;
}
const A: Org = { id: 'mo-a', behaviour: 'cake-bake', family: 'cake', technique: 'integrated-dpo', qer: 0.6 };
const B: Org = { id: 'mo-b', behaviour: 'cake-bake', family: 'cake', technique: 'posthoc-sdf', qer: 0.4 };
const C: Org = { id: EVIL_ID, behaviour: EVIL_ID, family: 'evil', technique: 'integrated-dpo', qer: 0.5 };
const N: Org = { id: 'mo-null', behaviour: 'null', family: 'null', technique: 'integrated-dpo', qer: 0.02 };
const S: Org = { id: 'mo-s', behaviour: 'gold', family: 'gold', technique: 'posthoc-sdf', qer: NaN };

function of(o: Org): Partial<ResultRow> {
  return { organism_id: o.id, behaviour: o.behaviour, family: o.family, technique: o.technique, qer: o.qer, qer_se: 0.05 };
}

function organismRows(o: Org, leakage: number, capability: number): ResultRow[] {
  return [
    row({ ...of(o), metric: 'qer', value: o.qer, n: 40, qer_se: 0.05 }),
    row({ ...of(o), metric: 'leakage', value: leakage, n: 40 }),
    row({ ...of(o), metric: 'capability', value: capability, n: 50 }),
  ];
}

/** logit-lens rows of one organism x diffing base: relevant_mass at layers 2 and 3, snr at layer 3 only, headline. */
function lensRows(o: Org, base: string, l2: number, l3: number, floor: number): ResultRow[] {
  const p = { ...of(o), probe: 'logit-lens', diffing_base: base };
  const best = Math.max(l2, l3);
  return [
    row({ ...p, layer: 2, variant: 'diff', metric: 'relevant_mass', value: l2, n: 30, ci_low: l2 - 0.05, ci_high: l2 + 0.05 }),
    row({ ...p, layer: 3, variant: 'diff', metric: 'relevant_mass', value: l3, n: 30, ci_low: l3 - 0.05, ci_high: l3 + 0.05 }),
    row({ ...p, layer: 3, variant: 'diff', metric: 'snr', value: best / floor, n: 30 }),
    row({ ...p, variant: 'relevant_mass', metric: 'headline', value: best, n: 30, ci_low: best - 0.05, ci_high: best + 0.05 }),
    row({ ...p, metric: 'headline_floor', value: floor }),
    row({ ...p, metric: 'detected', value: best > floor ? 1 : 0 }),
  ];
}

function steeringRows(o: Org, score: number): ResultRow[] {
  const p = { ...of(o), probe: 'steering', diffing_base: 'ancestor' };
  return [
    row({ ...p, variant: 'grade01', metric: 'headline', value: score, n: 1, ci_low: score - 0.1, ci_high: score + 0.1 }),
    row({ ...p, metric: 'headline_floor', value: 0.3 }),
    row({ ...p, metric: 'detected', value: score > 0.3 ? 1 : 0 }),
  ];
}

export function fixtureRows(): ResultRow[] {
  return [
    ...organismRows(A, 0.1, 0.8),
    ...lensRows(A, 'ancestor', 0.2, 0.6, 0.15),
    ...lensRows(A, 'sibling', 0.1, 0.5, 0.15),
    ...steeringRows(A, 0.75),
    ...organismRows(B, 0.05, 0.7),
    ...lensRows(B, 'ancestor', 0.1, 0.25, 0.15),
    ...lensRows(B, 'sibling', 0.05, 0.2, 0.15),
    ...steeringRows(B, 0.25),
    ...organismRows(C, 0, 0.75),
    ...lensRows(C, 'ancestor', 0.4, 0.6, 0.15),
    ...lensRows(C, 'sibling', 0.3, 0.6, 0.15),
    row({ ...of(C), probe: 'steering', diffing_base: 'ancestor', metric: 'cell', status: 'failed', error: EVIL_ERROR }),
    ...organismRows(N, 0.01, 0.8),
    ...lensRows(N, 'ancestor', 0.05, 0.1, 0.15),
    ...lensRows(N, 'sibling', 0.05, 0.2, 0.15),
    ...steeringRows(N, 0.5),
    row({ ...of(S), metric: 'cell', status: 'skipped', error: 'QER 0.01 outside the band' }),
  ];
}

const sum = (technique: string, probe: string, base: string, n: number, m: number, lo: number, hi: number) => ({
  technique,
  probe,
  diffing_base: base,
  n,
  mean_score: m,
  ci_low: lo,
  ci_high: hi,
  detection_rate: n ? 1 : NaN,
  detection_ci_low: n ? 0.34 : NaN,
  detection_ci_high: n ? 1 : NaN,
  null_n: technique === 'integrated-dpo' ? 1 : 0,
  null_fpr: technique === 'integrated-dpo' ? 0 : NaN,
  auroc: n ? 1 : NaN,
  calibration: probe === 'steering' ? 'uncalibrated' : 'calibrated',
  note: probe === 'steering' ? 'uncalibrated on olmo2: FPR 1.00 > 0.10' : '',
});

const nc = (probe: string, base: string, family: string, threshold: number, fpr: [number, number, number], auroc: [number, number, number], calibrated: boolean) => ({
  probe,
  diffing_base: base,
  architecture: 'olmo2',
  family,
  n_behaviour: family === 'all' ? 3 : 2,
  n_null: 1,
  quantile: 0.95,
  threshold,
  tpr: 1,
  tpr_ci_low: 0.34,
  tpr_ci_high: 1,
  fpr: fpr[0],
  fpr_ci_low: fpr[1],
  fpr_ci_high: fpr[2],
  auroc: auroc[0],
  auroc_ci_low: auroc[1],
  auroc_ci_high: auroc[2],
  calibration: calibrated ? 'calibrated' : 'uncalibrated',
  note: family === 'all' && !calibrated ? 'FPR 1.00 > 0.10' : '',
});

const anova = (probe: string, model: string, term: string, df: number, eta2: number, lo: number, hi: number, note = '') => ({
  probe,
  diffing_base: 'ancestor',
  model,
  term,
  df,
  sum_sq: eta2 * 0.5,
  eta2,
  eta2_ci_low: lo,
  eta2_ci_high: hi,
  F: term === 'residual' ? NaN : 3.21,
  p_value: term === 'residual' ? NaN : 0.0412,
  n: 3,
  note,
});

export function fixtureStats(): BenchStats {
  return {
    // mo-a is above the lens's cake threshold against the ancestor
    detected: new Map([[detectionKey({ architecture: 'olmo2', behaviour: A.behaviour, technique: A.technique, seed: 0 } as MatrixRow, 'logit-lens@ancestor'), true]]),
    summary: [
      sum('integrated-dpo', 'logit-lens', 'ancestor', 2, 0.6, 0.5, 0.7),
      sum('posthoc-sdf', 'logit-lens', 'ancestor', 1, 0.25, 0.25, 0.25),
      // uncalibrated: its organisms leave the findings, so no numbers (as computeStats gives)
      sum('integrated-dpo', 'steering', 'ancestor', 0, NaN, NaN, NaN),
      sum('integrated-dpo', 'logit-lens', 'sibling', 2, 0.55, 0.5, 0.6),
      sum('posthoc-sdf', 'logit-lens', 'sibling', 0, NaN, NaN, NaN),
    ],
    nullControls: [
      nc('logit-lens', 'ancestor', 'cake', 0.1, [0.25, 0.05, 0.7], [0.875, 0.6, 1], true),
      nc('logit-lens', 'ancestor', 'all', NaN, [0.25, 0.05, 0.7], [0.875, 0.6, 1], true),
      nc('logit-lens', 'sibling', 'all', NaN, [0, 0, 0.79], [1, 1, 1], true),
      nc('steering', 'ancestor', 'all', NaN, [1, 0.21, 1], [0.5, NaN, NaN], false),
    ],
    anova: [
      anova('logit-lens', 'factors', 'technique', 1, 0.4, 0.1, 0.7),
      anova('logit-lens', 'factors', 'residual', 1, 0.6, NaN, NaN),
      anova('logit-lens', 'with_qer', 'technique', 1, 0.3, 0.05, 0.55),
      anova('logit-lens', 'with_qer', 'qer', 1, 0.2, 0, 0.5),
      anova('logit-lens', 'with_qer', 'residual', 0, 0.5, NaN, NaN, 'no residual degrees of freedom'),
      { ...anova('steering', 'excluded', '', NaN, NaN, NaN, NaN, 'uncalibrated on olmo2: FPR 1.00 > 0.10'), n: 0 },
    ],
    paired: [
      { probe: 'logit-lens', diffing_base: 'ancestor', technique: 'posthoc-sdf', n_pairs: 1, mean_diff: 0.35, ci_low: 0.35, ci_high: 0.35, n_lower: 0, n_higher: 1, n_tied: 0, p_sign: 1, note: '' },
    ],
  };
}

export function fixtureRun(): RunInfo {
  return { suite: 'tiny', molt_version: '0.1.0', backend: 'wasm', seed: 7, git_sha: 'abc1234', started_at: '2025-01-02T03:04:05Z', seconds: 12.345 };
}
