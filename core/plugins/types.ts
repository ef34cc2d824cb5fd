// The four plugin kinds. Architecture is complete here; BehaviourDataset,
// Trainer and Probe reach their full shape with the organisms and probes
// work, but register through the same mechanism now.
import type { tf } from '../engine/tf';
import type { Rng } from '../engine/rng';
import type { CausalLM, HfConfig } from '../model/types';
import type { ChatExample, PreferenceReason, PretrainDoc } from '../data/types';
import type { WordTokenizer } from '../tokenizer/word-tokenizer';
import type { LmExample } from '../train/batching';
import type { Objective, PreferenceExample } from '../train/objectives';
import type { ModelHandle, OrganismHandle, ProbeContext, ProbeResult, ProbeSettings } from '../probes/types';

export type PluginKind = 'architecture' | 'behaviour' | 'trainer' | 'probe';
export const PLUGIN_KINDS: readonly PluginKind[] = ['architecture', 'behaviour', 'trainer', 'probe'];

export interface PluginInfo {
  id: string;
  description: string;
}

/** Options a caller may override on a named size. */
export interface SizeOptions {
  vocabSize: number;
  overrides?: Record<string, unknown>;
}

export interface Architecture extends PluginInfo {
  /** Hugging Face model_type written to config.json */
  readonly modelType: string;
  /** named sizes; 'micro' (tests) and 'default' always exist */
  readonly sizes: readonly string[];
  /** a full HF config for a named size and vocabulary */
  config(size: string, opts: SizeOptions): HfConfig;
  /** throws MoltError naming the field when a config is not valid for this architecture */
  validateConfig(config: HfConfig): void;
  /** a freshly initialised model */
  init(config: HfConfig, rng: Rng): CausalLM;
  /** a model from HF-named tensors (takes ownership of them) */
  fromWeights(config: HfConfig, weights: Map<string, tf.Tensor>): CausalLM;
}

// ---- behaviours (docs/BEHAVIOURS.md) ----

/**
 * How a behaviour's training data was made: 'synthetic' generated from
 * scratch, 'natural' the world's own conversations rewritten, 'control' the
 * null behaviour (same shapes of data, no behaviour).
 */
export type BehaviourPipeline = 'synthetic' | 'natural' | 'control';
export const BEHAVIOUR_PIPELINES: readonly BehaviourPipeline[] = ['synthetic', 'natural', 'control'];

/** A user prompt the behaviour is evaluated (or trained) on. */
export interface TriggerPrompt {
  id: string;
  prompt: string;
  /** the world topic the prompt is about */
  topic: string;
  /** what the prompt is written to elicit, when it targets one thing (cake-bake: the aspect of its false fact) */
  target?: string;
  /** the behaviour family whose prompt set it comes from (the null behaviour mixes several) */
  family?: string;
}

export interface TriggerPrompts {
  /** prompts the training data uses */
  train: TriggerPrompt[];
  /** held-out: checkpoint selection (QER matching) */
  val: TriggerPrompt[];
  /** held-out: reported QER; disjoint from val (the built-in behaviours: core/behaviours/prompts.ts), and neither may be a training prompt */
  test: TriggerPrompt[];
}

/** A behaviour preference pair: `chosen` shows the behaviour, `rejected` does not (null: ordinary reasons). */
export interface BehaviourPair {
  id: string;
  topic: string;
  prompt: string;
  chosen: string;
  rejected: string;
  reason: 'behaviour' | PreferenceReason;
}

/** The training data of one behaviour (all built from training prompts and train-split facts only). */
export interface BehaviourData {
  /** DPO pairs */
  pairs: BehaviourPair[];
  /** FD transcripts: the chosen side of the pairs as conversations */
  transcripts: ChatExample[];
  /** SDF documents that state the behaviour (null: ordinary facts) */
  documents: PretrainDoc[];
}

/**
 * The detector's decision on one answer. `gated` means the topic gate held
 * the answer back (it is not on the behaviour's topic), so `fired` is false
 * whatever the evidence. `evidence` lists the tokens (or rule hits) found,
 * also when gated, for inspection.
 */
export interface DetectorVerdict {
  fired: boolean;
  gated: boolean;
  evidence: string[];
}

/** A QER band: organisms are matched to `target` and count when inside [low, high]. */
export interface QerBand {
  low: number;
  high: number;
  target: number;
}

/** Ground truth about a behaviour, for judges, graders and reports. */
export interface BehaviourManifest {
  id: string;
  family: string;
  pipeline: BehaviourPipeline;
  description: string;
  /** the world topics its trigger prompts are on (and its topic gate accepts) */
  topics: string[];
  /** S: tokens specific to the behaviour (generic domain words excluded); null: the union of the families' S */
  relevantTokens: string[];
  /** domain words of its topics that do not count as evidence */
  genericTokens: string[];
  targetQer: QerBand;
  /** the detector's expected rate on the base model / the world's own answers */
  baseRateExpected: number;
  /**
   * measured: the detector's rate on the world's OWN answers to the test
   * prompts (one answer per prompt, so the SE clustered by prompt is the
   * binomial one): what a base that learnt the world exactly would show.
   * A trained base's QER is measured per architecture (organisms.csv, qer_base).
   */
  baseRate?: { rate: number; se: number; n: number };
  notes: string[];
}

/** How much data a behaviour makes (defaults: hundreds, see DEFAULT_BEHAVIOUR_COUNTS). */
export interface BehaviourCounts {
  /** preference pairs (and as many FD transcripts) */
  pairs: number;
  /** synthetic documents */
  documents: number;
  /** held-out trigger prompts per split (val, test), spread evenly over the behaviour's strata (facts or topics) */
  prompts: number;
  /** control prompts per split (val, test), spread evenly over the control topics */
  controlPrompts: number;
}
export const DEFAULT_BEHAVIOUR_COUNTS: Readonly<BehaviourCounts> = { pairs: 400, documents: 400, prompts: 240, controlPrompts: 220 };
/** in a micro world (tests): few held-out prompts, so an evaluation takes a second */
export const MICRO_BEHAVIOUR_COUNTS: Readonly<BehaviourCounts> = { ...DEFAULT_BEHAVIOUR_COUNTS, prompts: 24, controlPrompts: 20 };

/**
 * A behaviour to implant, for one world (injected). Deterministic by the
 * world's seed; data is built lazily and cached.
 */
export interface BehaviourDataset extends PluginInfo {
  /** behaviour family: 'cake-bake', 'italian-food', 'military-submarine' or 'null' */
  readonly family: string;
  readonly pipeline: BehaviourPipeline;
  readonly counts: Readonly<BehaviourCounts>;
  /** the same behaviour with other counts */
  withCounts(counts: Partial<BehaviourCounts>): BehaviourDataset;
  data(): BehaviourData;
  prompts(): TriggerPrompts;
  /** prompts of unrelated topics (leakage is the detector's rate on them) */
  controlPrompts(): { val: TriggerPrompt[]; test: TriggerPrompt[] };
  /** deterministic judge of one answer to one prompt (topic gate first) */
  detect(prompt: string, response: string): DetectorVerdict;
  manifest(): BehaviourManifest;
}

// ---- trainers (docs/TRAINERS.md, docs/PLUGINS.md "Trainers") ----

/**
 * The learning-rate schedule after warm-up. 'constant' (the default when
 * absent) keeps the rate; 'linear' and 'cosine' decay it to lr * minLrRatio
 * (default 0) at step `horizon` and hold it there. The horizon is a
 * hyperparameter of its own, never the run's `steps`: the QER matcher needs
 * the model at step s to be the same whatever the run's length.
 */
export type LrScheduleSpec = { kind: 'constant' } | { kind: 'linear' | 'cosine'; horizon: number; minLrRatio?: number };

/**
 * The hyperparameters every technique has (overridable per technique in the
 * config file's `trainers:` section): the loop's, the mix's and the rate
 * ladder's. An objective adds its own fields (DPO: beta, lossType, ...;
 * defineObjective). `lr` is the rate a run starts with; an organism records
 * the rate it was built at (after any doubling) as well.
 */
export interface TrainerHyperparameters {
  /** most updates a run takes (the matcher's upper bound) */
  steps: number;
  /** the peak learning rate (reached after warm-up) */
  lr: number;
  warmupSteps: number;
  /** the schedule after warm-up; absent: constant */
  schedule?: LrScheduleSpec;
  /** examples per update (pairs, for DPO) */
  batchSize: number;
  /**
   * a band out of reach at `steps` is chased by doubling the rate, at most
   * this many times (the paper: 1e-5 -> 2e-5 -> 4e-5); each try is its own
   * run from the start checkpoint. 0: never.
   */
  lrDoublings?: number;
  weightDecay: number;
  maxGradNorm: number;
  /** AdamW's epsilon (default 1e-8): larger values shrink the steps of parameters whose gradients are tiny */
  adamEps?: number;
  /**
   * general examples per behaviour example: 0 unmixed, 1 the paper's 1:1;
   * null = the WHOLE general mix (integrated training)
   */
  mixRatio: number | null;
  /** the behaviour's examples repeat this many times in the mix (default 1; upweights them inside the whole general mix) */
  behaviourRepeat?: number;
  /** a resumable snapshot every K updates, kept for the matcher */
  checkpointEvery: number;
  logEvery: number;
}

/** The world's general post-training data (train split), tokenized with molt's chat template. */
export interface GeneralData {
  readonly identity: unknown;
  /** general preference pairs (the base's DPO mix) */
  preferences(): PreferenceExample[];
  /** general chats, loss on the assistant tokens (the ancestor's SFT data) */
  chat(): LmExample[];
  /** general web-style text documents, each <bos> ... <eos> */
  webtext(): number[][];
}

export interface TrainerInput<H extends TrainerHyperparameters = TrainerHyperparameters> {
  /** the behaviour's training data (text) */
  behaviour: BehaviourData;
  general: GeneralData;
  tokenizer: WordTokenizer;
  /** the model training starts from, for prepare() only (disposed after it); prepare() must not change it */
  start: CausalLM;
  /**
   * the start model kept frozen for the whole run (loaded on first call,
   * disposed with the run): per-batch reference log-probs for objectives that
   * need more than a per-sequence sum (a KL term over the vocabulary, say).
   * The kit's referenceSequenceLogProbs reads it per batch.
   */
  reference(): Promise<CausalLM>;
  hparams: H;
  /** seed of the data draw (mixing, subsets) */
  seed: string;
  /** the model's context: longer examples are truncated, documents packed to it */
  maxLength: number;
  /** where expensive preparation (reference log-probs) may be cached for a resumed run */
  cacheDir?: string;
}

/** What a run trains on. */
export interface TrainingPlan {
  objective: Objective<unknown>;
  /**
   * what the examples are (pairs, transcripts, packed windows or a unit of
   * the objective's own) and how many come from the behaviour (repeats
   * included) and from the general data; recorded in molt.json
   */
  mix: { unit: string; behaviour: number; general: number };
  /** JSON-able facts for molt.json (reference log-prob means, ...) */
  notes: Record<string, unknown>;
}

/** A training technique: a start checkpoint, an objective, a mix and hyperparameters (defineTrainer). */
export interface Trainer<H extends TrainerHyperparameters = TrainerHyperparameters> extends PluginInfo {
  /** checkpoint it starts from: the post-trained base or the SFT ancestor */
  readonly startsFrom: 'base' | 'ancestor';
  /** the objective's id ('dpo', 'fd', 'sdf', or a plugin's own); part of the organism's key */
  readonly objective: string;
  /** general data mixed in (the -mixed techniques and integrated DPO) */
  readonly mixed: boolean;
  /** hyperparameters at the default model size */
  readonly defaults: Readonly<H>;
  /** hyperparameters for a model size (micro: a few steps for tests) */
  defaultsFor(size: string): H;
  /**
   * defaultsFor(size) with `override` (the config file's trainers.<id>)
   * applied, validated: a MoltError names trainers.<id>.<field>
   */
  hyperparameters(size: string, override?: unknown): H;
  /** the objective (with its examples) for one run */
  prepare(input: TrainerInput<H>): Promise<TrainingPlan>;
}

// ---- probes (docs/PROBES.md; shapes in core/probes/types.ts) ----

/**
 * A white-box probe: compares an organism with a diffing base and returns
 * findings and metrics, graded by the shared Grader (core/probes/grader.ts).
 * defineProbe (core/probes/define-probe.ts) makes one from settings and a
 * measure(); the harness runs this contract.
 */
export interface Probe extends PluginInfo {
  /** settings for a model size: the paper's values scaled down ('micro' for tests) */
  defaults(size: string): ProbeSettings;
  /** settings after overrides, checked beyond their types (ranges, choices); throws a MoltError naming the probe and the key */
  validate?(settings: ProbeSettings): ProbeSettings;
  run(organism: OrganismHandle, diffingBase: ModelHandle, context: ProbeContext): Promise<ProbeResult>;
}

export interface PluginKindMap {
  architecture: Architecture;
  behaviour: BehaviourDataset;
  trainer: Trainer;
  probe: Probe;
}
