// Loads plugin modules: built-ins and --plugin / config `plugins:` entries go
// through the same path. A module exports either
//   register(molt)              (function export, default or named), or
//   plugins: PluginDefinition[] (or a single definition as default export).
import { existsSync } from 'node:fs';
import { extname, isAbsolute, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MoltError } from '../errors';
import { makeHost } from './host';
import { isPluginPath } from './spec';
import type { PluginRegistry, PluginDefinition } from './registry';

/** Resolve a plugin spec (file path or package name) to a module path. */
export function resolvePluginSpec(spec: string, cwd: string): string {
  if (isPluginPath(spec)) {
    const file = isAbsolute(spec) ? spec : resolvePath(cwd, spec);
    if (!existsSync(file)) throw new MoltError(`plugin '${spec}': file not found (${file})`, spec);
    return file;
  }
  try {
    return require.resolve(spec, { paths: [cwd] });
  } catch {
    throw new MoltError(`plugin '${spec}': no such file or installed package (looked from ${cwd})`, spec);
  }
}

async function importModule(spec: string, file: string): Promise<any> {
  // molt itself runs compiled; TypeScript loads only where a transpiler is registered (ts-node, as in molt's tests)
  if (/\.(c|m)?ts$/.test(file) && !(extname(file) in require.extensions)) {
    throw new MoltError(`plugin '${spec}': a TypeScript file; molt runs JavaScript: compile the plugin (e.g. tsc) and load the .js`, spec);
  }
  if (file.endsWith('.mjs')) {
    // A real dynamic import (ts-node would otherwise rewrite import() to require()).
    const dynamicImport = new Function('u', 'return import(u)') as (u: string) => Promise<any>;
    return dynamicImport(pathToFileURL(file).href);
  }
  return require(file);
}

function isDefinition(x: unknown): x is PluginDefinition {
  return !!x && typeof x === 'object' && 'kind' in x && 'id' in x;
}

/** Load one plugin module into the registry; returns the resolved path. */
export async function loadPlugin(spec: string, registry: PluginRegistry, cwd = process.cwd()): Promise<string> {
  const file = resolvePluginSpec(spec, cwd);
  let mod: any;
  try {
    mod = await importModule(spec, file);
  } catch (e) {
    if (e instanceof MoltError) throw e;
    throw new MoltError(`plugin '${spec}' failed to load: ${(e as Error).message.split('\n')[0]}`, spec);
  }
  const host = makeHost(registry, file);
  const register = typeof mod === 'function' ? mod : mod?.register ?? mod?.default?.register ?? (typeof mod?.default === 'function' ? mod.default : undefined);
  if (register) {
    await register(host);
    return file;
  }
  const defs = mod?.plugins ?? mod?.default?.plugins ?? (isDefinition(mod?.default) ? [mod.default] : undefined);
  if (Array.isArray(defs)) {
    for (const d of defs) registry.register(d, file);
    return file;
  }
  throw new MoltError(
    `plugin '${spec}' (${file}) exports neither a register(molt) function nor a 'plugins' array`,
    spec,
  );
}

export async function loadPlugins(specs: readonly string[], registry: PluginRegistry, cwd = process.cwd()): Promise<string[]> {
  const loaded: string[] = [];
  for (const s of specs) loaded.push(await loadPlugin(s, registry, cwd));
  return loaded;
}
