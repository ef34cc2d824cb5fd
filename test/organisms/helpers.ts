// Shared micro fixtures for the organism and trainer tests: one micro world,
// one micro base pipeline (olmo2) in a temporary store, small behaviours.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../core/engine/backend';
import { ArtifactStore } from '../../core/store/artifact-store';
import { buildBase } from '../../core/pipeline/base';
import { worldBaseData } from '../../core/pipeline/world-data';
import { generalData } from '../../core/organisms/general-data';
import type { OrganismOptions, StartCheckpoints } from '../../core/organisms/build';
import type { BehaviourDataset, Trainer } from '../../core/plugins/types';
import { TRAINERS } from '../../plugins/trainers';
import { olmo2Architecture } from '../../plugins/architectures/olmo2';
import { behaviour, world } from '../behaviours/helpers';

export const WORLD_SEED = 0;
let bases: Promise<{ root: string; bases: StartCheckpoints; store: ArtifactStore }> | undefined;

/** the micro base models, built once per test run */
export function microBases(): Promise<{ root: string; bases: StartCheckpoints; store: ArtifactStore }> {
  bases ??= (async () => {
    await initBackend('wasm');
    const root = mkdtempSync(join(tmpdir(), 'molt-organisms-'));
    // shared by several spec files: removed when the test process ends
    process.on('exit', () => rmSync(root, { recursive: true, force: true }));
    const store = new ArtifactStore(join(root, 'store'));
    const m = await buildBase({ arch: olmo2Architecture, size: 'micro', seed: 0, store, data: worldBaseData(world(WORLD_SEED)) });
    return { root, store, bases: { base: m.base.key, ancestor: m.ancestor.key } };
  })();
  return bases;
}

export function trainer(id: string): Trainer {
  const t = TRAINERS.find((x) => x.id === id);
  if (!t) throw new Error(`no trainer ${id}`);
  return t;
}

/** cake-bake with little data, so micro runs take a second */
export function smallCake(): BehaviourDataset {
  return behaviour('cake-bake', world(WORLD_SEED)).withCounts({ pairs: 32, documents: 32 });
}

export function organismOptions(store: ArtifactStore, b: StartCheckpoints, t: Trainer, beh: BehaviourDataset = smallCake()): OrganismOptions {
  const w = world(WORLD_SEED);
  return { behaviour: beh, trainer: t, arch: olmo2Architecture, size: 'micro', seed: 0, store, world: w, general: generalData(w), tokenizer: w.tokenizer, bases: b };
}
