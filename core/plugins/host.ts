// What a plugin module receives: `register(molt)`. Everything a plugin needs
// from molt comes through this object or through injected services, so a
// plugin living outside the repo needs no import path into molt.
import { tf } from '../engine/tf';
import * as ops from '../engine/ops';
import { Rng } from '../engine/rng';
import { MoltError } from '../errors';
import { TOKENS } from '../services';
import { hookName, BLOCK_HOOKS, FINAL_NORM_HOOK } from '../model/types';
import type { PluginRegistry, PluginDefinition } from './registry';
import type { PluginKind } from './types';
import { MOLT_VERSION } from '../version';

/** The library surface offered to plugins (grows with later issues). */
export const pluginLib = { tf, ops, Rng, MoltError, TOKENS, hookName, BLOCK_HOOKS, FINAL_NORM_HOOK };
export type PluginLib = typeof pluginLib;

export interface PluginHost {
  readonly version: string;
  readonly lib: PluginLib;
  register<K extends PluginKind>(def: PluginDefinition<K>): void;
}

export function makeHost(registry: PluginRegistry, source: string): PluginHost {
  return {
    version: MOLT_VERSION,
    lib: pluginLib,
    register: (def) => registry.register(def, source),
  };
}
