// results.csv in and out. Numbers are written with JavaScript's shortest
// round-trip form (String(x)), so reading a file back gives the same doubles
// and writing the same rows twice gives the same bytes; NaN is an empty field.
import { readFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';
import { MoltError } from '../errors';
import { NUMERIC_COLUMNS, RESULT_COLUMNS, type CellStatus, type ResultColumn, type ResultRow } from './rows';

/** A number as a CSV field: '' for NaN/undefined, shortest round-trip otherwise. */
export function numField(x: number | undefined | null): string {
  return x === undefined || x === null || Number.isNaN(x) ? '' : String(x);
}

/** A CSV field back to a number: '' is NaN. */
export function parseNum(s: string | undefined): number {
  if (s === undefined || s === '') return NaN;
  if (s === 'Infinity') return Infinity;
  if (s === '-Infinity') return -Infinity;
  return Number(s);
}

/** Any table (header + rows) as CSV text, numbers via numField. */
export function tableCsv(header: readonly string[], rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string {
  const cell = (v: string | number | boolean | null | undefined): string =>
    typeof v === 'number' ? numField(v) : typeof v === 'boolean' ? (v ? '1' : '0') : v === null || v === undefined ? '' : v;
  return stringify([header.slice(), ...rows.map((r) => r.map(cell))]);
}

export function resultsCsv(rows: readonly ResultRow[]): string {
  return tableCsv(RESULT_COLUMNS, rows.map((r) => RESULT_COLUMNS.map((c) => r[c] as string | number)));
}

const NUMERIC = new Set<ResultColumn>(NUMERIC_COLUMNS);

/** Parse results.csv text; `file` names the source in errors. */
export function parseResultsCsv(text: string, file: string): ResultRow[] {
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: false }) as string[][];
  } catch (e) {
    throw new MoltError(`${file}: not valid CSV: ${(e as Error).message}`, file);
  }
  if (records.length === 0) throw new MoltError(`${file}: empty (expected the header ${RESULT_COLUMNS.join(',')})`, file);
  const header = records[0];
  const missing = RESULT_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) throw new MoltError(`${file}: missing column(s) ${missing.join(', ')}`, file);
  const index = new Map(header.map((h, i) => [h, i]));
  return records.slice(1).map((rec, i) => {
    const row: Record<string, string | number> = {};
    for (const c of RESULT_COLUMNS) {
      const raw = rec[index.get(c)!];
      if (NUMERIC.has(c)) {
        const v = parseNum(raw);
        if (raw !== '' && Number.isNaN(v)) throw new MoltError(`${file}:${i + 2}: column '${c}' is not a number: '${raw}'`, `${file}:${c}`);
        row[c] = v;
      } else row[c] = raw;
    }
    const status = row.status as string;
    if (!['ok', 'failed', 'skipped'].includes(status)) throw new MoltError(`${file}:${i + 2}: column 'status' must be ok, failed or skipped, got '${status}'`, `${file}:status`);
    return row as unknown as ResultRow & { status: CellStatus };
  });
}

export function readResultsCsv(file: string): ResultRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new MoltError(`${file}: cannot read results: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
  }
  return parseResultsCsv(text, file);
}
