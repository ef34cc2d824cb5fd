import { mkdirSync } from 'node:fs';
import { writeFileNamedSync } from '../store/atomic';
import { join } from 'node:path';
import type { World } from '../world/world';
import { exportData } from './jsonl';

/**
 * Write a world's data as `{kind}.{split}.jsonl` plus `world.json` (topics,
 * entities, facts, lexicon, behaviour token sets and cake facts: the ground
 * truth judges and probes read). Returns the files written.
 */
export function exportWorld(world: World, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files = exportData(world, dir);
  const manifest = join(dir, 'world.json');
  writeFileNamedSync(manifest, JSON.stringify(world.describe(), null, 1) + '\n');
  return [...files, manifest];
}
