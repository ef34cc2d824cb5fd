// A suite: a YAML or JSON list of organisms to build, each
// {behaviour, technique, arch, seed?}. A bare name is a file of
// benchmarks/suites/ (organisms-smoke -> benchmarks/suites/organisms-smoke.yaml).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { issueField, MoltError } from '../errors';
import { MOLT_ROOT } from '../version';

export const SUITES_DIR = join(MOLT_ROOT, 'benchmarks', 'suites');

const Entry = z
  .object({
    behaviour: z.string().min(1),
    technique: z.string().min(1),
    arch: z.string().min(1),
    seed: z.number().int().nonnegative().default(0),
    /** train for this many steps instead of the technique's bound (a null organism matched to its behaviour organisms) */
    steps: z.number().int().positive().optional(),
  })
  .strict();
export type SuiteEntry = z.infer<typeof Entry>;

/** The suite file a --suite value names. */
export function suitePath(spec: string, cwd = process.cwd()): string {
  const direct = resolve(cwd, spec);
  if (existsSync(direct)) return direct;
  if (!/[/\\]/.test(spec)) {
    for (const ext of ['', '.yaml', '.yml', '.json']) {
      const p = join(SUITES_DIR, spec + ext);
      if (existsSync(p)) return p;
    }
  }
  throw new MoltError(`suite '${spec}': no such file, and not a suite name in ${SUITES_DIR}`, spec);
}

/** The suite file parsed as YAML or JSON (by extension), unvalidated. */
export function parseSuiteText(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new MoltError(`suite ${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
  }
  try {
    return /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new MoltError(`suite ${file}: not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`, file);
  }
}

export function readSuite(file: string): SuiteEntry[] {
  const raw = parseSuiteText(file);
  const list = z.array(Entry).min(1).safeParse(raw);
  if (!list.success) {
    const issue = list.error.issues[0];
    throw new MoltError(`suite ${file}: entry field '${issueField(issue)}': ${issue.message}`, file);
  }
  return list.data;
}
