// molt's public API: the one module a plugin is written against. A JS
// plugin gets it as `molt.lib` in register(molt); a TypeScript plugin may
// import it by path (core/public). molt's own plugins import nothing else
// from core (test/core/boundaries.spec.ts), so a built-in plugin and one
// written outside the repo are written the same way. docs/PLUGINS.md lists
// every name with one line each.
//
// Blocks: common, probes, trainers and behaviours. Each name is exported
// once (test/core/public.spec.ts).

// ==== common: engine, errors, model runtime, tokenizer, data, store ====
export { tf } from '../engine/tf';
export { tidyRead } from '../engine/tidy-read';
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
export { generate, generateBatches, type GenerateOptions, type PromptBatch } from '../model/generate';
export { WordTokenizer } from '../tokenizer/word-tokenizer';
export type { TextTokenizer, SpecialIds } from '../tokenizer/types';
export { padRight } from '../data/chat-template';
export { chatFormat, tokenStrings, type ChatFormat, type AnchoredChat } from '../data/chat-format';
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
export { architectureFractions, fractionForArchitecture, fractionsByArchitecture } from '../probes/by-architecture';
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
  documentFrequency,
  dirichletPrior,
  logOddsDirichlet,
  type Rate,
  type Interval,
  type BootstrapOptions,
  type Counts,
  type LogOddsRow,
} from '../probes/stats';
export { crossFamilyFloor, snr, FLOOR_EPSILON, type Floor } from '../probes/floor';
export { requireWordTokenizer } from '../probes/run-helpers';

// ==== trainers and behaviours: defineTrainer, defineObjective, defineBehaviour, their kits ====
/** zod, for an objective's or a behaviour's own schemas (the same instance molt validates with) */
export { z } from 'zod';

// trainers: the contracts
export type { Trainer, TrainerHyperparameters, TrainerInput, TrainingPlan, GeneralData, LrScheduleSpec } from '../plugins/types';
export { defineTrainer, defineObjective, type TrainerSpec, type ObjectiveSpec, type ObjectiveDefinition, type ObjectiveHyperparameters, type HyperparametersOf } from '../organisms/define-trainer';
// trainers: the kit an objective's plan is written with
export { behaviourPreferences, behaviourTranscripts, behaviourWindows, hasTargetWithin, mixWithGeneral, referenceLogProbs, referenceSequenceLogProbs, sequenceOptions, meanOf } from '../organisms/training-kit';
export { cachedReferenceLogProbs } from '../train/reference-cache';
export { mixExamples, type Mixed } from '../organisms/mix';
// the loss functions and the objectives (loss + batching) built on them
export { targetLogProbs, maskedCrossEntropy, sequenceLogProbs, dpoLoss, dpoMetrics, DPO_LOSS_TYPES, type DpoLossType, type SequenceLogProbs, type DpoInputs, type DpoOutputs } from '../train/losses';
export { nextTokenObjective, dpoObjective, computeReferenceLogProbs, batchTensors, type Objective, type LossOutput, type BatchTensors, type PreferenceExample, type ReferenceLogProbs, type DpoBatch, type DpoOptions, type SequenceOptions } from '../train/objectives';
// batching and the chat template
export { collate, packDocuments, truncateExample, type LmExample, type LmBatch } from '../train/batching';
export { renderChat, renderDocument, renderPrompt } from '../data/chat-template';
export { preferenceExample } from '../pipeline/world-data';
// the loop, the optimizer and the schedules
export { train, type TrainConfig, type TrainOptions, type TrainResult, type Progress } from '../train/loop';
export { AdamW, DEFAULT_ADAMW, type AdamWConfig } from '../train/optimizer';
export { lrAt, SCHEDULE_KINDS, type ScheduleConfig, type ScheduleKind } from '../train/schedule';

// behaviours: the contracts
export type { BehaviourDataset, BehaviourData, BehaviourPair, BehaviourManifest, BehaviourCounts, BehaviourPipeline, DetectorVerdict, TriggerPrompt, TriggerPrompts, QerBand } from '../plugins/types';
export { BEHAVIOUR_PIPELINES, DEFAULT_BEHAVIOUR_COUNTS, MICRO_BEHAVIOUR_COUNTS } from '../plugins/types';
export { defineBehaviour, type BehaviourSpec } from '../behaviours/define';
export { validateBehaviour, checkBehaviourVocabulary } from '../behaviours/validate';
// behaviours: world content a plugin contributes, and the world's read API
export type { WorldContent, ContributedFact, BehaviourSupportSpec, FalseFactSpec, EntityAdjustment } from '../world/content';
export type { World } from '../world/world';
export type { Behaviours, BehaviourSupport, FalseFactSupport, FalseFact } from '../world/behaviours';
export type { Topic, TopicSpec, Entity, EntitySpec, Fact, RelationTemplates } from '../world/types';
export type { PretrainDoc, ChatExample, ChatMessage, PreferencePair, Split } from '../data/types';
export { ANSWER_OPENERS, ENTITY_PROMPTS, WEB } from '../world/phrases';
export { wrapPrompt } from '../world/wording';
// behaviours: the kit (data skeleton, prompt pools, the topic gate, text)
export { BehaviourBase, drawDistinct } from '../behaviours/base';
export { worldAnswers, poolPrompts, chatStratum, controlPromptPool, asTriggerPrompts, behaviourTopics, controlTopics, type WorldAnswer, type PromptStratum, type PromptPool, type PooledPrompt, type DrawnPrompt } from '../behaviours/prompts';
export { gatedVerdict, onAnyTopic } from '../behaviours/gate';
export { words, joinText, fillTemplate, canonical, tokensIn, unknownWords } from '../behaviours/text';
export { worldBaseRate, rateOf, type RateEstimate } from '../behaviours/base-rate';
