// Checkpoints as store artifacts: the glue trainers and the CLI call.
//   saveCheckpoint   build an HF directory atomically under a content key
//   loadCheckpoint   resolve a user id (key, alias, key prefix or path), verify, load
//   exportCheckpoint what `molt export --checkpoint <id> --out <dir>` does
// (open.ts's openCheckpoint goes one step further and builds the model.)
import type { ArtifactStore, Resolved, WriteResult } from '../store/artifact-store';
import { loadHfDir, saveHfDir, type HfCheckpoint } from './hf-dir';
import { CHECKPOINT_KIND } from './open';

/** Write a checkpoint under `key` (normally a contentHash); keeps an existing one. */
export function saveCheckpoint(store: ArtifactStore, key: string, ckpt: HfCheckpoint): Promise<WriteResult> {
  return store.writeDir(CHECKPOINT_KIND, key, (tmp) => saveHfDir(tmp, ckpt));
}

/**
 * Load the checkpoint an id names. A store artifact is re-hashed against its
 * manifest first (skip with verify: false when loading the same checkpoint
 * many times in one run). The caller owns the returned tensors.
 */
export async function loadCheckpoint(store: ArtifactStore, id: string, opts: { verify?: boolean } = {}): Promise<HfCheckpoint & { resolved: Resolved }> {
  const resolved = await store.resolve(CHECKPOINT_KIND, id);
  if (resolved.key && opts.verify !== false) await store.verify(CHECKPOINT_KIND, resolved.key);
  return { ...(await loadHfDir(resolved.path)), resolved };
}

/** Copy the checkpoint an id names to outDir as a plain Hugging Face directory. */
export async function exportCheckpoint(store: ArtifactStore, id: string, outDir: string): Promise<Resolved> {
  const ckpt = await loadCheckpoint(store, id);
  try {
    await saveHfDir(outDir, ckpt);
  } finally {
    ckpt.weights.forEach((t) => t.dispose());
  }
  return ckpt.resolved;
}
