// The report's tables: the statistics (summary, null controls, ANOVA,
// paired), the organism matrix and the cells that failed or were skipped.
// Rows are sorted here, whatever order they arrive in, so the page is a
// function of the data alone.
import { CELL_METRIC, probeKey, type MatrixRow, type ResultRow } from '../core/bench/rows';
import type { AnovaRow, NullControlRow, PairedRow, SummaryRow } from '../core/bench/stats-types';
import { ALL_FAMILIES, EXCLUDED_MODEL } from '../core/bench/stats';
import type { OrganismCheck } from '../core/bench/organism-checks';
import { compareText, esc, fmt, fmtCi, pm, raw, sortedUnique, table, type Cell } from './html';
import type { ProbeBase } from './plots';

function byKeys<T>(rows: readonly T[], ...keys: ((r: T) => string | number)[]): T[] {
  return [...rows].sort((a, b) => {
    for (const k of keys) {
      const [x, y] = [k(a), k(b)];
      const c = typeof x === 'number' && typeof y === 'number' ? x - y || 0 : compareText(String(x), String(y));
      if (c) return c;
    }
    return 0;
  });
}

export function summaryTable(summary: readonly SummaryRow[]): string {
  const rows = byKeys(summary, (s) => s.diffing_base, (s) => s.probe, (s) => s.technique).map((s): Cell[] => [
    s.diffing_base,
    s.probe,
    s.technique,
    s.n,
    fmtCi(s.mean_score, s.ci_low, s.ci_high),
    fmtCi(s.detection_rate, s.detection_ci_low, s.detection_ci_high),
    s.null_n,
    s.null_fpr,
    s.auroc,
    s.calibration === 'calibrated' ? s.calibration : raw(`<span class="bad">${esc(s.calibration)}</span>`),
    s.note,
  ]);
  return table(['diffing base', 'probe', 'technique', 'n', 'mean score [95% CI]', 'detection rate [95% CI]', 'null n', 'null FPR (leave-one-out)', 'AUROC vs all nulls', 'calibration', 'left out'], rows, {
    empty: 'no summary rows',
  });
}

export function nullControlsTable(nullControls: readonly NullControlRow[]): string {
  // each probe x diffing base x architecture: its families, then 'all' (where the verdict is)
  const rows = byKeys(nullControls, (c) => c.probe, (c) => c.diffing_base, (c) => c.architecture, (c) => (c.family === ALL_FAMILIES ? 1 : 0), (c) => c.family).map((c): Cell[] => [
    c.probe,
    c.diffing_base,
    c.architecture,
    c.family,
    c.n_behaviour,
    c.n_null,
    c.threshold,
    fmtCi(c.tpr, c.tpr_ci_low, c.tpr_ci_high),
    fmtCi(c.fpr, c.fpr_ci_low, c.fpr_ci_high),
    fmtCi(c.auroc, c.auroc_ci_low, c.auroc_ci_high),
    c.family !== ALL_FAMILIES ? '' : c.calibration === 'calibrated' ? c.calibration : raw(`<span class="bad">${esc(c.calibration)}</span>`),
    c.note,
  ]);
  return table(
    ['probe', 'diffing base', 'arch', 'family', 'behaviour organisms', 'null organisms', 'threshold', 'TPR [95% CI]', 'FPR leave-one-out [95% CI]', 'AUROC [95% CI]', 'calibration', 'why not'],
    rows,
    { empty: 'no null-control rows' },
  );
}

// the order a reader expects; terms a future model adds follow, sorted
const TERM_ORDER = ['technique', 'family', 'architecture', 'pipeline', 'qer', 'residual'];
const MODEL_ORDER = ['factors', 'with_qer'];
const MODEL_LABEL: Record<string, string> = {
  factors: "model 'factors': technique + behaviour + architecture + pipeline",
  with_qer: "model 'with_qer': the same + QER as a covariate",
};

function rank(order: readonly string[], x: string): number {
  const i = order.indexOf(x);
  return i < 0 ? order.length : i;
}

/** ANOVA with the models side by side: one row per probe x diffing base x term, a column group per model. */
export function anovaTable(all: readonly AnovaRow[]): string {
  const excluded = byKeys(
    all.filter((a) => a.model === EXCLUDED_MODEL),
    (a) => a.probe,
    (a) => a.diffing_base,
  );
  const anova = all.filter((a) => a.model !== EXCLUDED_MODEL);
  const left = excluded.length ? `<ul class="excluded">\n${excluded.map((a) => `<li>${esc(`${a.probe} @ ${a.diffing_base} left out: ${a.note}`)}</li>`).join('\n')}\n</ul>\n` : '';
  return left + anovaModels(anova);
}

function anovaModels(anova: readonly AnovaRow[]): string {
  const models = sortedUnique(anova.map((a) => a.model)).sort((a, b) => rank(MODEL_ORDER, a) - rank(MODEL_ORDER, b) || compareText(a, b));
  const at = new Map(anova.map((a) => [JSON.stringify([a.probe, a.diffing_base, a.term, a.model]), a]));
  const keys = new Map(anova.map((a) => [JSON.stringify([a.probe, a.diffing_base, a.term]), a]));
  const ordered = byKeys([...keys.values()], (a) => a.probe, (a) => a.diffing_base, (a) => rank(TERM_ORDER, a.term), (a) => a.term);
  const perModel = ['df', 'sum sq', 'eta2 [95% CI]', 'F', 'p', 'n', 'note'];
  const rows = ordered.map((k): Cell[] => [
    k.probe,
    k.diffing_base,
    k.term,
    ...models.flatMap((m): Cell[] => {
      const a = at.get(JSON.stringify([k.probe, k.diffing_base, k.term, m]));
      return a ? [a.df, a.sum_sq, fmtCi(a.eta2, a.eta2_ci_low, a.eta2_ci_high), a.F, a.p_value, a.n, a.note] : ['', '', '', '', '', '', 'not in this model'];
    }),
  ]);
  return table(['probe', 'diffing base', 'term', ...models.flatMap(() => perModel)], rows, {
    groups: [['', 3], ...models.map((m): [string, number] => [MODEL_LABEL[m] ?? `model '${m}'`, perModel.length])],
    empty: 'no ANOVA rows',
  });
}

export function pairedTable(paired: readonly PairedRow[], reference: string | undefined): string {
  const rows = byKeys(paired, (p) => p.probe, (p) => p.diffing_base, (p) => p.technique).map((p): Cell[] => [
    p.probe,
    p.diffing_base,
    p.technique,
    p.n_pairs,
    fmtCi(p.mean_diff, p.ci_low, p.ci_high),
    p.n_lower,
    p.n_higher,
    p.n_tied,
    p.p_sign,
    p.note,
  ]);
  return table(
    ['probe', 'diffing base', 'technique', 'pairs', `mean (${reference ?? 'reference'} - technique) [95% CI]`, 'reference lower', 'reference higher', 'tied', 'sign-test p', 'left out'],
    rows,
    { empty: reference === undefined ? 'no paired analysis (no paired_reference)' : `no paired rows (needs ${reference} and another technique on the same behaviour, architecture and seed)` },
  );
}

/** an organism x probe x diffing base detected under the run's null calibration (BenchStats.detected) */
export type Detection = (m: MatrixRow, key: string) => boolean | undefined;

function scoreCell(m: MatrixRow, key: string, detected: Detection): Cell {
  const s = m.scores[key];
  if (!s) return '';
  if (s.status !== 'ok') return raw(`<span class="bad">${esc(s.status)}</span>`);
  const txt = esc(fmtCi(s.score, s.ci_low, s.ci_high));
  return raw(detected(m, key) ? `<span class="det">${txt} &#10003;</span>` : txt);
}

/** matrix rows in reading order: technique, behaviour, architecture, seed */
export function sortedMatrix(matrix: readonly MatrixRow[]): MatrixRow[] {
  return byKeys(matrix, (m) => m.technique, (m) => m.behaviour, (m) => m.architecture, (m) => m.seed, (m) => m.organism_id);
}

/** One row per organism: its validity numbers and each probe x diffing base's score. */
export function matrixTable(matrix: readonly MatrixRow[], pbs: readonly ProbeBase[], detected: Detection): string {
  const keys = pbs.map((pb) => probeKey(pb.probe, pb.diffing_base));
  const rows = sortedMatrix(matrix).map((m): Cell[] => [
    m.organism_id,
    m.behaviour,
    m.technique,
    m.architecture,
    m.seed,
    m.status === 'ok' ? 'ok' : raw(`<span class="bad">${esc(m.status)}</span>`),
    pm(m.qer, m.qer_se),
    pm(m.leakage, m.leakage_se),
    pm(m.capability, m.capability_se),
    ...keys.map((k) => scoreCell(m, k, detected)),
  ]);
  return table(['organism', 'behaviour', 'technique', 'arch', 'seed', 'status', 'QER \u00b1 SE', 'leakage \u00b1 SE', 'capability \u00b1 SE', ...keys], rows, {
    className: 'matrix',
    empty: 'no organisms in results.csv',
  });
}

/** Every failed or skipped cell (organism or probe) with its error text. */
/** organisms.csv: each organism against the organism checks; a check that does not apply is blank. */
export function organismsTable(checks: readonly OrganismCheck[]): string {
  const mark = (flag: number): Cell => (Number.isNaN(flag) ? '' : flag === 1 ? 'yes' : 'NO');
  const rows = byKeys(checks, (c) => c.family, (c) => c.behaviour, (c) => c.technique, (c) => c.architecture, (c) => c.seed).map((c): Cell[] => [
    c.behaviour,
    c.technique,
    c.architecture,
    c.seed,
    c.status,
    pm(c.qer, c.qer_se),
    Number.isNaN(c.band_low) ? '' : `${fmt(c.band_low)}-${fmt(c.band_high)}`,
    mark(c.in_band),
    pm(c.qer_val, c.qer_val_se),
    fmt(c.qer_test_val_z),
    mark(c.test_val_within_2se),
    pm(c.qer_base, c.qer_base_se),
    mark(c.base_below_band),
    pm(c.leakage, c.leakage_se),
    fmt(c.leakage_base),
    mark(c.leakage_ok),
    pm(c.capability_drop, c.capability_drop_se),
    mark(c.capability_ok),
    mark(c.valid),
    c.invalid_reason,
    pm(c.chat_on_topic, c.chat_on_topic_se),
    fmt(c.chat_on_topic_base),
    mark(c.null_at_base),
    fmt(c.cost_s),
  ]);
  return table(
    [
      'behaviour', 'technique', 'arch', 'seed', 'status', 'test QER \u00b1 SE', 'band', 'in band', 'val QER \u00b1 SE', 'z test-val', '|z| <= 2',
      'base QER \u00b1 SE', 'base below', 'leakage \u00b1 SE', 'base leakage', '<= base + 2 pts', 'capability drop \u00b1 SE', '<= 10 pts', 'valid', 'why not', 'chat on topic \u00b1 SE', 'base on topic', 'null at base', 'seconds',
    ],
    rows,
    { empty: 'no organisms' },
  );
}

export function failuresTable(rows: readonly ResultRow[]): string {
  const bad = byKeys(
    rows.filter((r) => r.status !== 'ok'),
    (r) => r.technique,
    (r) => r.behaviour,
    (r) => r.architecture,
    (r) => r.seed,
    (r) => r.probe,
    (r) => r.diffing_base,
    (r) => r.metric,
  );
  const body = bad.map((r): Cell[] => [
    r.organism_id,
    r.behaviour,
    r.technique,
    r.architecture,
    r.seed,
    r.probe === '' ? '(organism)' : r.probe,
    r.diffing_base,
    r.metric === CELL_METRIC ? r.status : `${r.status} (${r.metric})`,
    raw(`<pre>${esc(r.error)}</pre>`),
  ]);
  return table(['organism', 'behaviour', 'technique', 'arch', 'seed', 'probe', 'diffing base', 'status', 'error'], body, { empty: 'every cell ran' });
}
