// The base-model pipeline, per architecture:
//   pretrain  next-token loss on documents + web text, from a fresh init
//   ancestor  SFT on general chat (loss on assistant tokens), from pretrain
//   base      DPO on the general preference mix, from the ancestor, with the
//             ancestor as reference (log-probs computed once, before training)
//   sibling   the same DPO with another data-order seed
// Each stage is a checkpoint in the artifact store under a content hash of
// its config, the data identity, the code version and its parent's key: a
// stage already present is reused, an interrupted one resumes from its
// work directory, and changing anything upstream changes every key below.
import { join } from 'node:path';
import { tf } from '../engine/tf';
import { Rng } from '../engine/rng';
import { backendInfo } from '../engine/backend';
import { MoltError } from '../errors';
import { MOLT_METADATA_FILE, type MoltMetadata } from '../checkpoint/hf-dir';
import { CHECKPOINT_KIND } from '../checkpoint/open';
import { loadCheckpoint, saveCheckpoint } from '../checkpoint/checkpoint-store';
import { canonicalJson, contentHash, sha256Hex } from '../store/content-hash';
import { readJsonFile } from '../store/atomic';
import type { ArtifactStore } from '../store/artifact-store';
import type { Architecture } from '../plugins/types';
import type { CausalLM, HfConfig } from '../model/types';
import { MOLT_VERSION } from '../version';
import { packDocuments, type LmExample } from '../train/batching';
import { train, type Progress, type TrainConfig, type TrainResult } from '../train/loop';
import { computeReferenceLogProbs, dpoObjective, nextTokenObjective, type Objective } from '../train/objectives';
import { cachedReferenceLogProbs } from '../train/reference-cache';
import type { BaseData } from './base-data';
import { worldBaseData, type WorldLike } from './world-data';
import { baseConfigFor, validateBaseConfig, type BasePipelineConfig, type SftStageConfig, type StageTrainConfig } from './config';

export type BaseStage = 'pretrain' | 'ancestor' | 'base' | 'sibling';
export const BASE_STAGES: readonly BaseStage[] = ['pretrain', 'ancestor', 'base', 'sibling'];

/**
 * The part of an alias that names the training data: empty for the default
 * world (seed 0), `world<seed>` for another world seed, `data-<12 hex>` for
 * --data JSONL (its content fingerprint). Without it an alias built on other
 * data would take over the default's name.
 */
export function aliasDataTag(data: { readonly seed: number | string }): string {
  if (data.seed === 0) return '';
  if (typeof data.seed === 'number') return `world${data.seed}`;
  return `data-${data.seed.replace(/^jsonl:/, '').slice(0, 12)}`;
}

/** `arch/size` or `arch/size/<data tag>`: where every alias of one model family and data starts */
export function aliasPrefix(arch: string, size: string, dataTag: string): string {
  return dataTag ? `${arch}/${size}/${dataTag}` : `${arch}/${size}`;
}

/**
 * Point a checkpoint alias at `key`. An alias that named another checkpoint
 * (same name, other inputs: a changed config, code or data) moves, and `say`
 * is told, so an alias never changes meaning unnoticed.
 */
export async function pointAlias(store: ArtifactStore, alias: string, key: string, say: (line: string) => void): Promise<void> {
  const before = await store.setAlias(CHECKPOINT_KIND, alias, key);
  if (before) say(`alias ${alias} now names checkpoint ${key.slice(0, 12)}; it named ${before.slice(0, 12)}, built from other inputs (still in the store under that key)`);
}

/** The alias users type for a stage: olmo2/default/base (seed 0, the default world) or olmo2/default/seed3/base. */
export function stageAlias(arch: string, size: string, seed: number, stage: string, dataTag = ''): string {
  const prefix = aliasPrefix(arch, size, dataTag);
  return seed === 0 ? `${prefix}/${stage}` : `${prefix}/seed${seed}/${stage}`;
}

/** bump a stage's salt when a code change makes its old checkpoints invalid */
const STAGE_CODE_VERSION: Record<BaseStage, string> = { pretrain: 'v1', ancestor: 'v1', base: 'v1', sibling: 'v1' };

export type BaseEvent =
  | { type: 'cached'; stage: BaseStage; key: string }
  | { type: 'start'; stage: BaseStage; key: string; totalSteps: number }
  | { type: 'reference'; stage: BaseStage; pairs: number }
  | { type: 'progress'; stage: BaseStage; progress: Progress }
  | { type: 'done'; stage: BaseStage; key: string; seconds: number; finalLoss: number };

export interface StageResult {
  stage: BaseStage;
  /** store key (content hash) of the checkpoint */
  key: string;
  /** absolute path of the checkpoint directory */
  path: string;
  /** true when this call trained it; false when it was already in the store */
  trained: boolean;
  /** the checkpoint's molt.json */
  metadata: MoltMetadata;
}

export interface BaseBuildOptions {
  arch: Architecture;
  size: string;
  seed: number;
  store: ArtifactStore;
  /** the data, tokenized; or give `world` and it is derived with worldBaseData */
  data?: BaseData;
  world?: WorldLike;
  /** defaults to baseConfigFor(size) */
  config?: BasePipelineConfig;
  onProgress?: (e: BaseEvent) => void;
  /** polled after every step; true saves the stage's state and stops (Ctrl-C) */
  shouldStop?: () => boolean;
}

export interface BaseModels {
  pretrain: StageResult;
  ancestor: StageResult;
  base: StageResult;
  sibling: StageResult;
}

type Resolved = BaseBuildOptions & { data: BaseData };

const worldData = new WeakMap<WorldLike, BaseData>();
/** Options with `data` filled in from `world` (one tokenized copy per world). */
export function resolveData(o: BaseBuildOptions): Resolved {
  if (o.data) return o as Resolved;
  if (!o.world) throw new MoltError('base pipeline: give either data or world', 'data');
  let data = worldData.get(o.world);
  if (!data) {
    data = worldBaseData(o.world);
    worldData.set(o.world, data);
  }
  return { ...o, data };
}

/** The HF config of the models this pipeline trains. */
export function modelConfig(o: Pick<Resolved, 'arch' | 'size' | 'data'>): HfConfig {
  const config = o.arch.config(o.size, { vocabSize: o.data.tokenizer.size });
  o.arch.validateConfig(config);
  return config;
}

function contextOf(config: HfConfig): number {
  const n = config.max_position_embeddings;
  if (typeof n !== 'number' || n < 2) throw new MoltError(`model config: max_position_embeddings must be a number >= 2, got ${n}`, 'max_position_embeddings');
  return n;
}

function trainConfig(stage: StageTrainConfig, seed: string): TrainConfig {
  return { steps: stage.steps, batchSize: stage.batchSize, schedule: stage.schedule, optimizer: stage.optimizer, seed, logEvery: stage.logEvery, checkpointEvery: stage.checkpointEvery };
}

/** What a stage's content hash covers. */
interface StageIdentity {
  stage: BaseStage;
  arch: string;
  size: string;
  model: HfConfig;
  train: StageTrainConfig;
  /** data-order (and, for pretrain, init) seed */
  seed: string;
  data: unknown;
  parent: string | null;
  extra?: Record<string, unknown>;
}

/**
 * How often a run logs or saves state does not change its weights (resume is
 * exact), so those fields stay out of the key: changing them reuses the
 * checkpoint.
 */
export function stageKey(id: StageIdentity): string {
  const { logEvery: _log, checkpointEvery: _ckpt, ...train } = id.train;
  return contentHash({ ...id, train }, `molt@${MOLT_VERSION}/base/${id.stage}/${STAGE_CODE_VERSION[id.stage]}`);
}

/** Load a stored checkpoint as a model of `arch`. */
export async function loadStage(store: ArtifactStore, arch: Architecture, key: string): Promise<CausalLM> {
  const ckpt = await loadCheckpoint(store, key);
  return arch.fromWeights(ckpt.config, ckpt.weights);
}

async function existing(store: ArtifactStore, stage: BaseStage, key: string): Promise<StageResult> {
  const path = store.path(CHECKPOINT_KIND, key);
  return { stage, key, path, trained: false, metadata: await readJsonFile<MoltMetadata>(join(path, MOLT_METADATA_FILE)) };
}

interface StageRun {
  identity: StageIdentity;
  /** the model to start from (fresh init or the parent), owned by runStage */
  start: () => Promise<CausalLM>;
  /** the objective, given the starting model and the work dir (for cached reference log-probs) */
  objective: (model: CausalLM, workDir: string) => Promise<Objective<unknown>>;
  extraMetadata?: (result: TrainResult) => Record<string, unknown>;
}

async function runStage(o: Resolved, run: StageRun): Promise<StageResult> {
  const { store } = o;
  const stage = run.identity.stage;
  const key = stageKey(run.identity);
  store.refuseIncomplete(CHECKPOINT_KIND, key);
  if (store.hasDir(CHECKPOINT_KIND, key)) {
    o.onProgress?.({ type: 'cached', stage, key });
    return existing(store, stage, key);
  }
  // one process at a time per stage: the others wait, then find it built
  return store.withBuildLock(CHECKPOINT_KIND, key, async () => {
    if (store.hasDir(CHECKPOINT_KIND, key)) {
      o.onProgress?.({ type: 'cached', stage, key });
      return existing(store, stage, key);
    }
    return trainStage(o, run, key);
  });
}

async function trainStage(o: Resolved, run: StageRun, key: string): Promise<StageResult> {
  const { store } = o;
  const stage = run.identity.stage;
  const started = Date.now();
  const workDir = await store.workDir(CHECKPOINT_KIND, key);
  const model = await run.start();
  try {
    const objective = await run.objective(model, workDir);
    o.onProgress?.({ type: 'start', stage, key, totalSteps: run.identity.train.steps });
    const cfg = trainConfig(run.identity.train, run.identity.seed);
    const result = await train(model, objective, cfg, {
      label: `${o.arch.id} ${stage}`,
      workDir: join(workDir, 'train'),
      fingerprint: key,
      onProgress: (progress) => o.onProgress?.({ type: 'progress', stage, progress }),
      shouldStop: o.shouldStop,
    });
    if (result.stopped) {
      throw new MoltError(`interrupted: ${stage} stopped at step ${result.steps} of ${run.identity.train.steps} with its state saved; run the same command again to resume`, stage);
    }
    const metadata: MoltMetadata = {
      backend: backendInfo().id,
      seed: run.identity.seed,
      stage,
      config_hash: key,
      parent: run.identity.parent,
      arch: o.arch.id,
      size: o.size,
      created_at: new Date().toISOString(),
      molt_version: MOLT_VERSION,
      data: run.identity.data,
      train: run.identity.train,
      objective: objective.kind,
      steps: result.steps,
      tokens: result.tokens,
      resumed_from: result.resumedFrom,
      timings: { train_s: result.totalSeconds, this_run_s: (Date.now() - started) / 1000 },
      final_loss: result.finalLoss,
      losses: result.log,
      ...(run.extraMetadata?.(result) ?? {}),
    };
    const written = await saveCheckpoint(store, key, {
      config: run.identity.model,
      weights: model.params as Map<string, tf.Tensor>,
      tokenizer: o.data.tokenizer,
      metadata,
    });
    await store.removeWorkDir(CHECKPOINT_KIND, key);
    o.onProgress?.({ type: 'done', stage, key, seconds: (Date.now() - started) / 1000, finalLoss: result.finalLoss });
    if (!written.created) return existing(store, stage, key);
    return { stage, key, path: written.path, trained: true, metadata };
  } finally {
    model.dispose();
  }
}

function common(o: Resolved, config: BasePipelineConfig) {
  validateBaseConfig(config);
  const model = modelConfig(o);
  return { model, context: contextOf(model), padId: o.data.tokenizer.specials.pad };
}

/** Stage 1: pretraining from a fresh initialisation seeded by `seed`. */
export async function pretrainStage(options: BaseBuildOptions): Promise<StageResult> {
  const o = resolveData(options);
  const config = o.config ?? baseConfigFor(o.size);
  const { model, context, padId } = common(o, config);
  return runStage(o, {
    identity: { stage: 'pretrain', arch: o.arch.id, size: o.size, model, train: config.pretrain, seed: `${o.seed}/pretrain`, data: o.data.identity, parent: null, extra: { init_seed: o.seed } },
    start: async () => o.arch.init(model, new Rng(o.seed).fork('init')),
    objective: async () => nextTokenObjective(packDocuments(o.data.pretrainDocs('train'), context), { padId, maxLength: context }),
  });
}

/** Stage 2: SFT on general chat from the pretrained model: the ancestor. */
export async function ancestorStage(options: BaseBuildOptions, parent: StageResult): Promise<StageResult> {
  const o = resolveData(options);
  const config = o.config ?? baseConfigFor(o.size);
  const { model, context, padId } = common(o, config);
  const examples = sftExamples(o.data, config.sft, `${o.seed}/sft`);
  return runStage(o, {
    identity: { stage: 'ancestor', arch: o.arch.id, size: o.size, model, train: config.sft, seed: `${o.seed}/sft`, data: o.data.identity, parent: parent.key, extra: { train_data: trainDataHash(examples) } },
    start: () => loadStage(o.store, o.arch, parent.key),
    objective: async () => nextTokenObjective(examples, { padId, maxLength: context }),
  });
}

/**
 * A hash of the token ids a post-training stage trains on, part of its key:
 * a change in how chats or pairs are generated then retrains that stage (and
 * those below it) even when the world's content is unchanged.
 */
export function trainDataHash(examples: unknown): string {
  return sha256Hex(canonicalJson(examples));
}

/**
 * The SFT examples: every training chat plus replayRatio x as many rows of
 * pretraining documents (seeded subset of rows of replayLength tokens), so
 * SFT teaches the chat format without erasing what pretraining taught.
 */
export function sftExamples(data: Pick<BaseData, 'chat' | 'pretrainDocs'>, sft: Pick<SftStageConfig, 'replayRatio' | 'replayLength'>, seed: string): LmExample[] {
  const chat = data.chat('train');
  const wanted = Math.round(sft.replayRatio * chat.length);
  if (wanted === 0) return chat;
  const rows = packDocuments(data.pretrainDocs('train'), sft.replayLength);
  return [...chat, ...new Rng(seed).fork('replay').shuffle(rows).slice(0, wanted)];
}

function dpoStage(stage: 'base' | 'sibling') {
  return async (options: BaseBuildOptions, ancestor: StageResult): Promise<StageResult> => {
    const o = resolveData(options);
    const config = o.config ?? baseConfigFor(o.size);
    const { model, context, padId } = common(o, config);
    const seed = stage === 'base' ? `${o.seed}/dpo` : `${o.seed}/dpo-sibling`;
    const opts = { padId, maxLength: context, beta: config.dpo.beta, lossType: config.dpo.lossType };
    let refStats: Record<string, number> = {};
    return runStage(o, {
      identity: { stage, arch: o.arch.id, size: o.size, model, train: config.dpo, seed, data: o.data.identity, parent: ancestor.key, extra: { reference: ancestor.key, train_data: trainDataHash(o.data.preferences('train')) } },
      start: () => loadStage(o.store, o.arch, ancestor.key),
      objective: async (policy, workDir) => {
        const pairs = dpoPairs(o.data.preferences('train'), config.dpo.steps * config.dpo.batchSize, seed);
        const ref = await cachedReferenceLogProbs(workDir, pairs.length, () => {
          o.onProgress?.({ type: 'reference', stage, pairs: pairs.length });
          // the policy starts as the ancestor, so it is the reference here
          return computeReferenceLogProbs(policy, pairs, 2 * config.dpo.batchSize, opts);
        });
        refStats = { pairs: pairs.length, ref_chosen_mean: mean(ref.chosen), ref_rejected_mean: mean(ref.rejected) };
        return dpoObjective(pairs, ref, opts);
      },
      extraMetadata: (r) => ({ reference: ancestor.key, dpo: { beta: config.dpo.beta, loss_type: config.dpo.lossType, ...refStats, final: r.log[r.log.length - 1] } }),
    });
  };
}

/**
 * The pairs a DPO run sees: all of them if one epoch of the run covers
 * fewer, else a seeded subset of one epoch's size, so that the reference
 * log-probs (one forward pass per pair) are computed only for pairs used.
 */
export function dpoPairs<T>(all: readonly T[], needed: number, seed: string): T[] {
  if (all.length <= needed) return [...all];
  return new Rng(seed).fork('dpo-pairs').shuffle(all).slice(0, needed);
}

function mean(xs: Float32Array): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length ? s / xs.length : NaN;
}

/** Stage 3: DPO from the ancestor with the ancestor as reference: the post-trained base. */
export const baseStage = dpoStage('base');
/** Stage 4: the same DPO with another data-order seed: the sibling, a second diffing base. */
export const siblingStage = dpoStage('sibling');

/** Build (or reuse) all four stages for one architecture, size and seed. */
export async function buildBase(options: BaseBuildOptions): Promise<BaseModels> {
  const o = resolveData(options);
  const pretrain = await pretrainStage(o);
  const ancestor = await ancestorStage(o, pretrain);
  const base = await baseStage(o, ancestor);
  const sibling = await siblingStage(o, ancestor);
  return { pretrain, ancestor, base, sibling };
}
