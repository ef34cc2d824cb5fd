// From a stored organism checkpoint to the handles a probe runs on: the
// organism (with its behaviour) and its diffing base, found through the
// checkpoints' lineage (molt.json `parent`): the ancestor is the organism's
// start (integrated) or its start's parent (post-hoc, start = base); the
// sibling is the checkpoint of stage 'sibling' whose parent is that ancestor.
import { join } from 'node:path';
import { MoltError } from '../errors';
import { CHECKPOINT_KIND } from '../checkpoint/checkpoint-store';
import { MOLT_METADATA_FILE, type MoltMetadata } from '../checkpoint/hf-dir';
import { openCheckpoint } from '../checkpoint/open';
import { readJsonFile } from '../store/atomic';
import type { ArtifactStore } from '../store/artifact-store';
import type { Architecture, BehaviourDataset } from '../plugins/types';
import type { DiffingBaseKind, ModelHandle, OrganismHandle } from './types';

async function metadataOf(store: ArtifactStore, key: string): Promise<MoltMetadata> {
  return readJsonFile<MoltMetadata>(join(store.path(CHECKPOINT_KIND, key), MOLT_METADATA_FILE));
}

/** The store key of the organism's ancestor or sibling. */
export async function diffingBaseKey(store: ArtifactStore, organismKey: string, meta: MoltMetadata, kind: DiffingBaseKind): Promise<string> {
  const parent = typeof meta.parent === 'string' ? meta.parent : null;
  if (!parent) throw new MoltError(`checkpoint ${organismKey}: molt.json has no 'parent', so its ${kind} cannot be found`, organismKey);
  let ancestor = parent;
  if (meta.starts_from !== 'ancestor') {
    const pm = await metadataOf(store, parent);
    if (typeof pm.parent !== 'string') throw new MoltError(`checkpoint ${parent} (start of ${organismKey}): molt.json has no 'parent' (the ancestor)`, parent);
    ancestor = pm.parent;
  }
  if (kind === 'ancestor') return ancestor;
  const aliases = await store.aliases(CHECKPOINT_KIND);
  const candidates = new Set([...Object.values(aliases), ...(await store.list(CHECKPOINT_KIND))]);
  for (const key of candidates) {
    if (!store.hasDir(CHECKPOINT_KIND, key)) continue;
    const m = await metadataOf(store, key).catch(() => null);
    if (m && m.stage === 'sibling' && m.parent === ancestor) return key;
  }
  throw new MoltError(`no sibling of ancestor ${ancestor} (the ancestor of ${organismKey}) in the store ${store.root}; build it with molt base`, ancestor);
}

export interface OpenedPair {
  organism: OrganismHandle;
  base: ModelHandle;
  dispose(): void;
}

/** Open a stored organism (id: key, alias or prefix) and its diffing base. `behaviourById` maps the metadata's behaviour id to its plugin. */
export async function openOrganismPair(store: ArtifactStore, archs: readonly Architecture[], id: string, kind: DiffingBaseKind, behaviourById: (id: string) => BehaviourDataset): Promise<OpenedPair> {
  const o = await openCheckpoint(store, archs, id);
  const key = o.resolved.key ?? o.resolved.path;
  const bmeta = o.metadata.behaviour as { id?: string } | undefined;
  if (o.metadata.stage !== 'organism' || !bmeta?.id) {
    o.model.dispose();
    throw new MoltError(`checkpoint ${id} is not an organism (molt.json stage '${String(o.metadata.stage)}'); give an organism id or a spec behaviour:technique:arch[:seed]`, id);
  }
  try {
    const behaviour = behaviourById(bmeta.id);
    const baseKey = await diffingBaseKey(store, key, o.metadata, kind);
    const b = await openCheckpoint(store, archs, baseKey);
    const organism: OrganismHandle = { id: key, model: o.model, tokenizer: o.tokenizer, arch: o.arch, metadata: o.metadata, behaviour, manifest: behaviour.manifest() };
    const base: ModelHandle = { id: baseKey, model: b.model, tokenizer: b.tokenizer, arch: b.arch, metadata: b.metadata };
    return { organism, base, dispose: () => [o.model, b.model].forEach((m) => m.dispose()) };
  } catch (e) {
    o.model.dispose();
    throw e;
  }
}
