import { contentTokens, fill } from './facts';
import { MoltError } from '../errors';
import { findEntity, type BehaviourSupportSpec, type FalseFactSpec } from './content';
import type { Entity, Fact, RelationTemplates, Topic, TopicSpec } from './types';

/** A fact a behaviour states falsely, with the ids and sentences the behaviour builds on. */
export interface FalseFact extends Omit<FalseFactSpec, 'relation'> {
  /** the true value (the fact's object) */
  truth: string;
  /** the fact's phrasings, before the subject and value are filled in */
  templates: RelationTemplates;
  /** id of the TRUE fact in world.facts */
  factId: string;
  trueStatement: string;
  falseStatement: string;
  /** the requests that target this fact, before wording (the designed prompts and the relation's questions) */
  promptCores: string[];
}

/** What a behaviour needs from the world: its topics, its entities, and its tokens. */
export interface BehaviourSupport {
  /** the conversation topics the behaviour acts on */
  topics: string[];
  /** entities the behaviour is about (its tagged entities, or the entity of its false facts) */
  entityIds: string[];
  /** tokens SPECIFIC to the behaviour (the probes' relevant set S); checked to be said by nothing else in the world */
  specificTokens: string[];
  /** every word that only the behaviour's entities say (a superset, noisier: includes words like 'above') */
  exclusiveTokens: string[];
  /** domain words of the behaviour's topics that are NOT specific (they do not count as evidence) */
  genericTokens: string[];
}

/** The support of a behaviour that states false values of its entity's facts: the subject and the facts. */
export interface FalseFactSupport extends BehaviourSupport {
  subject: string;
  facts: FalseFact[];
}

export function isFalseFactSupport(s: BehaviourSupport): s is FalseFactSupport {
  return Array.isArray((s as FalseFactSupport).facts);
}

/**
 * The world's support of each behaviour, by key: one per plugin that
 * contributes a support (keyed by its `key`, else the behaviour's id). Part of
 * the world's description, so of its hash.
 */
export type Behaviours = Readonly<Record<string, BehaviourSupport>>;

/** A contributed support, with the plugin it came from (for errors). */
export interface ContributedSupport {
  key: string;
  source: string;
  support: BehaviourSupportSpec;
}

/** Content words of everything a spec says, per entity, so tag-specific words can be found. */
function entityWords(spec: TopicSpec): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const e of spec.entities) out.set(e.name, new Set([e.name, ...Object.values(e.facts)].flatMap(contentTokens)));
  return out;
}

/** Words of tagged entities, and words of everything else, over the whole world (no tag: every word is elsewhere). */
function wordsByTag(specs: readonly TopicSpec[], tag: string | undefined): { tagged: Set<string>; elsewhere: Set<string> } {
  const tagged = new Set<string>();
  const elsewhere = new Set<string>();
  for (const spec of specs) {
    const words = entityWords(spec);
    for (const e of spec.entities) {
      const target = tag !== undefined && (e.tags ?? []).includes(tag) ? tagged : elsewhere;
      for (const w of words.get(e.name) ?? []) target.add(w);
      for (const tpl of Object.values(e.templates ?? {})) for (const s of [...tpl.statements, ...tpl.questions, tpl.answer]) for (const w of contentTokens(s)) elsewhere.add(w);
    }
    for (const text of [...spec.domainWords, ...spec.intro, ...spec.openPrompts, ...spec.openAnswers, ...spec.listTitles]) for (const w of contentTokens(text)) elsewhere.add(w);
  }
  return { tagged, elsewhere };
}

/** Words of the support's topics that are not its specific tokens (they do not count as evidence). */
function genericTokens(topics: readonly Topic[], spec: BehaviourSupportSpec, specific: readonly string[]): string[] {
  const generic = new Set(topics.filter((t) => spec.topics.includes(t.id)).flatMap((t) => t.words));
  return [...generic].filter((w) => !specific.includes(w)).sort();
}

function checkTopics(topics: readonly Topic[], spec: BehaviourSupportSpec, fail: (problem: string) => never): void {
  const unknown = spec.topics.filter((t) => !topics.some((x) => x.id === t));
  if (unknown.length > 0) fail(`topics ${unknown.join(', ')} are not world topics`);
}

/** A support by tag: its entities are the tagged ones, its specific tokens are checked to be said by nothing else. */
function taggedSupport(specs: readonly TopicSpec[], topics: readonly Topic[], entities: readonly Entity[], spec: BehaviourSupportSpec, fail: (problem: string) => never): BehaviourSupport {
  const { tagged, elsewhere } = wordsByTag(specs, spec.tag);
  const exclusive = [...tagged].filter((w) => !elsewhere.has(w) && !/^[0-9]+$/.test(w)).sort();
  const specificTokens = spec.specificTokens ?? [];
  const leaking = specificTokens.filter((w) => elsewhere.has(w));
  if (leaking.length > 0) fail(`specific words are said outside ${spec.tag === undefined ? 'the behaviour' : `${spec.tag} entities`}: ${leaking.join(', ')}`);
  checkTopics(topics, spec, fail);
  const specific = [...specificTokens].sort();
  return {
    topics: [...spec.topics],
    entityIds: spec.tag === undefined ? [] : entities.filter((e) => e.tags.includes(spec.tag!)).map((e) => e.id),
    specificTokens: specific,
    exclusiveTokens: exclusive,
    genericTokens: genericTokens(topics, spec, specific),
  };
}

/**
 * A support of false facts: its entity is theirs, its specific (and
 * exclusive) tokens are the false markers. They are not checked against the
 * rest of the world: the world itself says the false values, as misconceptions.
 */
function falseFactSupport(specs: readonly TopicSpec[], topics: readonly Topic[], facts: readonly Fact[], spec: BehaviourSupportSpec, falseFacts: NonNullable<BehaviourSupportSpec['falseFacts']>, fail: (problem: string) => never): FalseFactSupport {
  const entity = findEntity(specs, falseFacts.entity) ?? fail(`falseFacts.entity '${falseFacts.entity}' is not a world entity`);
  const built: FalseFact[] = falseFacts.facts.map(({ relation, ...f }) => {
    const factId = `${falseFacts.entity}#${relation}`;
    const templates = entity.templates?.[relation];
    if (!facts.some((x) => x.id === factId) || !templates) fail(`false fact ${factId} is not a world fact with its own templates`);
    const truth = entity.facts[relation];
    return { ...f, truth, templates: templates!, factId, trueStatement: fill(templates!.answer, entity.name, truth), falseStatement: fill(templates!.answer, entity.name, f.falsehood), promptCores: [...f.prompts, ...templates!.questions] };
  });
  checkTopics(topics, spec, fail);
  const specific = [...new Set([...(spec.specificTokens ?? []), ...falseFacts.facts.flatMap((f) => f.falseMarkers)])].sort();
  return { subject: entity.name, facts: built, topics: [...spec.topics], entityIds: [falseFacts.entity], specificTokens: specific, exclusiveTokens: specific, genericTokens: genericTokens(topics, spec, specific) };
}

export function buildBehaviours(specs: readonly TopicSpec[], topics: readonly Topic[], entities: readonly Entity[], facts: readonly Fact[], contributed: readonly ContributedSupport[] = []): Behaviours {
  const out: Record<string, BehaviourSupport> = {};
  for (const c of contributed) {
    const fail = (problem: string): never => {
      throw new MoltError(`${c.source}: field 'world.support': ${problem}`, c.source);
    };
    if (c.key in out) fail(`the key '${c.key}' is already another behaviour's support`);
    const ff = c.support.falseFacts;
    out[c.key] = ff ? falseFactSupport(specs, topics, facts, c.support, ff, fail) : taggedSupport(specs, topics, entities, c.support, fail);
  }
  return out;
}
