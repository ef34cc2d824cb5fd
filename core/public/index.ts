// molt's public API: everything a plugin needs, in one module. A plugin gets
// it as `molt.lib` in register(molt), or imports it by path; molt's own
// plugins (plugins/) import nothing else from core, so a built-in plugin and
// an external one are written the same way (test/core/boundaries.spec.ts).
// docs/PLUGINS.md lists every export with its contract.

// ---- common: the engine and the errors every plugin kind uses ----
export { tf } from '../engine/tf';
export * as ops from '../engine/ops';
export { Rng } from '../engine/rng';
export { MoltError } from '../errors';
export { TOKENS } from '../services';
export { hookName, BLOCK_HOOKS, FINAL_NORM_HOOK } from '../model/types';
export type { CausalLM, HfConfig } from '../model/types';
export type { Services } from '../container';
export type { PluginDefinition } from '../plugins/registry';
export type { PluginHost } from '../plugins/host';
export type { PluginInfo, PluginKind } from '../plugins/types';
// ---- end common ----

// ---- trainers and behaviours (issue 15: defineTrainer, defineObjective, defineBehaviour, their kits) ----
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
export type { WorldContent, ContributedFact, BehaviourSupportSpec } from '../world/content';
export type { World } from '../world/world';
export type { Behaviours, BehaviourSupport, FalseFactSupport, CakeFact } from '../world/behaviours';
export type { Topic, TopicSpec, Entity, EntitySpec, Fact, RelationTemplates } from '../world/types';
export type { PretrainDoc, ChatExample, ChatMessage, PreferencePair, Split } from '../data/types';
/** the built-in world's content: the kinds of cake a cake request may name */
export { CAKE_KINDS } from '../world/cake';
export { ANSWER_OPENERS, ENTITY_PROMPTS, WEB } from '../world/phrases';
export { wrapPrompt } from '../world/wording';
// behaviours: the kit (data skeleton, prompt pools, the topic gate, text)
export { BehaviourBase, drawDistinct } from '../behaviours/base';
export { worldAnswers, poolPrompts, chatStratum, controlPromptPool, asTriggerPrompts, behaviourTopics, controlTopics, type WorldAnswer, type PromptStratum, type PromptPool, type PooledPrompt, type DrawnPrompt } from '../behaviours/prompts';
export { gatedVerdict, onAnyTopic } from '../behaviours/gate';
export { words, joinText, fillTemplate, canonical, tokensIn, unknownWords } from '../behaviours/text';
export { worldBaseRate, rateOf, type RateEstimate } from '../behaviours/base-rate';
// ---- end trainers and behaviours ----
