// What a finished cell leaves in <out>/cells/<id>.json: its status, the
// metric rows it measured and its samples, the spec hash it was computed
// under, and a checksum of all that. Written atomically by whoever ran the
// cell (a worker process), so a crash of the harness loses nothing finished,
// and a rerun reuses every record whose spec hash still matches. A record
// that is not valid JSON, not of a record's shape, or whose checksum does not
// match (edited by hand, damaged) is reported and computed again.
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../store/atomic';
import { canonicalJson, sha256Hex } from '../store/content-hash';
import { cellFileName, type Cell } from './plan';
import type { ResultRow } from './rows';

/** One measured metric of a cell (the identifying columns come from the cell). */
export type MetricRow = Pick<ResultRow, 'probe' | 'diffing_base' | 'layer' | 'variant' | 'metric' | 'value' | 'n' | 'ci_low' | 'ci_high'>;

/** A metric row with what it does not say left empty (NaN, ''). */
export function metricRow(m: Partial<MetricRow> & Pick<MetricRow, 'metric' | 'value'>): MetricRow {
  return { probe: '', diffing_base: '', layer: NaN, variant: '', n: NaN, ci_low: NaN, ci_high: NaN, ...m };
}

/** The organism a cell measured: what every row of that organism repeats. */
export interface OrganismInfo {
  /** store key of the organism checkpoint */
  id: string;
  family: string;
  pipeline: string;
  qer: number;
  qer_se: number;
}

export interface CellRecord {
  id: string;
  kind: Cell['kind'];
  spec_hash: string;
  status: 'ok' | 'failed';
  error: string;
  /** organism cells only */
  organism?: OrganismInfo;
  metrics: MetricRow[];
  /** generations, findings, grades: one JSON object each, for samples.jsonl */
  samples: Record<string, unknown>[];
  cost_s: number;
  created_at: string;
}

export const CELLS_DIR = 'cells';

export function recordPath(outDir: string, cellId: string): string {
  return join(outDir, CELLS_DIR, cellFileName(cellId));
}

// NaN and +-Infinity are not JSON: tag them so they come back as numbers.
function replacer(_k: string, v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  return v;
}
function reviver(_k: string, v: unknown): unknown {
  return v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v;
}

// The record as stored: NaN and infinities are tagged strings (see replacer)
const num = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]);
const StoredRecord = z.object({
  id: z.string(),
  kind: z.enum(['base', 'organism', 'probe']),
  spec_hash: z.string(),
  status: z.enum(['ok', 'failed']),
  error: z.string(),
  organism: z.object({ id: z.string(), family: z.string(), pipeline: z.string(), qer: num, qer_se: num }).optional(),
  metrics: z.array(z.object({ probe: z.string(), diffing_base: z.string(), layer: num, variant: z.string(), metric: z.string(), value: num, n: num, ci_low: num, ci_high: num })),
  samples: z.array(z.record(z.string(), z.unknown())),
  cost_s: num,
  created_at: z.string(),
});

/** sha256 of a stored record's canonical JSON, the checksum field left out. */
function checksumOf(stored: Record<string, unknown>): string {
  const { checksum: _c, ...content } = stored;
  return sha256Hex(canonicalJson(content));
}

export async function writeRecord(outDir: string, record: CellRecord): Promise<void> {
  const stored = JSON.parse(JSON.stringify(record, replacer)) as Record<string, unknown>;
  await writeFileAtomic(recordPath(outDir, record.id), JSON.stringify({ ...stored, checksum: checksumOf(stored) }) + '\n');
}

/** A stored record that cannot be used, and why; `legacy` when it only lacks the checksum older molts did not write. */
export interface RecordProblem {
  file: string;
  problem: string;
  legacy?: boolean;
}

/** The stored record of a cell: null if there is none, a RecordProblem if the file is not a valid record of this cell. */
export async function loadRecord(outDir: string, cellId: string): Promise<CellRecord | RecordProblem | null> {
  const file = recordPath(outDir, cellId);
  const bad = (problem: string, legacy = false): RecordProblem => ({ file, problem, ...(legacy ? { legacy } : {}) });
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return bad(`cannot read (${(e as Error).message})`);
  }
  let stored: unknown;
  try {
    stored = JSON.parse(text);
  } catch {
    return bad('not valid JSON');
  }
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return bad('not a JSON object');
  const checksum = (stored as { checksum?: unknown }).checksum;
  if (checksum === undefined) return bad('has no checksum (written by a molt before records carried one)', true);
  if (checksum !== checksumOf(stored as Record<string, unknown>)) return bad('its content does not match its checksum (edited or damaged)');
  const shape = StoredRecord.safeParse(stored);
  if (!shape.success) return bad(`not a cell record: field '${shape.error.issues[0].path.join('.')}': ${shape.error.issues[0].message}`);
  if (shape.data.id !== cellId) return bad(`holds the record of ${shape.data.id}`);
  const { checksum: _c, ...record } = JSON.parse(text, reviver) as CellRecord & { checksum: string };
  return record;
}

export function isRecordProblem(r: CellRecord | RecordProblem | null): r is RecordProblem {
  return r !== null && 'problem' in r;
}

/** The stored record of a cell, or null if there is none or it is not valid (then the cell runs again). */
export async function readRecord(outDir: string, cellId: string): Promise<CellRecord | null> {
  const r = await loadRecord(outDir, cellId);
  return isRecordProblem(r) ? null : r;
}

/**
 * The records `cells` can reuse (ok, computed from the same spec). Every
 * stored record that cannot be used is reported with `warn`, one line per
 * file; records that only lack a checksum (an out dir of an older molt) in
 * one line together. Those cells are computed again.
 */
export async function reusableRecords(outDir: string, cells: readonly Cell[], warn: (line: string) => void): Promise<Map<string, CellRecord>> {
  const reusable = new Map<string, CellRecord>();
  const legacy: string[] = [];
  for (const c of cells) {
    const r = await loadRecord(outDir, c.id);
    if (isRecordProblem(r)) {
      if (r.legacy) legacy.push(r.file);
      else warn(`${r.file}: ${r.problem}; the cell is computed again`);
    } else if (r && r.status === 'ok' && r.spec_hash === c.specHash) reusable.set(c.id, r);
  }
  if (legacy.length) warn(`${legacy.length} record(s) in ${join(outDir, CELLS_DIR)} have no checksum (written by a molt before records carried one, e.g. ${legacy[0]}): their cells are computed again; store checkpoints are reused`);
  return reusable;
}
