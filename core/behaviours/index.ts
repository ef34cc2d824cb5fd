export { BehaviourBase, drawDistinct } from './base';
export { validateBehaviour } from './validate';
export { worldBaseRate, rateOf, type RateEstimate } from './base-rate';
export { gatedVerdict, onAnyTopic } from './gate';
export { worldAnswers, promptsFromWorld, controlPromptsFromWorld, behaviourTopics, controlTopics, type WorldAnswer } from './prompts';
export { words, joinText, fillTemplate, canonical, tokensIn, unknownWords } from './text';
