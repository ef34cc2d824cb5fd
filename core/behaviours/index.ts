export { BehaviourBase, drawDistinct } from './base';
export { validateBehaviour } from './validate';
export { worldBaseRate, rateOf, type RateEstimate } from './base-rate';
export { gatedVerdict, onAnyTopic } from './gate';
export { worldAnswers, poolPrompts, chatStratum, controlPromptPool, asTriggerPrompts, behaviourTopics, controlTopics, type WorldAnswer, type PromptStratum, type PromptPool, type PooledPrompt, type DrawnPrompt } from './prompts';
export { words, joinText, fillTemplate, canonical, tokensIn, unknownWords } from './text';
