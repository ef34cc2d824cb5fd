import type { World } from '../../core/world/world';
import { builtInWorld } from '../helpers/world';
import type { BehaviourDataset } from '../../core/plugins/types';
import { BEHAVIOURS } from '../../plugins/behaviours';
import type { Services } from '../../core/container';

const worlds = new Map<string, World>();

/** one world per (seed, size) for the whole test run (building the default one takes ~0.5 s) */
export function world(seed = 0, size: 'micro' | 'default' = 'micro'): World {
  const key = `${seed}/${size}`;
  if (!worlds.has(key)) worlds.set(key, builtInWorld(seed, { size }));
  return worlds.get(key)!;
}

/** a built-in behaviour for a world, as the registry would build it */
export function behaviour(id: string, w: World = world()): BehaviourDataset {
  const entry = BEHAVIOURS.find((b) => b.id === id);
  if (!entry) throw new Error(`no behaviour ${id}`);
  return entry.create!({ world: w } as Services);
}

export const BEHAVIOUR_IDS = BEHAVIOURS.map((b) => b.id);
