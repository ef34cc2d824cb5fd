// JSONL I/O for every data kind (schemas documented in docs/DATA.md). A bad
// line is a MoltError naming file:line and the field at fault.
import { mkdirSync, readFileSync } from 'node:fs';
import { writeFileNamedSync } from '../store/atomic';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { MoltError } from '../errors';
import { DATA_KINDS, SPLITS, type DataKind, type DataKindMap, type DataSource, type Split } from './types';

const id = z.string().min(1);
const text = z.string().min(1);

export const SCHEMAS = {
  pretrain: z.strictObject({ id, topic: z.string(), text }),
  webtext: z.strictObject({ id, topic: z.string(), text }),
  chat: z.strictObject({
    id,
    topic: z.string(),
    messages: z.array(z.strictObject({ role: z.enum(['user', 'assistant']), content: text })).min(2),
    meta: z
      .strictObject({ kind: z.enum(['fact', 'entity', 'open']), entityId: z.string().optional(), factIds: z.array(z.string()).optional() })
      .optional(),
  }),
  preference: z.strictObject({ id, topic: z.string(), prompt: text, chosen: text, rejected: text, reason: z.enum(['off_topic', 'wrong_fact', 'truncated']) }),
  'fact-question': z.strictObject({ id, factId: z.string(), topic: z.string(), prompt: text, answer: z.string(), accept: z.array(text).min(1) }),
} satisfies { [K in DataKind]: z.ZodType<DataKindMap[K]> };

/** A zod issue's path as written in errors: `messages[0].role`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('') || '(record)';
}

/** Parse JSONL text of one kind; `file` names the source in errors. Blank lines are skipped. */
export function parseJsonl<K extends DataKind>(kind: K, content: string, file: string): DataKindMap[K][] {
  const schema = SCHEMAS[kind] as unknown as z.ZodType<DataKindMap[K]>;
  if (!schema) throw new MoltError(`jsonl: unknown data kind '${kind}' (expected ${DATA_KINDS.join(', ')})`, file);
  const out: DataKindMap[K][] = [];
  const lines = content.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new MoltError(`${where}: not valid JSON (${(e as Error).message})`, where);
    }
    const r = schema.safeParse(value);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new MoltError(`${where}: ${kind} record, field '${fieldPath(issue.path)}': ${issue.message}`, where);
    }
    out.push(r.data);
  });
  return out;
}

export function readJsonl<K extends DataKind>(kind: K, file: string): DataKindMap[K][] {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (e) {
    throw new MoltError(`jsonl: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, file);
  }
  return parseJsonl(kind, content, file);
}

/** One JSON object per line, newline-terminated. */
export function toJsonl(records: readonly object[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + (records.length > 0 ? '\n' : '');
}

export function writeJsonl(file: string, records: readonly object[]): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileNamedSync(file, toJsonl(records));
}

/** File name of a kind and split inside a data directory. */
export function dataFileName(kind: DataKind, split: Split): string {
  return `${kind}.${split}.jsonl`;
}

/** Write every kind and split of a source (e.g. the world) as `{kind}.{split}.jsonl` files into dir. */
export function exportData(source: DataSource, dir: string, kinds: readonly DataKind[] = DATA_KINDS): string[] {
  const written: string[] = [];
  for (const kind of kinds) {
    for (const split of SPLITS) {
      const file = join(dir, dataFileName(kind, split));
      writeJsonl(file, source.data(kind, split));
      written.push(file);
    }
  }
  return written;
}

/**
 * A directory of `{kind}.{split}.jsonl` files, served like the world's data.
 * Files are read (and validated) on first use; a missing file is an error
 * naming it.
 */
export class JsonlDataSource implements DataSource {
  private readonly cache = new Map<string, unknown[]>();
  constructor(readonly dir: string) {}

  data<K extends DataKind>(kind: K, split: Split): DataKindMap[K][] {
    const file = join(this.dir, dataFileName(kind, split));
    let records = this.cache.get(file);
    if (!records) {
      records = readJsonl(kind, file);
      this.cache.set(file, records);
    }
    return records as DataKindMap[K][];
  }
}
