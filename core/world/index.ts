export { buildWorld, World, SIZE_PRESETS, type WorldOptions, type WorldSize } from './world';
export { isOnTopic, topicHits, type TopicIndex } from './on-topic';
export type { Behaviours, BehaviourSupport, FalseFact, FalseFactSupport } from './behaviours';
export type { Topic, Entity, Fact, RelationTemplates, TopicSpec, EntitySpec } from './types';
export { FUNCTION_WORDS, RESERVED_WORDS } from './phrases';
