// Organism building: (behaviour, technique, arch, size, seed) -> a checkpoint
// in the store under a content hash of everything that decides its weights:
// the behaviour's data, the trainer and its hyperparameters, the start
// checkpoint's key (which covers the base pipeline, the world and the model
// config), the general data, the step selection and the code version. A
// built organism is served from the store; an interrupted one resumes from
// its work directory (Ctrl-C safe).
//
// Two keys: the RUN key (weights at a given step: no max steps, no snapshot
// spacing) names the work directory of snapshots; the ORGANISM key adds the
// step selection (max steps, grid, matcher settings) and names the checkpoint.
import { join } from 'node:path';
import type { tf } from '../engine/tf';
import { backendInfo } from '../engine/backend';
import { MoltError } from '../errors';
import { MOLT_METADATA_FILE, type MoltMetadata } from '../checkpoint/hf-dir';
import { CHECKPOINT_KIND, loadCheckpoint, saveCheckpoint } from '../checkpoint/checkpoint-store';
import { validateBehaviour } from '../behaviours/validate';
import { readJsonFile } from '../store/atomic';
import { canonicalJson, contentHash, sha256Hex } from '../store/content-hash';
import type { ArtifactStore } from '../store/artifact-store';
import type { Architecture, BehaviourDataset, GeneralData, Trainer, TrainerHyperparameters } from '../plugins/types';
import type { World } from '../world/world';
import type { HfConfig } from '../model/types';
import type { WordTokenizer } from '../tokenizer/word-tokenizer';
import type { Progress } from '../train/loop';
import { MOLT_VERSION } from '../version';
import { hyperparametersFor, weightIdentity } from './hparams';
import { OrganismRun } from './run';
import { aliasPrefix } from '../pipeline/base';
import { finalStepSelector, type StepSelection, type StepSelector } from './select';

/** the fields the loop writes in every log entry; an objective's describe() adds the others */
const LOOP_LOG_FIELDS = new Set(['step', 'loss', 'lr', 'gradNorm']);

/** bump when a code change makes old organisms invalid */
const ORGANISM_CODE_VERSION = 'v1';

export interface StartCheckpoints {
  /** store key of the post-trained base (post-hoc techniques start here) */
  base: string;
  /** store key of the SFT ancestor (integrated DPO starts here) */
  ancestor: string;
}

export type OrganismEvent =
  | { type: 'cached'; key: string }
  | { type: 'prepare'; runKey: string; startsFrom: 'base' | 'ancestor'; start: string }
  | { type: 'progress'; progress: Progress }
  | { type: 'snapshot'; step: number }
  | { type: 'selected'; selection: StepSelection }
  | { type: 'done'; key: string; seconds: number };

export interface OrganismOptions {
  behaviour: BehaviourDataset;
  trainer: Trainer;
  arch: Architecture;
  size: string;
  /** seed of the organism's data order and mixing (the base models have their own) */
  seed: number;
  store: ArtifactStore;
  /** the world the behaviour was built on (validation checks its data against it) */
  world: World;
  general: GeneralData;
  tokenizer: WordTokenizer;
  bases: StartCheckpoints;
  /** overrides of the technique's defaults (config file `trainers.<id>`) */
  hparams?: unknown;
  /** default: the run's final step */
  selector?: StepSelector;
  onEvent?: (e: OrganismEvent) => void;
  shouldStop?: () => boolean;
  /** keep the run's snapshots after the organism is written (default: remove them) */
  keepRun?: boolean;
}

export interface OrganismResult {
  key: string;
  runKey: string;
  path: string;
  /** false when served from the store */
  trained: boolean;
  metadata: MoltMetadata;
}

/** Identity of a behaviour's training data: its id, kind and a hash of everything it trains on. */
export function behaviourIdentity(b: BehaviourDataset): Record<string, unknown> {
  return { id: b.id, family: b.family, pipeline: b.pipeline, counts: b.counts, data: sha256Hex(canonicalJson(b.data())) };
}

export interface OrganismKeys {
  runKey: string;
  key: string;
  hparams: TrainerHyperparameters;
  start: string;
}

type KeyInputs = Pick<OrganismOptions, 'behaviour' | 'trainer' | 'arch' | 'size' | 'seed' | 'general' | 'bases' | 'hparams' | 'selector'>;

/** The key of a run's weights: everything that decides the model at a given step. */
function runKeyOf(o: KeyInputs, hparams: TrainerHyperparameters): string {
  const run = {
    behaviour: behaviourIdentity(o.behaviour),
    trainer: { id: o.trainer.id, objective: o.trainer.objective, mixed: o.trainer.mixed, hparams: weightIdentity(hparams) },
    start: o.bases[o.trainer.startsFrom],
    arch: o.arch.id,
    size: o.size,
    seed: o.seed,
    general: o.general.identity,
  };
  return contentHash(run, `molt@${MOLT_VERSION}/organism-run/${ORGANISM_CODE_VERSION}`);
}

export function organismKeys(o: KeyInputs): OrganismKeys {
  const hparams = hyperparametersFor(o.trainer, o.size, o.hparams);
  const runKey = runKeyOf(o, hparams);
  const selection = (o.selector ?? finalStepSelector()).identity;
  const key = contentHash(
    { run: runKey, steps: hparams.steps, every: hparams.checkpointEvery, lrDoublings: hparams.lrDoublings ?? 0, selection },
    `molt@${MOLT_VERSION}/organism/${ORGANISM_CODE_VERSION}`,
  );
  return { runKey, key, hparams, start: o.bases[o.trainer.startsFrom] };
}

/** One rate tried by an organism build (the last entry is the rate it was built at). */
export interface LadderEntry {
  lr: number;
  run_key: string;
  step: number;
  matched: boolean | null;
  reason: string;
}

/** A selection the paper chases with a higher rate: the band is never reached within the run's steps. */
function outOfReach(s: StepSelection): boolean {
  return s.matched === false && /^never reaches band/.test(s.reason);
}

/** Build (or serve from the store) one organism. */
export async function buildOrganism(o: OrganismOptions): Promise<OrganismResult> {
  // refuse bad behaviour data before anything is trained or even hashed
  validateBehaviour(o.behaviour, o.world);
  const { runKey, key, hparams, start } = organismKeys(o);
  const { store } = o;
  store.refuseIncomplete(CHECKPOINT_KIND, key);
  const cached = async (): Promise<OrganismResult | null> => {
    if (!store.hasDir(CHECKPOINT_KIND, key)) return null;
    o.onEvent?.({ type: 'cached', key });
    const path = store.path(CHECKPOINT_KIND, key);
    return { key, runKey, path, trained: false, metadata: await readJsonFile<MoltMetadata>(join(path, MOLT_METADATA_FILE)) };
  };
  const served = await cached();
  if (served) return served;
  // one process at a time per organism (its rate ladder) and per run (a work
  // directory two organisms may share): the others wait, then find it built
  return store.withBuildLock(CHECKPOINT_KIND, key, async () => (await cached()) ?? trainOrganism(o, { runKey, key, hparams, start }));
}

async function trainOrganism(o: OrganismOptions, keys: OrganismKeys): Promise<OrganismResult> {
  const { store, trainer } = o;
  if (!store.hasDir(CHECKPOINT_KIND, keys.start)) {
    throw new MoltError(`organism: start checkpoint ${keys.start} (${trainer.startsFrom}) is not in the store ${store.root}; build the base models first (molt base)`, keys.start);
  }
  const startCkpt = await loadCheckpoint(store, keys.start);
  const modelConfig = startCkpt.config;
  startCkpt.weights.forEach((t) => t.dispose());
  const ctx: RateContext = { o, keys, modelConfig, started: Date.now(), ladder: [] };
  // the paper's rule for a band out of reach: train to the run's steps, then
  // at most `lrDoublings` doublings of the rate, each a run from the start
  const doublings = keys.hparams.lrDoublings ?? 0;
  for (let attempt = 0; ; attempt++) {
    const hparams = { ...keys.hparams, lr: keys.hparams.lr * 2 ** attempt };
    const runKey = attempt === 0 ? keys.runKey : runKeyOf(o, hparams);
    const built = await store.withBuildLock(CHECKPOINT_KIND, runKey, () => trainAtRate(ctx, hparams, runKey, attempt < doublings));
    if (built) return built;
  }
}

interface RateContext {
  o: OrganismOptions;
  keys: OrganismKeys;
  modelConfig: HfConfig;
  started: number;
  /** every rate tried so far */
  ladder: LadderEntry[];
}

/** One run at one rate: the organism, or null when the band is out of reach and a higher rate may be tried. */
async function trainAtRate(ctx: RateContext, hparams: TrainerHyperparameters, runKey: string, mayRetry: boolean): Promise<OrganismResult | null> {
  const { o, keys, modelConfig } = ctx;
  const { store, trainer } = o;
  const seed = `${o.seed}/organism/${o.behaviour.id}/${trainer.id}`;
  const maxLength = Number(modelConfig.max_position_embeddings);
  const workDir = await store.workDir(CHECKPOINT_KIND, runKey);
  o.onEvent?.({ type: 'prepare', runKey, startsFrom: trainer.startsFrom, start: keys.start });
  const run = new OrganismRun({
    label: `organism ${o.behaviour.id} ${trainer.id} ${o.arch.id}${o.seed ? ` seed ${o.seed}` : ''}`,
    key: runKey,
    workDir,
    hparams,
    seed,
    loadStart: async () => {
      const c = await loadCheckpoint(store, keys.start, { verify: false });
      return o.arch.fromWeights(c.config, c.weights);
    },
    fromWeights: (w) => o.arch.fromWeights(modelConfig, w),
    prepare: (model, cacheDir, reference) => trainer.prepare({ behaviour: o.behaviour.data(), general: o.general, tokenizer: o.tokenizer, start: model, reference, hparams, seed, maxLength, cacheDir }),
    onProgress: (progress) => o.onEvent?.({ type: 'progress', progress }),
    onSnapshot: (step) => o.onEvent?.({ type: 'snapshot', step }),
    shouldStop: o.shouldStop,
  });
  try {
    const selection = await (o.selector ?? finalStepSelector()).select(run);
    o.onEvent?.({ type: 'selected', selection });
    ctx.ladder.push({ lr: hparams.lr, run_key: runKey, step: selection.step, matched: selection.matched, reason: selection.reason });
    if (outOfReach(selection) && mayRetry) {
      if (!o.keepRun) await store.removeWorkDir(CHECKPOINT_KIND, runKey);
      return null;
    }
    const plan = await run.plan();
    const log = await run.logAt(selection.step);
    const last = log[log.length - 1];
    // what the objective's describe() logged beside the loss (DPO: the rewards), at the selected step
    const finalMetrics = last ? Object.fromEntries(Object.entries(last).filter(([k]) => !LOOP_LOG_FIELDS.has(k))) : {};
    const metadata: MoltMetadata = {
      backend: backendInfo().id,
      seed: o.seed,
      stage: 'organism',
      config_hash: keys.key,
      run_key: runKey,
      parent: keys.start,
      starts_from: trainer.startsFrom,
      arch: o.arch.id,
      size: o.size,
      created_at: new Date().toISOString(),
      molt_version: MOLT_VERSION,
      behaviour: behaviourIdentity(o.behaviour),
      technique: trainer.id,
      objective: trainer.objective,
      objective_kind: plan.objective.kind,
      mixed: trainer.mixed,
      // the rate it was built at; lr_ladder lists every rate tried
      hparams,
      lr_ladder: ctx.ladder,
      mix: plan.mix,
      plan: plan.notes,
      step: selection.step,
      selection: { ...selection, match: selection.match ? { ...selection.match } : undefined },
      final_loss: last?.loss ?? null,
      losses: log,
      final_metrics: finalMetrics,
      timings: { train_s_this_run: run.trainSeconds, this_run_s: (Date.now() - ctx.started) / 1000 },
    };
    const model = await run.modelAt(selection.step);
    try {
      const written = await saveCheckpoint(store, keys.key, { config: modelConfig, weights: model.params as Map<string, tf.Tensor>, tokenizer: o.tokenizer, metadata });
      if (!o.keepRun) await store.removeWorkDir(CHECKPOINT_KIND, runKey);
      o.onEvent?.({ type: 'done', key: keys.key, seconds: (Date.now() - ctx.started) / 1000 });
      return { key: keys.key, runKey, path: written.path, trained: true, metadata };
    } finally {
      model.dispose();
    }
  } finally {
    run.dispose();
  }
}

/** The alias of an organism: olmo2/default/organism/cake-bake/posthoc-dpo (seed 0, the default world) or .../seed2 */
export function organismAlias(arch: string, size: string, behaviour: string, technique: string, seed: number, dataTag = ''): string {
  return `${aliasPrefix(arch, size, dataTag)}/organism/${behaviour}/${technique}${seed === 0 ? '' : `/seed${seed}`}`;
}
