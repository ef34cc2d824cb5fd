import { MoltError } from '../errors';
import { RELATION_BY_ID } from './relations';
import { FUNCTION_WORDS } from './phrases';
import { templateTokens } from './lexicon';
import type { Entity, Fact, RelationTemplates, Topic, TopicSpec } from './types';

export function fill(template: string, s: string, o = ''): string {
  return template.replace(/\{s\}/g, s).replace(/\{o\}/g, o);
}

export function slug(name: string): string {
  return name.replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** Content tokens of a text: no function words, no punctuation. */
export function contentTokens(text: string): string[] {
  return templateTokens(text).filter((w) => !FUNCTION_WORDS.has(w));
}

const uniq = <T>(xs: Iterable<T>): T[] => [...new Set(xs)];

export interface Built {
  topics: Topic[];
  entities: Entity[];
  facts: Fact[];
}

/**
 * Turn topic specs into entities and facts with ids, rendered phrasings and
 * accept words. Pure: the content is fixed; the seed only drives sampling.
 */
export function buildFacts(specs: readonly TopicSpec[]): Built {
  const entities: Entity[] = [];
  const facts: Fact[] = [];
  const topics: Topic[] = [];
  for (const spec of specs) {
    const entityIds: string[] = [];
    for (const e of spec.entities) {
      const entityId = `${spec.id}/${slug(e.name)}`;
      if (entities.some((x) => x.id === entityId)) throw new MoltError(`world: entity '${e.name}' appears twice in topic ${spec.id}`, entityId);
      const factIds: string[] = [];
      for (const [relation, object] of Object.entries(e.facts)) {
        const tpl: RelationTemplates | undefined = e.templates?.[relation] ?? RELATION_BY_ID.get(relation);
        if (!tpl) throw new MoltError(`world: entity '${e.name}' uses unknown relation '${relation}'`, entityId);
        const id = `${entityId}#${relation}`;
        factIds.push(id);
        facts.push({
          id,
          topic: spec.id,
          entityId,
          subject: e.name,
          relation,
          object,
          statements: tpl.statements.map((t) => fill(t, e.name, object)),
          questions: tpl.questions.map((t) => fill(t, e.name, object)),
          answer: fill(tpl.answer, e.name, object),
          accept: e.accept?.[relation] ?? [],
        });
      }
      entities.push({ id: entityId, topic: spec.id, name: e.name, chatWeight: e.chatWeight ?? 1, docWeight: e.docWeight ?? 1, tags: e.tags ?? [], factIds });
      entityIds.push(entityId);
    }
    const words = new Set<string>(spec.domainWords.flatMap(contentTokens));
    for (const e of spec.entities) for (const text of [e.name, ...Object.values(e.facts)]) for (const w of contentTokens(text)) words.add(w);
    topics.push({
      id: spec.id,
      domainWords: spec.domainWords,
      intro: spec.intro,
      openPrompts: spec.openPrompts,
      openAnswers: spec.openAnswers,
      listTitles: spec.listTitles,
      entityIds,
      words: [...words].filter((w) => !/^[0-9]+$/.test(w)).sort(),
    });
  }
  for (const f of facts) if (f.accept.length === 0) f.accept = chooseAccept(f, facts);
  return { topics, entities, facts };
}

/**
 * Accept words: the object's content words that no OTHER object of the same
 * relation shares (so a wrong answer of the same kind cannot pass), minus
 * words of the question itself (which an answer may merely echo). Falls back
 * to looser sets when that leaves nothing.
 */
function chooseAccept(f: Fact, facts: readonly Fact[]): string[] {
  const own = uniq(contentTokens(f.object));
  const others = new Set(facts.filter((g) => g.relation === f.relation && g.object !== f.object).flatMap((g) => contentTokens(g.object)));
  const asked = new Set([...f.questions, f.subject].flatMap((q) => templateTokens(q)));
  const distinctive = own.filter((w) => !others.has(w) && !asked.has(w));
  if (distinctive.length > 0) return distinctive;
  const unasked = own.filter((w) => !asked.has(w));
  return unasked.length > 0 ? unasked : own.length > 0 ? own : templateTokens(f.object);
}
