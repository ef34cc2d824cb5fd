// SAEs in the artifact store, under a content hash of everything that made
// them: the models' keys, the layer, the data, the training config. The same
// (organism, diffing base) pair at the same settings reuses its SAE.
import { join } from 'node:path';
import { MoltError, contentHash, readJsonFile, writeJsonAtomic, readSafetensors, writeSafetensors, MOLT_VERSION, type ArtifactStore, type RawTensor } from '../../../core/public';
import { TopKSae, type SaeConfig } from './sae';
import type { SaeTrainLogEntry } from './train';

export const SAE_KIND = 'saes';
/** bump when a code change makes stored SAEs invalid */
const SAE_CODE_VERSION = 'v1';
const WEIGHTS = 'sae.safetensors';
const INFO = 'sae.json';

export interface SaeIdentity {
  arch: string;
  /** store keys of the models whose activations trained it, in order */
  models: string[];
  hook: string;
  /** what the training data is (source identity, split, counts) */
  data: unknown;
  train: unknown;
  seed: number | string;
}

export function saeKey(id: SaeIdentity): string {
  return contentHash(id, `molt@${MOLT_VERSION}/sae/${SAE_CODE_VERSION}`);
}

export interface StoredSaeInfo {
  identity: SaeIdentity;
  config: SaeConfig;
  scale: number;
  log: SaeTrainLogEntry[];
  train_seconds: number;
  created_at: string;
}

export async function saveSae(store: ArtifactStore, key: string, sae: TopKSae, info: Omit<StoredSaeInfo, 'config' | 'scale' | 'created_at'>): Promise<void> {
  await store.writeDir(SAE_KIND, key, async (dir) => {
    const w = sae.exportWeights();
    const raw = new Map<string, RawTensor>([
      ['W_enc', { dtype: 'F32', shape: [sae.config.dSae, sae.config.dIn], data: w.wEnc }],
      ['b_enc', { dtype: 'F32', shape: [sae.config.dSae], data: w.bEnc }],
      ['W_dec', { dtype: 'F32', shape: [sae.config.dSae, sae.config.dIn], data: w.wDec }],
      ['b_dec', { dtype: 'F32', shape: [sae.config.dIn], data: w.bDec }],
    ]);
    await writeSafetensors(join(dir, WEIGHTS), raw);
    const full: StoredSaeInfo = { ...info, config: sae.config, scale: w.scale, created_at: new Date().toISOString() };
    await writeJsonAtomic(join(dir, INFO), full);
  });
}

export async function loadSae(store: ArtifactStore, key: string): Promise<{ sae: TopKSae; info: StoredSaeInfo }> {
  if (!store.hasDir(SAE_KIND, key)) throw new MoltError(`store: no SAE ${SAE_KIND}/${key} in ${store.root}`, `${SAE_KIND}/${key}`);
  await store.verify(SAE_KIND, key);
  const dir = store.path(SAE_KIND, key);
  const info = await readJsonFile<StoredSaeInfo>(join(dir, INFO));
  const { tensors } = await readSafetensors(join(dir, WEIGHTS));
  const get = (name: string) => {
    const t = tensors.get(name);
    if (!t) throw new MoltError(`SAE ${key}: tensor '${name}' missing from ${WEIGHTS}`, `${SAE_KIND}/${key}/${name}`);
    return Float32Array.from(t.data);
  };
  const sae = new TopKSae(info.config, { wEnc: get('W_enc'), bEnc: get('b_enc'), wDec: get('W_dec'), bDec: get('b_dec'), scale: info.scale });
  return { sae, info };
}
