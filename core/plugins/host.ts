// What a plugin module receives: `register(molt)`. Everything a plugin needs
// from molt comes through this object (`molt.lib`: the public API,
// core/public) or through injected services, so a plugin living outside the
// repo needs no import path into molt.
import type { PluginRegistry, PluginDefinition } from './registry';
import type { PluginKind } from './types';
import { MOLT_VERSION } from '../version';
import * as publicApi from '../public';

/** The library surface offered to plugins: the public API module. */
export const pluginLib = publicApi;
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
