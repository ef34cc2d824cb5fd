// `molt compare A B`: the row-by-row difference of two results.csv files, for
// CI pipelines that check a change did not move the benchmark. Rows are
// matched by what the cell measures, never by store hashes or run ids: an
// organism_id changes whenever code changes, which is exactly when a
// comparison is wanted. Wall-clock columns are ignored for the same reason.
import { MoltError } from '../errors';
import { numField, tableCsv } from './results-csv';
import { CELL_METRIC, HEADLINE_METRIC, type CellStatus, type ResultRow } from './rows';

/** The columns that say which cell and metric a row is, in sort order. */
export const IDENTITY_COLUMNS = ['behaviour', 'technique', 'architecture', 'seed', 'diffing_base', 'probe', 'layer', 'variant', 'metric'] as const;
export type IdentityColumn = (typeof IDENTITY_COLUMNS)[number];
export type RowIdentity = Pick<ResultRow, IdentityColumn>;

export const CHANGE_KINDS = ['same', 'changed', 'added', 'removed', 'status'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export interface CompareRow extends RowIdentity {
  old: number;
  new: number;
  /** new - old; NaN when either is missing */
  delta: number;
  /** '' when the row is absent from that run */
  old_status: CellStatus | '';
  new_status: CellStatus | '';
  change: ChangeKind;
  /** 1 for a probe's headline score (metric 'headline'), else 0 */
  headline: 0 | 1;
}

export const COMPARE_COLUMNS = [...IDENTITY_COLUMNS, 'old', 'new', 'delta', 'old_status', 'new_status', 'change', 'headline'] as const;

const NUMERIC_IDENTITY = new Set<IdentityColumn>(['seed', 'layer']);

/** A map key for an identity; numbers as in the CSV so NaN layers match. */
function identityKey(r: RowIdentity): string {
  return JSON.stringify(IDENTITY_COLUMNS.map((c) => (NUMERIC_IDENTITY.has(c) ? numField(r[c] as number) : r[c])));
}

/** `behaviour=cake-bake, technique=..., ...` for messages. */
export function describeIdentity(r: RowIdentity): string {
  return IDENTITY_COLUMNS.map((c) => `${c}=${NUMERIC_IDENTITY.has(c) ? numField(r[c] as number) : r[c]}`).join(', ');
}

/** A short human name of a row: `cake-bake/posthoc-fd/olmo2/seed0 steering@ancestor grade01`. */
export function cellLabel(r: RowIdentity): string {
  const organism = `${r.behaviour}/${r.technique}/${r.architecture}/seed${numField(r.seed)}`;
  const where = r.probe === '' ? '' : ` ${r.probe}@${r.diffing_base}`;
  const layer = Number.isNaN(r.layer) ? '' : ` L${r.layer}`;
  const what = r.metric === HEADLINE_METRIC ? (r.variant ? ` headline(${r.variant})` : ' headline') : ` ${r.metric}${r.variant ? `(${r.variant})` : ''}`;
  return `${organism}${where}${layer}${what}`;
}

// Code-unit order (not localeCompare) so the output does not depend on the
// machine's locale; NaN (empty) numbers sort first, like an empty string.
function compareNum(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return (Number.isNaN(a) ? 0 : 1) - (Number.isNaN(b) ? 0 : 1);
  return a - b;
}

export function compareIdentity(a: RowIdentity, b: RowIdentity): number {
  for (const c of IDENTITY_COLUMNS) {
    const d = NUMERIC_IDENTITY.has(c) ? compareNum(a[c] as number, b[c] as number) : a[c] < b[c] ? -1 : a[c] > b[c] ? 1 : 0;
    if (d !== 0) return d;
  }
  return 0;
}

function indexRows(rows: readonly ResultRow[], file: string): Map<string, ResultRow> {
  const byKey = new Map<string, ResultRow>();
  for (const r of rows) {
    const k = identityKey(r);
    if (byKey.has(k)) throw new MoltError(`${file}: duplicate row for ${describeIdentity(r)}`, file);
    byKey.set(k, r);
  }
  return byKey;
}

function sameValue(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

function changeOf(a: ResultRow | undefined, b: ResultRow | undefined): ChangeKind {
  if (!a) return 'added';
  if (!b) return 'removed';
  if (a.status !== b.status) return 'status';
  return sameValue(a.value, b.value) ? 'same' : 'changed';
}

/**
 * Every identity in `a` (the baseline) or `b`, sorted by identity.
 * `files` name the two sources in the duplicate-identity error.
 */
export function compareResults(a: readonly ResultRow[], b: readonly ResultRow[], files = { a: 'A', b: 'B' }): CompareRow[] {
  const oldRows = indexRows(a, files.a);
  const newRows = indexRows(b, files.b);
  const keys = new Set([...oldRows.keys(), ...newRows.keys()]);
  const out: CompareRow[] = [];
  for (const k of keys) {
    const o = oldRows.get(k);
    const n = newRows.get(k);
    const id = (o ?? n)!;
    const oldValue = o ? o.value : NaN;
    const newValue = n ? n.value : NaN;
    out.push({
      behaviour: id.behaviour,
      technique: id.technique,
      architecture: id.architecture,
      seed: id.seed,
      diffing_base: id.diffing_base,
      probe: id.probe,
      layer: id.layer,
      variant: id.variant,
      metric: id.metric,
      old: oldValue,
      new: newValue,
      // NaN - x is NaN already; missing rows are NaN above
      delta: newValue - oldValue,
      old_status: o ? o.status : '',
      new_status: n ? n.status : '',
      change: changeOf(o, n),
      headline: id.metric === HEADLINE_METRIC ? 1 : 0,
    });
  }
  return out.sort(compareIdentity);
}

export function compareCsv(rows: readonly CompareRow[]): string {
  return tableCsv(COMPARE_COLUMNS, rows.map((r) => COMPARE_COLUMNS.map((c) => r[c])));
}

export interface CompareMove {
  cell: string;
  old: number;
  new: number;
  delta: number;
  change: ChangeKind;
}

export interface CompareSummary {
  rows: number;
  counts: Record<ChangeKind, number>;
  /** headline scores present in both runs that moved, largest |delta| first, at most `top` */
  headlineMoves: CompareMove[];
  /** organism QER rows (metric 'qer', probe '') that are not 'same', largest |delta| first, NaN deltas last */
  qerMoves: CompareMove[];
}

function moveOf(r: CompareRow): CompareMove {
  return { cell: cellLabel(r), old: r.old, new: r.new, delta: r.delta, change: r.change };
}

// Largest move first; a NaN delta (one side missing) after every number.
// Array.prototype.sort is stable, so ties keep identity order.
function byAbsDelta(a: CompareRow, b: CompareRow): number {
  const x = Math.abs(a.delta);
  const y = Math.abs(b.delta);
  if (Number.isNaN(x) || Number.isNaN(y)) return (Number.isNaN(x) ? 1 : 0) - (Number.isNaN(y) ? 1 : 0);
  return y - x;
}

export function summarizeComparison(rows: readonly CompareRow[], top = 10): CompareSummary {
  const counts = Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>;
  for (const r of rows) counts[r.change]++;
  const headlineMoves = rows
    .filter((r) => r.headline === 1 && Number.isFinite(r.delta) && r.delta !== 0)
    .sort(byAbsDelta)
    .slice(0, top)
    .map(moveOf);
  const qerMoves = rows
    .filter((r) => r.metric === 'qer' && r.probe === '' && r.change !== 'same')
    .sort(byAbsDelta)
    .map(moveOf);
  return { rows: rows.length, counts, headlineMoves, qerMoves };
}

function fmt(x: number): string {
  return Number.isNaN(x) ? 'NA' : x.toFixed(4);
}

function fmtDelta(x: number): string {
  return Number.isNaN(x) ? '' : ` (${x >= 0 ? '+' : ''}${x.toFixed(4)})`;
}

function moveLine(m: CompareMove): string {
  const tag = m.change === 'changed' ? '' : ` [${m.change}]`;
  return `  ${m.cell}: ${fmt(m.old)} -> ${fmt(m.new)}${fmtDelta(m.delta)}${tag}\n`;
}

/** The text the command prints: counts, top headline moves, QER moves. */
export function summaryText(s: CompareSummary, top = 10): string {
  let out = `${s.rows} rows: ${CHANGE_KINDS.map((k) => `${s.counts[k]} ${k}`).join(', ')}\n`;
  out += s.headlineMoves.length ? `largest headline moves (top ${top}):\n` : 'no headline score moved\n';
  for (const m of s.headlineMoves) out += moveLine(m);
  out += s.qerMoves.length ? `organism QER moves (${s.qerMoves.length}):\n` : 'no organism QER moved\n';
  for (const m of s.qerMoves) out += moveLine(m);
  return out;
}

/**
 * The --fail-on-regression threshold: a plain decimal number >= 0. Anything
 * else (negative, '', 'abc', '0x1') is an error naming the flag.
 */
export function parseRegressionThreshold(value: string, flag = '--fail-on-regression'): number {
  if (!/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value.trim())) throw new MoltError(`${flag}: expected a number >= 0, got '${value}'`, flag);
  return Number(value);
}

export interface Regression {
  row: CompareRow;
  reason: string;
}

// A move of exactly X computed from decimals (0.8 - 0.7 = 0.10000000000000009)
// must not count as "more than X".
const ROUNDING = 1e-12;

/**
 * Headline cells a CI should stop on: a score that moved by more than
 * `threshold` in either direction (an unexplained rise is as suspicious as a
 * drop), or a headline that was ok in the baseline and in the new run is
 * failed, skipped, removed, or lost its value. Headlines new in `b` are not
 * regressions.
 */
export function findRegressions(rows: readonly CompareRow[], threshold: number): Regression[] {
  // A failed or skipped cell keeps only its 'cell' row, so a headline that
  // vanished is explained by the new status of its probe or organism cell.
  const cellKey = (r: RowIdentity, probe: string, base: string) => JSON.stringify([r.behaviour, r.technique, r.architecture, numField(r.seed), probe, base]);
  const cellStatus = new Map<string, CellStatus | ''>();
  for (const r of rows) if (r.metric === CELL_METRIC) cellStatus.set(cellKey(r, r.probe, r.diffing_base), r.new_status);
  const whyRemoved = (r: CompareRow): string => {
    const s = cellStatus.get(cellKey(r, r.probe, r.diffing_base)) || cellStatus.get(cellKey(r, '', ''));
    return s ? `removed (cell ${s} in the new run)` : 'removed';
  };
  const out: Regression[] = [];
  for (const r of rows) {
    if (r.headline !== 1) continue;
    if (r.old_status === 'ok' && r.new_status !== 'ok') {
      out.push({ row: r, reason: r.new_status === '' ? whyRemoved(r) : `ok -> ${r.new_status}` });
    } else if (r.old_status === 'ok' && Number.isFinite(r.old) && !Number.isFinite(r.new)) {
      out.push({ row: r, reason: `${fmt(r.old)} -> no value` });
    } else if (Number.isFinite(r.delta) && Math.abs(r.delta) > threshold + ROUNDING) {
      out.push({ row: r, reason: `${fmt(r.old)} -> ${fmt(r.new)}${fmtDelta(r.delta)}` });
    }
  }
  return out;
}

export function regressionLine(g: Regression): string {
  return `${cellLabel(g.row)}: ${g.reason}`;
}
