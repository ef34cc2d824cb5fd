// Everything a benchmark run derives from its results.csv: matrix.csv, the
// four statistics CSVs and report.html. One function writes them all, so the
// harness (after a run) and `molt report DIR` (any time later) produce the
// same bytes from the same rows.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MoltError } from '../core/errors';
import { readJsonFile, writeFileAtomic } from '../core/store/atomic';
import { renderReport, type CellCounts, type RunInfo } from './render';
import { matrixCsv, matrixRows } from '../core/bench/matrix';
import { readResultsCsv } from '../core/bench/results-csv';
import type { ResultRow } from '../core/bench/rows';
import { computeStats, detectionKey, statsCsvs } from '../core/bench/stats';
import { readSamples } from './samples';
import { organismChecks, organismChecksCsv, type BehaviourInfo, type OrganismCheck } from '../core/bench/organism-checks';

export type { RunInfo };

export const RESULTS_FILE = 'results.csv';
export const RUN_FILE = 'run.json';
export const MATRIX_FILE = 'matrix.csv';
export const REPORT_FILE = 'report.html';
export const ORGANISMS_FILE = 'organisms.csv';

const UNKNOWN = 'unknown';

/**
 * Migration of run.json files written before suites named their paired
 * reference (the `paired_reference` key, null when a suite names none): every
 * such run paired its techniques with this one, built into the analysis, so
 * `molt report` on a published run of that time rebuilds the same paired.csv.
 * It names a built-in technique only to read old files; runs written since say
 * what they paired with.
 */
const PAIRED_REFERENCE_BEFORE_THE_SETTING = 'integrated-dpo';

/** run.json's paired reference: a string, null (no paired analysis) or, in files that predate the key, the old built-in one. */
function pairedReferenceField(file: string, obj: Record<string, unknown>): string | undefined {
  if (!('paired_reference' in obj)) return PAIRED_REFERENCE_BEFORE_THE_SETTING;
  const v = obj.paired_reference;
  if (v === null) return undefined;
  if (typeof v !== 'string' || v === '') throw new MoltError(`${file}: field 'paired_reference' must be a technique id or null, got ${JSON.stringify(v)}`, `${file}:paired_reference`);
  return v;
}

function field<T>(file: string, obj: Record<string, unknown>, name: string, type: 'string' | 'number', fallback: T): T {
  const v = obj[name];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== type || (type === 'number' && !Number.isFinite(v))) {
    throw new MoltError(`${file}: field '${name}' must be a ${type === 'number' ? 'finite number' : 'string'}, got ${JSON.stringify(v)}`, `${file}:${name}`);
  }
  return v as T;
}

function cellsField(file: string, obj: Record<string, unknown>): CellCounts | undefined {
  const c = obj.cells;
  if (c === undefined || c === null) return undefined;
  if (typeof c !== 'object' || Array.isArray(c)) throw new MoltError(`${file}: field 'cells' must be an object {total, ok, failed, skipped}`, `${file}:cells`);
  const o = c as Record<string, unknown>;
  const n = (k: string) => {
    const v = field<number>(file, o, k, 'number', NaN);
    if (!(Number.isInteger(v) && v >= 0)) throw new MoltError(`${file}: field 'cells.${k}' must be a count (integer >= 0), got ${JSON.stringify(o[k])}`, `${file}:cells.${k}`);
    return v;
  };
  return { total: n('total'), ok: n('ok'), failed: n('failed'), skipped: n('skipped') };
}

function behavioursField(file: string, obj: Record<string, unknown>): Record<string, BehaviourInfo> | undefined {
  const b = obj.behaviours;
  if (b === undefined || b === null) return undefined;
  const bad = (id: string, what: string) => new MoltError(`${file}: field 'behaviours.${id}' ${what}`, `${file}:behaviours.${id}`);
  if (typeof b !== 'object' || Array.isArray(b)) throw new MoltError(`${file}: field 'behaviours' must be an object {id: {family, pipeline, band}}`, `${file}:behaviours`);
  const out: Record<string, BehaviourInfo> = {};
  for (const [id, v] of Object.entries(b as Record<string, unknown>)) {
    const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
    const band = (typeof o.band === 'object' && o.band !== null ? o.band : {}) as Record<string, unknown>;
    if (typeof o.family !== 'string' || typeof o.pipeline !== 'string') throw bad(id, 'needs string family and pipeline');
    if (![band.low, band.high, band.target].every((x) => typeof x === 'number' && Number.isFinite(x))) throw bad(id, 'needs band {low, high, target} as numbers');
    out[id] = { family: o.family, pipeline: o.pipeline, band: { low: band.low as number, high: band.high as number, target: band.target as number } };
  }
  return out;
}

/**
 * The run's description from DIR/run.json; without that file (a results.csv
 * copied on its own), what the rows tell (molt_version) and 'unknown'
 * elsewhere, seed 0. Fields run.json lacks fall back the same way (the
 * paired reference: see PAIRED_REFERENCE_BEFORE_THE_SETTING).
 */
export async function readRunInfo(dir: string, rows: readonly ResultRow[]): Promise<RunInfo> {
  const file = join(dir, RUN_FILE);
  const fromRows = rows.find((r) => r.molt_version !== '')?.molt_version ?? UNKNOWN;
  const json = existsSync(file) ? await readJsonFile<unknown>(file) : {};
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new MoltError(`${file}: expected a JSON object`, file);
  const o = json as Record<string, unknown>;
  const run: RunInfo = {
    suite: field(file, o, 'suite', 'string', UNKNOWN),
    molt_version: field(file, o, 'molt_version', 'string', fromRows),
    backend: field(file, o, 'backend', 'string', UNKNOWN),
    seed: field(file, o, 'seed', 'number', 0),
    git_sha: field(file, o, 'git_sha', 'string', UNKNOWN),
  };
  const title = field<string | undefined>(file, o, 'title', 'string', undefined);
  const startedAt = field<string | undefined>(file, o, 'started_at', 'string', undefined);
  const seconds = field<number | undefined>(file, o, 'seconds', 'number', undefined);
  const cells = cellsField(file, o);
  const behaviours = behavioursField(file, o);
  const pairedReference = pairedReferenceField(file, o);
  // optional fields only when present, so the object (and the page) carries no 'undefined' keys
  return {
    ...run,
    ...(title !== undefined && { title }),
    ...(startedAt !== undefined && { started_at: startedAt }),
    ...(seconds !== undefined && { seconds }),
    ...(cells && { cells }),
    ...(behaviours && { behaviours }),
    ...(pairedReference !== undefined && { paired_reference: pairedReference }),
  };
}

/**
 * Write matrix.csv, organisms.csv, summary.csv, null-controls.csv, anova.csv,
 * paired.csv and report.html into `dir`, each atomically; returns their paths
 * in that order. organisms.csv leaves the band checks empty for behaviours
 * run.json does not describe; report.html's sample view reads
 * dir/samples.jsonl (or its .gz) when there is one.
 * The statistics' bootstraps are seeded with run.seed.
 */
export async function writeDerivedOutputs(dir: string, rows: readonly ResultRow[], run: RunInfo): Promise<string[]> {
  const checks = organismChecks(rows, run.behaviours ?? {});
  const stats = computeStats(findingRows(rows, checks), { seed: run.seed, pairedReference: run.paired_reference });
  const files: [string, string][] = [
    [MATRIX_FILE, matrixCsv(matrixRows(rows), (m, key) => stats.detected?.get(detectionKey(m, key)))],
    [ORGANISMS_FILE, organismChecksCsv(checks)],
    ...Object.entries(statsCsvs(stats)),
    [REPORT_FILE, renderReport({ rows: [...rows], stats, run, samples: readSamples(dir) })],
  ];
  const paths: string[] = [];
  for (const [name, text] of files) {
    const path = join(dir, name);
    await writeFileAtomic(path, text);
    paths.push(path);
  }
  return paths;
}

/**
 * The rows the findings (summary, null controls, ANOVA, paired) are computed
 * from: every row but those of behaviour organisms that failed their checks
 * (organisms.csv `valid` 0, with the reason). An organism whose checks are
 * unknown (run.json without bands) stays in.
 */
export function findingRows(rows: readonly ResultRow[], checks: readonly OrganismCheck[]): ResultRow[] {
  const invalid = new Set(checks.filter((c) => c.valid === 0).map((c) => c.organism_id));
  return rows.filter((r) => !invalid.has(r.organism_id));
}

/** `molt report DIR`: read DIR/results.csv (and run.json) and rewrite everything derived from it. */
export async function rebuildOutputs(dir: string): Promise<string[]> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new MoltError(`report: ${dir} is not a directory (expected a benchmark output directory holding ${RESULTS_FILE})`, dir);
  const results = join(dir, RESULTS_FILE);
  if (!existsSync(results)) throw new MoltError(`report: ${results} not found (the benchmark writes it; point at its output directory)`, results);
  const rows = readResultsCsv(results);
  return writeDerivedOutputs(dir, rows, await readRunInfo(dir, rows));
}
