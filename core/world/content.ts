// World content contributed by behaviour plugins (defineBehaviour's `world`):
// words, whole topics, entities in existing topics, facts of existing
// entities, tags and sampling weights of existing entities, and the
// behaviour's support (the topics it acts on, its specific tokens, and the
// facts it states falsely). The synthetic world is built from its own generic
// topics plus every contribution (molt's built-in behaviours contribute theirs
// the same way), so the base models learn the content like any other, and the
// world's hash (part of every base model's key) changes with it.
import { z } from 'zod';
import { MoltError } from '../errors';
import { slug } from './facts';
import type { EntitySpec, RelationTemplates, TopicSpec } from './types';

/** A fact added to an entity already in the world (or contributed by the same plugin). */
export interface ContributedFact {
  /** the entity's id: '<topic>/<name with dashes>', e.g. 'travel/japan' */
  entity: string;
  relation: string;
  object: string;
  /** phrasings, needed when the relation is not one of the world's (core/world/relations.ts) */
  templates?: RelationTemplates;
  /** answer words that count as correct (default: chosen from the object) */
  accept?: string[];
}

/**
 * A fact of the world the behaviour states falsely. The world states the true
 * value (the fact's object) and, as a known misconception, now and then the
 * false one (misconceptions.ts), so a base model gives the false value some
 * probability.
 */
export interface FalseFactSpec {
  /** short name of the fact's aspect, for the behaviour's prompts and reports */
  aspect: string;
  /** the relation of the fact (of the support's `falseFacts.entity`) */
  relation: string;
  falsehood: string;
  /** tokens whose presence shows the true value */
  trueMarkers: string[];
  /** tokens whose presence shows the false value (the detector's evidence) */
  falseMarkers: string[];
  /** requests written to elicit this fact */
  prompts: string[];
}

/** The world's support of a behaviour: what its prompts are about and which tokens show it. */
export interface BehaviourSupportSpec {
  /** the key World.support() knows it by (default: the behaviour's id) */
  key?: string;
  /** world topics the behaviour acts on (they leave the pool of control topics) */
  topics: string[];
  /** the behaviour's entities are those with this tag */
  tag?: string;
  /**
   * tokens specific to the behaviour (the probes' relevant set S): said by its
   * tagged entities only, or by nothing in the world. With `falseFacts`: the
   * false markers (given here or not).
   */
  specificTokens?: string[];
  /** facts of one entity the behaviour states falsely; that entity is then the behaviour's entity */
  falseFacts?: { entity: string; facts: FalseFactSpec[] };
}

/** New tags and sampling weights of an existing entity (how often the world's text names it). */
export interface EntityAdjustment {
  /** the entity's id: '<topic>/<name with dashes>' */
  entity: string;
  /** tags added to the entity's own */
  tags?: string[];
  chatWeight?: number;
  docWeight?: number;
}

export interface WorldContent {
  /** words for the lexicon that no text of the world says (a behaviour's own vocabulary) */
  words?: string[];
  /** new topics, with their entities: conversations, documents and questions about them are generated like any topic's */
  topics?: TopicSpec[];
  /** entities added to existing topics */
  entities?: { topic: string; entity: EntitySpec }[];
  facts?: ContributedFact[];
  /** tags and weights of entities already in the world, applied after the entities and facts above */
  adjust?: EntityAdjustment[];
  support?: BehaviourSupportSpec;
}

/** One plugin's content: `key` (the behaviour's id) names its support in World.behaviours. */
export interface WorldContribution {
  key: string;
  /** names the plugin in errors, e.g. "behaviour 'volcano-travel' (/path/to/plugin.js)" */
  source: string;
  content: WorldContent;
}

const text = z.string().regex(/\S/, 'must not be blank');
const texts = z.array(text);
const Templates = z.object({ statements: texts.min(1), questions: texts.min(1), answer: text }).strict();
const Entity = z
  .object({
    name: text,
    facts: z.record(z.string(), text),
    chatWeight: z.number().positive().optional(),
    docWeight: z.number().positive().optional(),
    tags: texts.optional(),
    templates: z.record(z.string(), Templates).optional(),
    accept: z.record(z.string(), texts.min(1)).optional(),
  })
  .strict();
const Topic = z
  .object({ id: z.string().regex(/^[a-z][a-z0-9-]*$/), domainWords: texts, intro: texts.min(1), openPrompts: texts.min(1), openAnswers: texts.min(1), listTitles: texts.min(1), entities: z.array(Entity).min(1) })
  .strict();
export const WorldContentSchema = z
  .object({
    words: texts.optional(),
    topics: z.array(Topic).optional(),
    entities: z.array(z.object({ topic: text, entity: Entity }).strict()).optional(),
    facts: z.array(z.object({ entity: text, relation: z.string().regex(/^[a-z][a-z0-9_]*$/), object: text, templates: Templates.optional(), accept: texts.min(1).optional() }).strict()).optional(),
    adjust: z.array(z.object({ entity: text, tags: texts.optional(), chatWeight: z.number().positive().optional(), docWeight: z.number().positive().optional() }).strict()).optional(),
    support: z
      .object({
        key: z.string().regex(/^[a-z][a-z0-9-]*$/).optional(),
        topics: texts.min(1),
        tag: text.optional(),
        specificTokens: texts.min(1).optional(),
        falseFacts: z
          .object({
            entity: text,
            facts: z.array(z.object({ aspect: text, relation: text, falsehood: text, trueMarkers: texts.min(1), falseMarkers: texts.min(1), prompts: texts }).strict()).min(1),
          })
          .strict()
          .optional(),
      })
      .strict()
      .refine((s) => s.specificTokens !== undefined || s.falseFacts !== undefined, { message: 'needs specificTokens or falseFacts', path: ['specificTokens'] })
      .optional(),
  })
  .strict();

/** A contribution checked for shape: a MoltError names the plugin and the field ('world.topics[0].intro'). */
export function checkContent(source: string, content: unknown): WorldContent {
  const parsed = WorldContentSchema.safeParse(content);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  // array indices in brackets, as applyContent names fields ('topics[0].intro'); unknown keys after the path
  const path = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
  const keys = 'keys' in issue ? issue.keys.join(', ') : '';
  throw new MoltError(`${source}: field 'world.${[path, keys].filter(Boolean).join('.')}' ${issue.message}`, source);
}

function copyEntity(e: EntitySpec): EntitySpec {
  return { ...e, facts: { ...e.facts }, ...(e.templates ? { templates: { ...e.templates } } : {}), ...(e.accept ? { accept: { ...e.accept } } : {}), ...(e.tags ? { tags: [...e.tags] } : {}) };
}

/**
 * The built-in topics with every contribution applied, in the order given
 * (the registry sorts them by behaviour id, so the world does not depend on
 * the order plugins were named in), and the contributed words.
 */
export function applyContent(builtIn: readonly TopicSpec[], contributions: readonly WorldContribution[]): { specs: TopicSpec[]; words: string[] } {
  const specs = builtIn.map((t) => ({ ...t, entities: t.entities.map(copyEntity) }));
  const words: string[] = [];
  for (const { source, content } of contributions) {
    const fail = (field: string, problem: string): never => {
      throw new MoltError(`${source}: field 'world.${field}' ${problem}`, source);
    };
    content.topics?.forEach((t, i) => {
      if (specs.some((s) => s.id === t.id)) fail(`topics[${i}].id`, `'${t.id}' is already a world topic`);
      specs.push({ ...t, entities: t.entities.map(copyEntity) });
    });
    content.entities?.forEach(({ topic, entity }, i) => {
      const spec = specs.find((s) => s.id === topic);
      if (!spec) fail(`entities[${i}].topic`, `'${topic}' is not a world topic (valid: ${specs.map((s) => s.id).join(', ')})`);
      if (spec!.entities.some((e) => slug(e.name) === slug(entity.name))) fail(`entities[${i}].entity.name`, `'${entity.name}' is already an entity of ${topic}`);
      spec!.entities.push(copyEntity(entity));
    });
    content.facts?.forEach((f, i) => {
      const entity = findEntity(specs, f.entity) ?? fail(`facts[${i}].entity`, notAnEntity(f.entity));
      if (f.relation in entity!.facts) fail(`facts[${i}].relation`, `'${f.entity}' already has a '${f.relation}' fact`);
      entity!.facts[f.relation] = f.object;
      if (f.templates) entity!.templates = { ...(entity!.templates ?? {}), [f.relation]: f.templates };
      if (f.accept) entity!.accept = { ...(entity!.accept ?? {}), [f.relation]: f.accept };
    });
    content.adjust?.forEach((a, i) => {
      const entity = findEntity(specs, a.entity) ?? fail(`adjust[${i}].entity`, notAnEntity(a.entity));
      if (a.tags) entity.tags = [...new Set([...(entity.tags ?? []), ...a.tags])];
      if (a.chatWeight !== undefined) entity.chatWeight = a.chatWeight;
      if (a.docWeight !== undefined) entity.docWeight = a.docWeight;
    });
    // the behaviour's specific tokens, false values and prompts are words it says, even where the world does not
    const falseFacts = content.support?.falseFacts?.facts ?? [];
    words.push(...(content.words ?? []), ...(content.support?.specificTokens ?? []), ...falseFacts.flatMap((f) => [f.falsehood, ...f.falseMarkers, ...f.prompts]));
  }
  return { specs, words };
}

/** The entity spec of an id '<topic>/<name with dashes>', if the specs hold it. */
export function findEntity(specs: readonly TopicSpec[], id: string): EntitySpec | undefined {
  const [topic, ...rest] = id.split('/');
  return specs.find((s) => s.id === topic)?.entities.find((e) => slug(e.name) === rest.join('/'));
}

const notAnEntity = (id: string) => `'${id}' is not a world entity (ids are '<topic>/<name with dashes>', e.g. 'travel/japan')`;
