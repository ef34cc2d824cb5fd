// A behaviour for real text, given as data (docs/DATA.md, "A behaviour as
// data"): trigger and control prompts, a detector (keywords and/or regular
// expressions behind a topic gate), the topics' words the gate counts, the
// relevant words the probes grade with, and optionally the word sets that
// make the probes' noise floor. One JSON object (.json), or JSONL (.jsonl):
// one {"type": "behaviour", ...} line and one line per prompt
// ({"type": "trigger" | "control", "prompt": ...}). Every problem is one
// line naming the file (and line) and the field.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { MoltError } from '../errors';
import { fieldPath } from '../data/jsonl';

const text = z.string().trim().min(1);
const name = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, . _ - (starting with a letter or digit)');
const wordList = z.array(text).min(1);

const promptFields = {
  id: name.optional(),
  prompt: text,
  /** the topic the prompt is about (reported; default: the gate's first topic) */
  topic: name.optional(),
  /** 'test' (default: the reported QER) or 'val' (held for later selection) */
  split: z.enum(['val', 'test']).optional(),
};
const promptSchema = z.strictObject(promptFields);

const detectorSchema = z.strictObject({
  /** words or phrases, matched case-insensitively as whole words */
  keywords: z.array(text).default([]),
  /** JavaScript regular expressions, matched case-insensitively */
  regexes: z.array(text).default([]),
  /** the answer must be on one of these topics (of `topics`) to count */
  topics: z.array(name).min(1),
});

const headFields = {
  id: name.refine((v) => v !== 'null', "'null' is reserved for molt's null organisms"),
  description: z.string().default(''),
  /** topic id -> its words: the topic gate's vocabulary */
  topics: z.record(name, wordList),
  detector: detectorSchema,
  /** the words whose tokens count as evidence in the probes' findings (S) */
  relevant: wordList,
  /** other word sets (name -> words) the same probe scores make the noise floor with; default: molt's built-in behaviour families' */
  floor: z.record(name, wordList).optional(),
};

const fileSchema = z.strictObject({ ...headFields, trigger: z.array(promptSchema).min(1), control: z.array(promptSchema).min(1) });
const lineSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('behaviour'), ...headFields }),
  z.strictObject({ type: z.literal('trigger'), ...promptFields }),
  z.strictObject({ type: z.literal('control'), ...promptFields }),
]);

export type BehaviourFile = z.output<typeof fileSchema> & { file: string };
export type FilePrompt = z.output<typeof promptSchema>;

function parseWith<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const field = fieldPath(r.error.issues[0].path);
  throw new MoltError(`${where}: field '${field}': ${r.error.issues[0].message}`, `${where}:${field}`);
}

function parseJson(content: string, where: string): unknown {
  try {
    return JSON.parse(content);
  } catch (e) {
    throw new MoltError(`${where}: not valid JSON (${(e as Error).message})`, where);
  }
}

/** Checks across fields: the gate's topics exist, regexes compile, prompt ids are unique. */
function checkConsistency(b: z.output<typeof fileSchema>, file: string): void {
  const fail = (field: string, why: string): never => {
    throw new MoltError(`${file}: field '${field}': ${why}`, `${file}:${field}`);
  };
  b.detector.topics.forEach((t, i) => {
    if (!(t in b.topics)) fail(`detector.topics[${i}]`, `topic '${t}' is not one of 'topics' (${Object.keys(b.topics).join(', ') || 'none'})`);
  });
  if (b.detector.keywords.length + b.detector.regexes.length === 0) fail('detector', 'give at least one keyword or regex');
  b.detector.regexes.forEach((r, i) => {
    try {
      new RegExp(r, 'iu');
    } catch (e) {
      fail(`detector.regexes[${i}]`, `not a valid regular expression (${(e as Error).message})`);
    }
  });
  for (const f of Object.keys(b.floor ?? {})) if (f === b.id) fail(`floor.${f}`, 'a floor set cannot be named as the behaviour itself');
  const ids = new Set<string>();
  for (const kind of ['trigger', 'control'] as const) {
    b[kind].forEach((p, i) => {
      if (p.topic !== undefined && !(p.topic in b.topics) && kind === 'trigger') fail(`${kind}[${i}].topic`, `topic '${p.topic}' is not one of 'topics'`);
      const id = p.id ?? `${b.id}-${kind}-${String(i).padStart(4, '0')}`;
      if (ids.has(id)) fail(`${kind}[${i}].id`, `prompt id '${id}' appears twice`);
      ids.add(id);
    });
  }
}

/** JSONL: the behaviour line's fields, with the prompt lines gathered into trigger/control. */
function fromJsonl(content: string, file: string): unknown {
  let head: Record<string, unknown> | undefined;
  const prompts: Record<'trigger' | 'control', unknown[]> = { trigger: [], control: [] };
  content.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    const { type, ...rest } = parseWith(lineSchema, parseJson(line, where), where);
    if (type === 'behaviour') {
      if (head) throw new MoltError(`${where}: field 'type': a second 'behaviour' line (one per file)`, `${where}:type`);
      head = rest;
    } else prompts[type].push(rest);
  });
  if (!head) throw new MoltError(`${file}: no {"type": "behaviour", ...} line`, file);
  return { ...head, ...prompts };
}

/** Parse the text of a behaviour file (`file` names it in errors; .jsonl is read line by line, anything else as one JSON object). */
export function parseBehaviourFile(content: string, file: string): BehaviourFile {
  const raw = file.endsWith('.jsonl') ? fromJsonl(content, file) : parseJson(content, file);
  const b = parseWith(fileSchema, raw, file);
  checkConsistency(b, file);
  return { ...b, file };
}

export function readBehaviourFile(file: string): BehaviourFile {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (e) {
    throw new MoltError(`${file}: cannot read the behaviour file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, file);
  }
  return parseBehaviourFile(content, file);
}
