// Turns the global CLI options into Settings and a Runtime. Every command
// goes through here, so --plugin, --config, --backend, --seed and --store
// mean the same thing everywhere.
import { Command } from 'commander';
import { Runtime } from '../container';
import { readConfigFile, DEFAULT_SETTINGS, parseIntFlag, type Settings } from '../settings';
import type { BackendChoice } from '../engine/backend';
import { storeDir } from '../store/store-url';

export interface GlobalOptions {
  plugin?: string[];
  config?: string;
  backend?: string;
  seed?: string;
  worldSeed?: string;
  size?: string;
  store?: string;
  data?: string;
  verbose?: boolean;
}

export interface CliEnv {
  builtins: string[];
  cwd: string;
}

export function settingsFrom(opts: GlobalOptions): Settings {
  const fromFile = opts.config ? readConfigFile(opts.config) : {};
  const s: Settings = { ...DEFAULT_SETTINGS, ...fromFile };
  // Plugins add up: config file first, then each --plugin.
  s.plugins = [...(fromFile.plugins ?? []), ...(opts.plugin ?? [])];
  if (opts.backend) s.backend = opts.backend as BackendChoice;
  if (opts.seed !== undefined) s.seed = parseIntFlag('seed', opts.seed);
  if (opts.worldSeed !== undefined) s.worldSeed = parseIntFlag('world-seed', opts.worldSeed);
  if (opts.size) s.size = opts.size;
  if (opts.store) s.store = storeDir(opts.store);
  if (opts.data) s.data = opts.data;
  s.verbose = !!opts.verbose;
  return s;
}

export async function runtimeFor(cmd: Command, env: CliEnv): Promise<Runtime> {
  const opts = cmd.optsWithGlobals() as GlobalOptions;
  return Runtime.create(settingsFrom(opts), { builtins: env.builtins, cwd: env.cwd });
}
