// The activation oracle the `activation-oracle` probe queries: one per
// architecture and diffing base (and settings), trained from a copy of the
// base on the world's LatentQA data and cached in the store (kind 'oracles').
import { join } from 'node:path';
import {
  MoltError,
  contentHash,
  sha256Hex,
  readJsonFile,
  loadHfDir,
  saveHfDir,
  MOLT_METADATA_FILE,
  train,
  DEFAULT_ADAMW,
  MOLT_VERSION,
  Grader,
  depthHook,
  type Architecture,
  type ArtifactStore,
  type CausalLM,
  type Progress,
  type WordTokenizer,
} from '../../../core/public';
import { oracleExamples, type OracleExample, type OracleWorld } from './data';
import { injectionHook, placeholderNorms } from './inject';
import { askOracle } from './query';
import { copyModel, oracleObjective, segmentVectors, type OracleSetup } from './train';
import { isVariantWorld, planVariants, variantExamples, type VariantSettings } from './variants';

export const ORACLE_KIND = 'oracles';
const ORACLE_CODE_VERSION = 'v3';

export interface OracleSettings extends VariantSettings {
  /** read point as a share of depth (the paper's ~0.44; after more blocks than injectLayer) */
  readDepth: number;
  /** injection after this many blocks (1: the paper's layer 1) */
  injectLayer: number;
  coefficient: number;
  /** placeholders = context tokens read (the last `slots`) */
  slots: number;
  trainExamples: number;
  heldOutExamples: number;
  steps: number;
  /** examples per update */
  batchSize: number;
  lr: number;
  maxNewTokens: number;
  /** share of read fact chats whose value is swapped for a vocabulary word (data.ts: reading, not recall) */
  valueSubstitution: number;
  /** 'next' examples in the training data (data.ts) */
  nextWord: boolean;
}

export interface HeldOutAccuracy {
  /** share of held-out answers containing an expected word */
  accuracy: number;
  correct: number;
  n: number;
  /** per input kind and question kind, e.g. 'intent/value' */
  byQuestion: Record<string, { correct: number; n: number }>;
  samples: { question: string; expected: string; answer: string }[];
}

export interface Oracle {
  model: CausalLM;
  key: string;
  cached: boolean;
  setup: OracleSetup;
  readHook: string;
  readPercent: number;
  norms: number[];
  heldOut: HeldOutAccuracy;
  trainSeconds: number;
  finalLoss: number;
}

function setupOf(model: CausalLM, s: OracleSettings): OracleSetup {
  return { slots: s.slots, injectHook: injectionHook(s.injectLayer), coefficient: s.coefficient, maxLength: Number(model.config.max_position_embeddings ?? 128) };
}

/** Held-out accuracy: the oracle reads the activations of unseen contexts (`vectors`, one set per example); right when the answer contains the expected word. */
export function heldOutAccuracy(oracle: CausalLM, tok: WordTokenizer, examples: readonly OracleExample[], vectors: readonly Float32Array[], setup: OracleSetup, maxNewTokens: number): HeldOutAccuracy {
  const norms = placeholderNorms(oracle, tok, setup.slots, setup.injectHook);
  const byQuestion: Record<string, { correct: number; n: number }> = {};
  const samples: HeldOutAccuracy['samples'] = [];
  let correct = 0;
  let n = 0;
  examples.forEach((e, i) => {
    for (const q of e.qa) {
      const answer = askOracle(oracle, tok, vectors[i], q.question, { ...setup, norms, maxNewTokens });
      const ok = new Grader(q.keys).answer(answer).hit;
      const b = (byQuestion[`${e.input}/${q.kind}`] ??= { correct: 0, n: 0 });
      b.n++;
      n++;
      if (ok) {
        b.correct++;
        correct++;
      }
      if (samples.length < 10) samples.push({ question: q.question, expected: q.answer, answer });
    }
  });
  return { accuracy: n ? correct / n : NaN, correct, n, byQuestion, samples };
}

/**
 * The oracle for `base` at these settings: from the store when present,
 * else trained (and stored when a store is given).
 */
export async function obtainOracle(args: {
  arch: Architecture;
  base: { id: string; model: CausalLM };
  tokenizer: WordTokenizer;
  world: OracleWorld;
  store: ArtifactStore | null;
  settings: OracleSettings;
  seed: number | string;
  onProgress?: (p: Progress) => void;
}): Promise<Oracle> {
  const { base, tokenizer: tok, settings: s } = args;
  if (!(s.injectLayer < base.model.numLayers)) throw new MoltError(`activation oracle: injection layer ${s.injectLayer} must be below the model's ${base.model.numLayers} layers`, 'injectLayer');
  const read = depthHook(base.model.numLayers, s.readDepth);
  // reading where the oracle injects would hand each activation back to the point it came from
  if (!(read.layer > s.injectLayer))
    throw new MoltError(`activation oracle: readDepth ${s.readDepth} reads after ${read.layer} of ${base.model.numLayers} blocks, not after the injection layer ${s.injectLayer}; read deeper`, 'readDepth');
  const setup = setupOf(base.model, s);
  const trainSet = oracleExamples(args.world, tok, 'train', s.trainExamples, setup.maxLength, s.slots, { valueSubstitution: s.valueSubstitution, nextWord: s.nextWord });
  const heldSet = oracleExamples(args.world, tok, 'val', s.heldOutExamples, setup.maxLength, s.slots, { valueSubstitution: s.valueSubstitution, nextWord: s.nextWord });
  const world = args.world;
  if ((s.variants > 0 || s.heldOutVariants > 0) && !isVariantWorld(world))
    throw new MoltError("activation oracle: counterfactual variants need the world's fact splits and behaviour entities (the synthetic world); set variants=0 and heldOutVariants=0", 'variants');
  // the fine-tunes' facts and values, on the world's train facts and on its held-out ones
  const plans = isVariantWorld(world)
    ? { train: planVariants(world, tok, 'train', s.variants, s.variantFacts, String(args.seed)), val: planVariants(world, tok, 'val', s.heldOutVariants, s.variantFacts, String(args.seed)) }
    : { train: [], val: [] };
  const identity = {
    arch: args.arch.id,
    base: base.id,
    settings: s as unknown as Record<string, unknown>,
    read: read.hook,
    data: { train: sha256Hex(JSON.stringify(trainSet)), val: sha256Hex(JSON.stringify(heldSet)), variants: sha256Hex(JSON.stringify(plans)) },
    seed: args.seed,
  };
  const key = contentHash(identity, `molt@${MOLT_VERSION}/oracle/${ORACLE_CODE_VERSION}`);
  if (args.store?.hasDir(ORACLE_KIND, key)) {
    await args.store.verify(ORACLE_KIND, key);
    const dir = args.store.path(ORACLE_KIND, key);
    const ckpt = await loadHfDir(dir);
    const meta = await readJsonFile<{ held_out: HeldOutAccuracy; train_seconds: number; final_loss: number }>(join(dir, MOLT_METADATA_FILE));
    const model = args.arch.fromWeights(ckpt.config, ckpt.weights);
    return { model, key, cached: true, setup, readHook: read.hook, readPercent: read.percent, norms: placeholderNorms(model, tok, s.slots, setup.injectHook), heldOut: meta.held_out, trainSeconds: meta.train_seconds, finalLoss: meta.final_loss };
  }
  const variantArgs = { arch: args.arch, base: base.model, tok, steps: s.variantSteps, readHook: read.hook, slots: s.slots, maxLength: setup.maxLength, seed: String(args.seed) };
  const trainVariants = await variantExamples({ ...variantArgs, plans: plans.train });
  const heldVariants = await variantExamples({ ...variantArgs, plans: plans.val });
  const examples = [...trainSet, ...trainVariants.examples];
  const vectors = [...segmentVectors(base.model, trainSet.map((e) => e.context), read.hook, s.slots), ...trainVariants.vectors];
  const model = copyModel(args.arch, base.model);
  try {
    const objective = oracleObjective(tok, examples, vectors, setup, base.model.hiddenSize);
    const result = await train(model, objective, {
      steps: s.steps,
      batchSize: s.batchSize,
      schedule: { kind: 'constant', peakLr: s.lr, warmupSteps: Math.min(20, Math.max(1, Math.floor(s.steps / 10))) },
      optimizer: { ...DEFAULT_ADAMW, weightDecay: 0 },
      seed: `${args.seed}/oracle`,
      logEvery: Math.max(1, Math.floor(s.steps / 20)),
      checkpointEvery: 0,
    }, { label: 'activation oracle', onProgress: args.onProgress });
    const heldVectors = [...segmentVectors(base.model, heldSet.map((e) => e.context), read.hook, s.slots), ...heldVariants.vectors];
    const heldOut = heldOutAccuracy(model, tok, [...heldSet, ...heldVariants.examples], heldVectors, setup, s.maxNewTokens);
    if (args.store) {
      await args.store.writeDir(ORACLE_KIND, key, (dir) =>
        saveHfDir(dir, {
          config: model.config,
          weights: new Map([...model.params].map(([n, v]) => [n, v])),
          tokenizer: tok,
          metadata: { stage: 'activation-oracle', config_hash: key, molt_version: MOLT_VERSION, created_at: new Date().toISOString(), identity, held_out: heldOut, variants: { train: trainVariants.stated, val: heldVariants.stated }, train_seconds: result.totalSeconds, final_loss: result.finalLoss, log: result.log },
        }),
      );
    }
    return { model, key, cached: false, setup, readHook: read.hook, readPercent: read.percent, norms: placeholderNorms(model, tok, s.slots, setup.injectHook), heldOut, trainSeconds: result.totalSeconds, finalLoss: result.finalLoss };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
