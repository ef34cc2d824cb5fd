// The world molt's own behaviours make: the generic topics plus the content
// each built-in behaviour contributes, handed over by a registry exactly as
// Runtime.create's is (by behaviour id). Tests and the benchmark scripts that
// build a world without a Runtime use it.
import { PluginRegistry } from '../../core/plugins/registry';
import { buildWorld, type World, type WorldOptions } from '../../core/world/world';
import type { WorldContribution } from '../../core/world/content';
import { BEHAVIOURS } from '../../plugins/behaviours';

let content: WorldContribution[] | undefined;

/** the built-in behaviours' world content, in the registry's order */
export function builtInContent(): WorldContribution[] {
  if (!content) {
    const registry = new PluginRegistry();
    for (const b of BEHAVIOURS) registry.register(b, 'plugins/behaviours');
    content = registry.worldContent();
  }
  return content;
}

/** buildWorld with the built-in behaviours' content (before any given in opts) */
export function builtInWorld(seed: number | string = 0, opts: WorldOptions = {}): World {
  return buildWorld(seed, { ...opts, content: [...builtInContent(), ...(opts.content ?? [])] });
}
