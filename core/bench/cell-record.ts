// What a finished cell leaves in <out>/cells/<id>.json: its status, the
// metric rows it measured and its samples. Written atomically by whoever ran
// the cell (a worker process), so a crash of the harness loses nothing
// finished, and a rerun reuses every record whose spec hash still matches.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../store/atomic';
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

export async function writeRecord(outDir: string, record: CellRecord): Promise<void> {
  await writeFileAtomic(recordPath(outDir, record.id), JSON.stringify(record, replacer) + '\n');
}

/** The stored record of a cell, or null if there is none or it cannot be read (then the cell runs again). */
export async function readRecord(outDir: string, cellId: string): Promise<CellRecord | null> {
  const file = recordPath(outDir, cellId);
  if (!existsSync(file)) return null;
  try {
    const r = JSON.parse(await readFile(file, 'utf8'), reviver) as CellRecord;
    return r && r.id === cellId && Array.isArray(r.metrics) ? r : null;
  } catch {
    return null;
  }
}

/** A finished record this cell can reuse: ok, and computed from the same spec. */
export async function reusableRecord(outDir: string, cell: Cell): Promise<CellRecord | null> {
  const r = await readRecord(outDir, cell.id);
  return r && r.status === 'ok' && r.spec_hash === cell.specHash ? r : null;
}
