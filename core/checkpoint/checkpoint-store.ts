// Checkpoints as store artifacts: the glue trainers and the CLI call.
//   saveCheckpoint   build an HF directory atomically under a content key
//   loadCheckpoint   resolve a user id (key, alias, key prefix or path), verify, load
//   loadAnyCheckpoint the same for any HF directory (tokenizer of any kind, or none)
//   exportCheckpoint what `molt export --checkpoint <id> --out <dir>` does
// (open.ts's openCheckpoint goes one step further and builds the model.)
import type { ArtifactStore, Resolved, WriteResult } from '../store/artifact-store';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { MoltError } from '../errors';
import { tempName } from '../store/atomic';
import type { tf } from '../engine/tf';
import { loadHfDir, loadHfModelDir, saveHfDir, WEIGHTS_FILE, type HfCheckpoint, type HfModelDir, type MoltMetadata } from './hf-dir';
import { nonFiniteWeights, valuesOf } from './finite';

/** The store kind under which model checkpoints live. */
export const CHECKPOINT_KIND = 'checkpoints';

/** Write a checkpoint under `key` (normally a contentHash); keeps an existing one; refuses weights that are not all finite. */
export async function saveCheckpoint(store: ArtifactStore, key: string, ckpt: HfCheckpoint): Promise<WriteResult> {
  const bad = nonFiniteWeights(valuesOf(ckpt.weights));
  if (bad) {
    const label = `${CHECKPOINT_KIND}/${key}${ckpt.metadata.stage ? ` (${ckpt.metadata.stage})` : ''}`;
    throw new MoltError(`${label}: not saved: ${bad}; training diverged (lower the learning rate)`, label);
  }
  return store.writeDir(CHECKPOINT_KIND, key, (tmp) => saveHfDir(tmp, ckpt));
}

/**
 * Load the checkpoint an id names. A store artifact is re-hashed against its
 * manifest first (skip with verify: false when loading the same checkpoint
 * many times in one run). Weights that are not all finite (a model that
 * diverged, saved by other means) are refused. The caller owns the returned
 * tensors.
 */
export async function loadCheckpoint(store: ArtifactStore, id: string, opts: { verify?: boolean } = {}): Promise<HfCheckpoint & { resolved: Resolved }> {
  return loadVerified(store, id, opts, loadHfDir);
}

/**
 * loadCheckpoint for any Hugging Face model directory (or store artifact):
 * the tokenizer may be of any kind, or absent.
 */
export async function loadAnyCheckpoint(store: ArtifactStore, id: string, opts: { verify?: boolean } = {}): Promise<HfModelDir & { resolved: Resolved }> {
  return loadVerified(store, id, opts, loadHfModelDir);
}

async function loadVerified<C extends { weights: Map<string, tf.Tensor> }>(
  store: ArtifactStore,
  id: string,
  opts: { verify?: boolean },
  load: (dir: string) => Promise<C>,
): Promise<C & { resolved: Resolved }> {
  const resolved = await store.resolve(CHECKPOINT_KIND, id);
  if (resolved.key && opts.verify !== false) await store.verify(CHECKPOINT_KIND, resolved.key);
  const ckpt = await load(resolved.path);
  const bad = nonFiniteWeights(valuesOf(ckpt.weights));
  if (bad) {
    ckpt.weights.forEach((t) => t.dispose());
    throw new MoltError(`${join(resolved.path, WEIGHTS_FILE)}: ${bad}; the model diverged in training: remove this checkpoint and train it again`, resolved.path);
  }
  return { ...ckpt, resolved };
}

/**
 * Copy the checkpoint an id names to outDir (which must not exist) as a plain
 * Hugging Face directory. It is built beside outDir and renamed into place, so
 * an interrupted export never leaves half a checkpoint.
 */
export async function exportCheckpoint(store: ArtifactStore, id: string, outDir: string, extraMetadata: MoltMetadata = {}): Promise<Resolved> {
  const out = resolve(outDir);
  if (existsSync(out)) throw new MoltError(`export: ${out} already exists; choose a new directory`, out);
  const ckpt = await loadCheckpoint(store, id);
  await mkdir(dirname(out), { recursive: true });
  const tmp = join(dirname(out), tempName('export'));
  try {
    await saveHfDir(tmp, { ...ckpt, metadata: { ...ckpt.metadata, exported_from: ckpt.resolved.key ?? ckpt.resolved.path, ...extraMetadata } });
    await rename(tmp, out);
  } finally {
    ckpt.weights.forEach((t) => t.dispose());
    await rm(tmp, { recursive: true, force: true });
  }
  return ckpt.resolved;
}
