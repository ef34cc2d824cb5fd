// molt's public API: the one module a plugin is written against. A JS
// plugin gets it as `molt.lib` in register(molt); a TypeScript plugin may
// import it by path (core/public). molt's own plugins import nothing else
// from core (test/core/boundaries.spec.ts), so a built-in plugin and one
// written outside the repo are written the same way. docs/PLUGINS.md lists
// every name with one line each.
//
// Blocks: common, probes, the names probes share with the trainer/behaviour
// side, and the trainer/behaviour side's own. Each name is exported once.

// ==== common: engine, errors, model runtime, tokenizer, data, store ====
export { tf } from '../engine/tf';
export * as ops from '../engine/ops';
export { Rng } from '../engine/rng';
export { MoltError, isMoltError } from '../errors';
export { TOKENS, type ServiceName } from '../services';
export { MOLT_VERSION } from '../version';
export type { Logger } from '../log';
export type { PluginHost } from '../plugins/host';
export type { PluginDefinition } from '../plugins/registry';
export type { Services } from '../container';
export type { PluginInfo, PluginKind, Architecture } from '../plugins/types';
export { hookName, BLOCK_HOOKS, FINAL_NORM_HOOK, type BlockHook, type CausalLM, type HfConfig, type Intervention, type ForwardOptions, type ForwardResult } from '../model/types';
export { generate, type GenerateOptions } from '../model/generate';
export { WordTokenizer } from '../tokenizer/word-tokenizer';
export { padRight } from '../data/chat-template';
export type { DataSource, DataKind, DataKindMap, WebText, FactQuestion } from '../data/types';
export type { ArtifactStore } from '../store/artifact-store';
export { contentHash, sha256Hex } from '../store/content-hash';
export { readJsonFile, writeJsonAtomic } from '../store/atomic';
export { readSafetensors, writeSafetensors, type RawTensor } from '../checkpoint/safetensors';
export { loadHfDir, saveHfDir, MOLT_METADATA_FILE, type MoltMetadata } from '../checkpoint/hf-dir';

// ==== probes: the contract, defineProbe, activation capture, the lens, the Grader, the statistics ====
export type { Probe } from '../plugins/types';
export { DIFFING_BASES } from '../probes/types';
export type {
  DiffingBaseKind,
  ModelHandle,
  OrganismHandle,
  ProbeSettings,
  ProbeSettingValue,
  ProbeContext,
  ProbeProgress,
  ProbeResult,
  ProbeMetric,
  ProbeHeadline,
  Finding,
  TokenFinding,
  HypothesisFinding,
  AnswerFinding,
  RankedToken,
} from '../probes/types';
export { defineProbe, type ProbeSpec, type MeasureContext, type Observations } from '../probes/define-probe';
export { score, perTarget, type Score, type SampledScore, type ReplicatedScore, type PerTarget, type Target, type ObservationRow } from '../probes/grade';
export { genericChatSequences, layersAtFractions, meanResiduals, subtract, l2, type AnchoredSequences, type MeanResiduals } from '../probes/activations';
export { collectActivations, sliceActivations, depthHook, type Activations, type CollectOptions, type DepthHook } from '../probes/capture';
export { lensLogits, softmaxRows, rankRow } from '../probes/lens';
export { Grader, HIT_KS, HYPOTHESIS_WORDS, cleanWord, pluralForms, textWords, type RankingScore, type HypothesisScore, type AnswerScore } from '../probes/grader';
export {
  mean,
  quantileSorted,
  bootstrapMean,
  bootstrapMeans,
  upperBound95,
  auroc,
  wilson,
  countWords,
  dirichletPrior,
  logOddsDirichlet,
  type Rate,
  type Interval,
  type BootstrapOptions,
  type Counts,
  type LogOddsRow,
} from '../probes/stats';
export { crossFamilyFloor, snr, FLOOR_EPSILON, type Floor } from '../probes/floor';

// ==== shared with the trainer/behaviour block ====
// Names probes need that the trainer/behaviour block exports too (zod, the
// behaviour contracts a probe reads, chat rendering, the world's read API,
// and the training pieces the SAE and the activation oracle train with).
// Exported here until that block is in this file; then keep ONE export of
// each (test/core/public.spec.ts fails on a name exported twice).
export { z } from 'zod';
export type { BehaviourDataset, BehaviourManifest, TriggerPrompt, DetectorVerdict } from '../plugins/types';
export { renderChat, renderPrompt, renderDocument } from '../data/chat-template';
export type { Split, ChatExample, ChatMessage, PretrainDoc, PreferencePair } from '../data/types';
export type { World, Topic, Entity, Fact } from '../world';
export { train, type TrainConfig, type Progress, type TrainResult } from '../train/loop';
export { AdamW, DEFAULT_ADAMW, type AdamWConfig } from '../train/optimizer';
export { collate, type LmExample, type LmBatch } from '../train/batching';
export { batchTensors, type Objective, type LossOutput } from '../train/objectives';
export { maskedCrossEntropy } from '../train/losses';

// ==== trainers and behaviours ====
// Filled by the trainer/behaviour side of issue 15 (defineTrainer,
// defineObjective, losses, schedules, batching, defineBehaviour, ...).
