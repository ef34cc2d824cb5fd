// The SAE pipeline the `sae` probe runs: obtain (train or load) one SAE on
// the residual stream of the organism and its diffing base at the same
// layer, then measure its quality on held-out general text.
import { tf, sha256Hex, collectActivations, depthHook, type Activations, type CausalLM, type DataSource, type DepthHook, type ArtifactStore, type TextTokenizer } from '../../../core/public';
import { loadSae, saeKey, saveSae, type SaeIdentity } from './cache';
import { generalTextSequences } from './general-text';
import { ceRecovered, saeQuality, type SaeQuality } from './metrics';
import type { TopKSae } from './sae';
import { spliceLosses } from './splice';
import { trainSae, type SaeTrainConfig, type SaeTrainLogEntry } from './train';
import { encodeAll } from './latents';

export interface SaeBuildSettings {
  /** read point as a share of depth (0.5: the 50% layer) */
  depth: number;
  /** general-text sequences per model for training */
  trainSequences: number;
  train: SaeTrainConfig;
}

export interface NamedModel {
  /** store key (the cache key uses it) */
  id: string;
  model: CausalLM;
}

export interface ObtainedSae {
  sae: TopKSae;
  key: string;
  /** true when loaded from the store */
  cached: boolean;
  hook: DepthHook;
  log: SaeTrainLogEntry[];
  trainSeconds: number;
  trainTokens: number;
}

function concatActivations(sets: Activations[]): Float32Array {
  const out = new Float32Array(sets.reduce((s, a) => s + a.x.length, 0));
  let off = 0;
  for (const a of sets) {
    out.set(a.x, off);
    off += a.x.length;
  }
  return out;
}

/**
 * One SAE on the activations of all `models` (organism and diffing base) at
 * the `depth` layer over the world's general text (train split). With a
 * store it is cached under a content key of the model keys, hook, token
 * data, training config and seed.
 */
export async function obtainSae(args: {
  arch: string;
  models: NamedModel[];
  tokenizer: TextTokenizer;
  source: DataSource;
  store: ArtifactStore | null;
  settings: SaeBuildSettings;
  seed: number | string;
  onLog?: (e: SaeTrainLogEntry) => void;
}): Promise<ObtainedSae> {
  const { models, settings } = args;
  const hook = depthHook(models[0].model.numLayers, settings.depth);
  const seqs = generalTextSequences(args.source, args.tokenizer, 'train', settings.trainSequences);
  const identity: SaeIdentity = {
    arch: args.arch,
    models: models.map((m) => m.id),
    hook: hook.hook,
    data: { kind: 'general-text', split: 'train', sequences: seqs.length, tokens: sha256Hex(JSON.stringify(seqs)) },
    train: settings.train as unknown as Record<string, unknown>,
    seed: args.seed,
  };
  const key = saeKey(identity);
  if (args.store?.hasDir('saes', key)) {
    const { sae, info } = await loadSae(args.store, key);
    return { sae, key, cached: true, hook, log: info.log, trainSeconds: info.train_seconds, trainTokens: NaN };
  }
  const acts = models.map((m) => collectActivations(m.model, seqs, hook.hook));
  const x = concatActivations(acts);
  const result = trainSae(x, models[0].model.hiddenSize, settings.train, args.seed, args.onLog);
  if (args.store) await saveSae(args.store, key, result.sae, { identity, log: result.log, train_seconds: result.seconds });
  return { sae: result.sae, key, cached: false, hook, log: result.log, trainSeconds: result.seconds, trainTokens: x.length / models[0].model.hiddenSize };
}

export interface SaeEvaluation extends SaeQuality {
  ceClean: number;
  ceSae: number;
  ceZero: number;
  ceRecovered: number;
  ceTokens: number;
}

/** Quality of an SAE on one model's held-out general text (val split): reconstruction metrics and CE recovered. */
export function evaluateSae(model: CausalLM, sae: TopKSae, hook: string, tokenizer: TextTokenizer, source: DataSource, opts: { sequences: number; ceSequences: number }): SaeEvaluation {
  const seqs = generalTextSequences(source, tokenizer, 'val', opts.sequences);
  const acts = collectActivations(model, seqs, hook);
  const z = encodeAll(sae, acts);
  const xhat = new Float32Array(acts.x.length);
  const m = sae.config.dSae;
  for (let s = 0; s < acts.n; s += 1024) {
    const e = Math.min(acts.n, s + 1024);
    const r = tf.tidy(() => sae.decode(tf.tensor2d(z.subarray(s * m, e * m), [e - s, m])));
    xhat.set(r.dataSync() as Float32Array, s * acts.d);
    r.dispose();
  }
  const quality = saeQuality(acts.x, xhat, z, acts.d, m);
  const ce = spliceLosses(model, seqs.slice(0, opts.ceSequences), hook, (x, n) => {
    const t = tf.tidy(() => sae.reconstruct(tf.tensor2d(x, [n, acts.d])));
    const out = Float32Array.from(t.dataSync() as Float32Array);
    t.dispose();
    return out;
  });
  return { ...quality, ceClean: ce.ceClean, ceSae: ce.ceSae, ceZero: ce.ceZero, ceRecovered: ceRecovered(ce.ceClean, ce.ceSae, ce.ceZero), ceTokens: ce.tokens };
}
