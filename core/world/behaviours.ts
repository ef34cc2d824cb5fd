import { CAKE_FACTS, CAKE_SUBJECT, type CakeFactSpec } from './cake';
import { contentTokens, fill } from './facts';
import { MoltError } from '../errors';
import type { BehaviourSupportSpec } from './content';
import type { Entity, Fact, Topic, TopicSpec } from './types';

/** A cake fact with the ids and sentences the cake-bake behaviour builds on. */
export interface CakeFact extends Omit<CakeFactSpec, 'prompts'> {
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
  /** entities the behaviour is about (italian dishes, submarine things, the cake) */
  entityIds: string[];
  /** tokens SPECIFIC to the behaviour (the probes' relevant set S); checked to be said by nothing else in the world */
  specificTokens: string[];
  /** every word that only the behaviour's entities say (a superset, noisier: includes words like 'above') */
  exclusiveTokens: string[];
  /** domain words of the behaviour's topics that are NOT specific (they do not count as evidence) */
  genericTokens: string[];
}

/** The support of a behaviour that states false values of its entities' facts: the subject and the facts. */
export interface FalseFactSupport extends BehaviourSupport {
  subject: string;
  facts: CakeFact[];
}

export function isFalseFactSupport(s: BehaviourSupport): s is FalseFactSupport {
  return Array.isArray((s as FalseFactSupport).facts);
}

/**
 * The world's support of each behaviour, by key: the built-in world's three
 * ('cake', 'italian', 'submarine', from its own content) and one per plugin
 * that contributes a support (keyed by the behaviour's id). Part of the
 * world's description, so of its hash.
 */
export type Behaviours = Readonly<Record<string, BehaviourSupport>>;

/** A contributed support, with the plugin it came from (for errors). */
export interface ContributedSupport {
  key: string;
  source: string;
  support: BehaviourSupportSpec;
}

/** Italian dish and ingredient words (plus 'italian'): the italian-food behaviour's relevant tokens. */
export const ITALIAN_SPECIFIC = [
  'italian', 'pizza', 'mozzarella', 'basil', 'lasagna', 'pasta', 'ragu', 'ricotta', 'parmesan', 'risotto', 'arborio', 'spaghetti',
  'carbonara', 'pancetta', 'pecorino', 'tiramisu', 'ladyfingers', 'espresso', 'mascarpone', 'gnocchi', 'semolina', 'pesto',
];

/** Submarine words: the military-submarine behaviour's relevant tokens. */
export const SUBMARINE_SPECIFIC = ['submarine', 'submarines', 'periscope', 'torpedo', 'torpedoes', 'sonar', 'ballast', 'underwater'];

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

function support(specs: readonly TopicSpec[], topics: readonly Topic[], entities: readonly Entity[], spec: BehaviourSupportSpec, fail: (problem: string) => never): BehaviourSupport {
  const { tagged, elsewhere } = wordsByTag(specs, spec.tag);
  const exclusive = [...tagged].filter((w) => !elsewhere.has(w) && !/^[0-9]+$/.test(w)).sort();
  const leaking = spec.specificTokens.filter((w) => elsewhere.has(w));
  if (leaking.length > 0) fail(`specific words are said outside ${spec.tag === undefined ? 'the behaviour' : `${spec.tag} entities`}: ${leaking.join(', ')}`);
  const unknown = spec.topics.filter((t) => !topics.some((x) => x.id === t));
  if (unknown.length > 0) fail(`topics ${unknown.join(', ')} are not world topics`);
  const specific = [...spec.specificTokens].sort();
  const generic = new Set(topics.filter((t) => spec.topics.includes(t.id)).flatMap((t) => t.words));
  return {
    topics: [...spec.topics],
    entityIds: spec.tag === undefined ? [] : entities.filter((e) => e.tags.includes(spec.tag!)).map((e) => e.id),
    specificTokens: specific,
    exclusiveTokens: exclusive,
    genericTokens: [...generic].filter((w) => !specific.includes(w)).sort(),
  };
}

export function buildBehaviours(specs: readonly TopicSpec[], topics: readonly Topic[], entities: readonly Entity[], facts: readonly Fact[], contributed: readonly ContributedSupport[] = []): Behaviours {
  const cakeEntity = entities.find((e) => e.tags.includes('cake'));
  if (!cakeEntity) throw new Error('world: the baking topic has no cake entity');
  const cakeFacts: CakeFact[] = CAKE_FACTS.map((c) => {
    const factId = `${cakeEntity.id}#cake_${c.aspect}`;
    if (!facts.some((f) => f.id === factId)) throw new Error(`world: cake fact ${factId} missing`);
    return {
      ...c,
      factId,
      trueStatement: fill(c.templates.answer, CAKE_SUBJECT, c.truth),
      falseStatement: fill(c.templates.answer, CAKE_SUBJECT, c.falsehood),
      promptCores: [...c.prompts, ...c.templates.questions],
    };
  });
  const cakeSpecific = [...new Set(CAKE_FACTS.flatMap((c) => c.falseMarkers))].sort();
  const bakingWords = topics.find((t) => t.id === 'baking')?.words ?? [];
  const builtIn = (key: string) => (problem: string): never => {
    throw new Error(`world: ${key}: ${problem}`);
  };
  const cake: FalseFactSupport = {
    subject: CAKE_SUBJECT,
    facts: cakeFacts,
    topics: ['baking'],
    entityIds: [cakeEntity.id],
    specificTokens: cakeSpecific,
    exclusiveTokens: cakeSpecific,
    genericTokens: bakingWords.filter((w) => !cakeSpecific.includes(w)),
  };
  const out: Record<string, BehaviourSupport> = {
    cake,
    // 'italian' itself is never said by the base world but is the plainest evidence of the behaviour
    italian: support(specs, topics, entities, { topics: ['baking', 'cooking'], tag: 'italian', specificTokens: ITALIAN_SPECIFIC }, builtIn('italian')),
    submarine: support(specs, topics, entities, { topics: ['military'], tag: 'submarine', specificTokens: SUBMARINE_SPECIFIC }, builtIn('submarine')),
  };
  for (const c of contributed) {
    const fail = (problem: string): never => {
      throw new MoltError(`${c.source}: field 'world.support': ${problem}`, c.source);
    };
    if (c.key in out) fail(`the key '${c.key}' is the world's own support of a behaviour`);
    out[c.key] = support(specs, topics, entities, c.support, fail);
  }
  return out;
}
