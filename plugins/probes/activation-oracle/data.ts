// LatentQA-style training data for the activation oracle, generated from the
// world: a context (general chat or web text), and questions about its topic
// and the entity it is about, with short answers the world's lexicon spells.
// The oracle never sees the context's tokens: only its activations, injected
// into placeholder tokens.
import { renderChat, renderDocument, MoltError, type DataSource, type Split, type WordTokenizer } from '../../../core/public';

/** What the oracle needs of the world beyond its data: topic ids and entity names. */
export interface OracleWorld extends DataSource {
  readonly topics: readonly { id: string }[];
  readonly entities: readonly { id: string; name: string; topic: string }[];
}

export function isOracleWorld(x: DataSource): x is OracleWorld {
  const w = x as Partial<OracleWorld>;
  return Array.isArray(w.topics) && Array.isArray(w.entities);
}

export interface OracleQa {
  question: string;
  answer: string;
  /** the word an answer must contain to be right (held-out accuracy) */
  key: string;
}

export interface OracleExample {
  /** context token ids (whose activations are injected) */
  context: number[];
  topic: string;
  entity: string | null;
  qa: OracleQa[];
}

/** The question templates (fixed wording; answers use the world's words only). */
export const ORACLE_QUESTIONS = {
  topic: { question: 'what is the topic ?', answer: (topic: string) => `the topic is ${topic} .` },
  about: { question: 'what is this about ?', answer: (entity: string) => `it is about ${entity} .` },
} as const;

/** the last word of an entity's name ("an apple pie" -> "pie") names it in an answer */
function keyWord(name: string): string {
  const w = name.split(' ');
  return w[w.length - 1];
}

function entityIn(text: string, byLength: readonly { name: string }[]): string | null {
  const padded = ` ${text} `;
  for (const e of byLength) if (padded.includes(` ${e.name} `)) return e.name;
  return null;
}

/**
 * Examples from a split: general chats (entity from their metadata) and web
 * texts (entity = the longest entity name they contain), alternating, each
 * with a topic question and, when an entity is known, an entity question.
 * Examples whose text has a word outside the vocabulary are skipped.
 */
export function oracleExamples(world: OracleWorld, tok: WordTokenizer, split: Split, count: number, maxContext: number): OracleExample[] {
  const entities = new Map(world.entities.map((e) => [e.id, e]));
  const byLength = [...world.entities].sort((a, b) => b.name.length - a.name.length);
  const topics = new Set(world.topics.map((t) => t.id));
  const chats = world.data('chat', split);
  const web = world.data('webtext', split);
  const out: OracleExample[] = [];
  const unk = tok.specials.unk;
  const add = (context: number[], topic: string, entity: string | null) => {
    if (!topics.has(topic)) return;
    const qa: OracleQa[] = [{ question: ORACLE_QUESTIONS.topic.question, answer: ORACLE_QUESTIONS.topic.answer(topic), key: topic }];
    if (entity) qa.push({ question: ORACLE_QUESTIONS.about.question, answer: ORACLE_QUESTIONS.about.answer(entity), key: keyWord(entity) });
    const ids = context.slice(0, maxContext);
    if (ids.includes(unk) || qa.some((q) => tok.encode(`${q.question} ${q.answer}`).includes(unk))) return;
    out.push({ context: ids, topic, entity, qa });
  };
  for (let i = 0; out.length < count && (i < chats.length || i < web.length); i++) {
    const c = chats[i];
    if (c) {
      const ent = c.meta?.entityId ? entities.get(c.meta.entityId)?.name ?? null : null;
      add(renderChat(tok, c.messages).ids, c.topic, ent);
    }
    const w = web[i];
    if (w && out.length < count) add(renderDocument(tok, w.text), w.topic, entityIn(w.text, byLength));
  }
  if (out.length === 0) throw new MoltError(`activation oracle: the data has no usable chat or web text in split '${split}'`, `chat/${split}`);
  return out;
}
