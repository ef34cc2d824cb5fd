// Open a checkpoint by id (store key, alias, key prefix or HF directory) as a
// ready model. Shared by the CLI (export, forward) and every later stage that
// loads a model, so verification and architecture lookup happen one way.
import { MoltError } from '../errors';
import type { ArtifactStore, Resolved } from '../store/artifact-store';
import type { Architecture } from '../plugins/types';
import type { CausalLM } from '../model/types';
import type { HfCheckpoint, HfModelDir } from './hf-dir';
import { loadAnyCheckpoint, loadCheckpoint } from './checkpoint-store';

export { CHECKPOINT_KIND } from './checkpoint-store';

/** The architecture whose HF model_type matches, or an error listing the known ones. */
export function architectureFor(archs: readonly Architecture[], modelType: string, where: string): Architecture {
  const found = archs.find((a) => a.modelType === modelType);
  if (found) return found;
  const known = archs.map((a) => `${a.id} (${a.modelType})`).join(', ') || 'none';
  throw new MoltError(`${where}: model_type '${modelType}' matches no architecture plugin; known: ${known}`, where);
}

export interface OpenedCheckpoint extends Omit<HfCheckpoint, 'weights'> {
  model: CausalLM;
  arch: Architecture;
  resolved: Resolved;
}

/** OpenedCheckpoint of any HF directory: the tokenizer may be of any kind, or absent. */
export interface OpenedModelDir extends Omit<HfModelDir, 'weights'> {
  model: CausalLM;
  arch: Architecture;
  resolved: Resolved;
}

/**
 * Resolve, verify (store artifacts are re-hashed against their manifest, so a
 * corrupted file is named before any tensor is read) and load one of molt's
 * checkpoints (word-level tokenizer).
 */
export async function openCheckpoint(store: ArtifactStore, archs: readonly Architecture[], id: string): Promise<OpenedCheckpoint> {
  return build(archs, await loadCheckpoint(store, id));
}

/** openCheckpoint for any Hugging Face model directory: OLMo2 or Gemma3 trained anywhere. */
export async function openModelDir(store: ArtifactStore, archs: readonly Architecture[], id: string): Promise<OpenedModelDir> {
  return build(archs, await loadAnyCheckpoint(store, id));
}

function build<C extends HfModelDir & { resolved: Resolved }>(archs: readonly Architecture[], ckpt: C): Omit<C, 'weights'> & { model: CausalLM; arch: Architecture } {
  const { weights, ...rest } = ckpt;
  try {
    const arch = architectureFor(archs, String(ckpt.config.model_type), `${ckpt.resolved.path}/config.json`);
    arch.validateConfig(ckpt.config);
    return { ...rest, model: arch.fromWeights(ckpt.config, weights), arch };
  } catch (e) {
    weights.forEach((t) => t.dispose());
    throw e;
  }
}
