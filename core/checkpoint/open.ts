// Open a checkpoint by id (store key, alias, key prefix or HF directory) as a
// ready model. Shared by the CLI (export, forward) and every later stage that
// loads a model, so verification and architecture lookup happen one way.
import { MoltError } from '../errors';
import type { ArtifactStore, Resolved } from '../store/artifact-store';
import type { Architecture } from '../plugins/types';
import type { CausalLM } from '../model/types';
import type { HfCheckpoint } from './hf-dir';
import { loadCheckpoint } from './checkpoint-store';

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

/**
 * Resolve, verify (store artifacts are re-hashed against their manifest, so a
 * corrupted file is named before any tensor is read) and load a checkpoint.
 */
export async function openCheckpoint(store: ArtifactStore, archs: readonly Architecture[], id: string): Promise<OpenedCheckpoint> {
  const ckpt = await loadCheckpoint(store, id);
  const resolved = ckpt.resolved;
  const arch = architectureFor(archs, String(ckpt.config.model_type), `${resolved.path}/config.json`);
  arch.validateConfig(ckpt.config);
  const model = arch.fromWeights(ckpt.config, ckpt.weights);
  return { config: ckpt.config, tokenizer: ckpt.tokenizer, metadata: ckpt.metadata, model, arch, resolved };
}
