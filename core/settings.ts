// Run settings: defaults, then a config file (--config), then CLI flags.
// A config file is JSON or YAML; unknown or mistyped fields are errors that
// name the file and the field.
import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { BACKEND_CHOICES, type BackendChoice } from './engine/backend';
import { issueField, MoltError } from './errors';
import { BaseOverrides } from './pipeline/config';
import { TrainerOverrides } from './organisms/hparams';
import { isPluginPath } from './plugins/spec';

export interface Settings {
  backend: BackendChoice;
  /** root seed: model init, data order, sampling */
  seed: number;
  /** seed of the synthetic world (kept apart so a new training seed keeps the same world) */
  worldSeed: number;
  /** model size name, e.g. 'default' or 'micro' */
  size: string;
  /** artifact store directory */
  store: string;
  /** a directory of JSONL data replacing the synthetic world (docs/DATA.md) */
  data?: string;
  /** plugin specs, already resolved against the file that named them */
  plugins: string[];
  /** hyperparameter overrides of the base pipeline (config file section `base`) */
  base?: BaseOverrides;
  /** hyperparameter overrides per training technique (config file section `trainers`, e.g. trainers.posthoc-dpo.beta) */
  trainers?: TrainerOverrides;
  verbose: boolean;
}

export const DEFAULT_SETTINGS: Settings = {
  backend: 'auto',
  seed: 0,
  worldSeed: 0,
  size: 'default',
  store: process.env.MOLT_STORE ?? '.molt/store',
  plugins: [],
  verbose: false,
};

const ConfigFile = z
  .object({
    backend: z.enum(BACKEND_CHOICES).optional(),
    seed: z.number().int().nonnegative().optional(),
    world_seed: z.number().int().nonnegative().optional(),
    size: z.string().min(1).optional(),
    store: z.string().min(1).optional(),
    data: z.string().min(1).optional(),
    plugins: z.array(z.string().min(1)).optional(),
    base: BaseOverrides.optional(),
    trainers: TrainerOverrides.optional(),
  })
  .strict();
export type ConfigFile = z.infer<typeof ConfigFile>;

/** Parse and validate a config file; plugin and store paths resolve against its folder. */
export function readConfigFile(file: string): Partial<Settings> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new MoltError(`config ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, file);
  }
  let raw: unknown;
  try {
    raw = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new MoltError(`config ${file}: not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`, file);
  }
  const parsed = ConfigFile.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issueField(issue);
    throw new MoltError(`config ${file}: field '${field}': ${issue.message}`, file);
  }
  const c = parsed.data;
  const base = dirname(resolvePath(file));
  const asPath = (p: string) => (isPluginPath(p) ? resolvePath(base, p) : p);
  const out: Partial<Settings> = {};
  if (c.backend) out.backend = c.backend;
  if (c.seed !== undefined) out.seed = c.seed;
  if (c.world_seed !== undefined) out.worldSeed = c.world_seed;
  if (c.size) out.size = c.size;
  if (c.store) out.store = resolvePath(base, c.store);
  if (c.data) out.data = resolvePath(base, c.data);
  if (c.plugins) out.plugins = c.plugins.map(asPath);
  if (c.base) out.base = c.base;
  if (c.trainers) out.trainers = c.trainers;
  return out;
}

/**
 * The settings as another process in another directory (a worker, maybe on
 * another machine sharing the files) needs them: the plugin files, the store
 * and the data as absolute paths, resolved against `cwd` as this process did.
 */
export function portableSettings(s: Settings, cwd: string): Settings {
  return {
    ...s,
    plugins: s.plugins.map((p) => (isPluginPath(p) ? resolvePath(cwd, p) : p)),
    store: resolvePath(cwd, s.store),
    ...(s.data !== undefined ? { data: resolvePath(cwd, s.data) } : {}),
  };
}

/** A non-negative integer flag, or an error naming the flag. */
export function parseIntFlag(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new MoltError(`--${name}: expected a non-negative integer, got '${value}'`, name);
  return Number(value);
}
