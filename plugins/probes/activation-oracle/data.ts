// LatentQA-style training data for the activation oracle, generated from the
// world. The oracle never sees a context's tokens, only their activations
// injected into placeholder tokens, and learns to answer two kinds of
// questions about them:
//   reading   a whole text (general chat, web text): what is its topic, what
//             is it about, which words does it use, and (a chat answering a
//             fact) what answer does it give
//   intent    a chat prompt up to <|assistant|>, before any answer exists:
//             what answer will the model give (the fact's value), what will
//             it bring up (the entity its answer introduces), which words
//             will it use (the answer's most specific words), the topic
// The intent questions are the ones that can name what a behaviour changes:
// an organism that now gives a false value, steers to an Italian dish or
// brings up submarines intends a different answer to the same prompt, and
// the probe asks the oracle about the prompt's activations. Answers come
// from the whole lexicon (any topic, entity, value or word the world says),
// never from a closed list of the behaviours' words.
// Two options, off by default (measured in docs/PROBES.md, not adopted):
// valueSubstitution reads a fact chat with its value's key word swapped for
// a vocabulary word ("set the oven to harbour degrees"), so the value cannot
// be recalled from the subject by the oracle (a copy of the base, which
// knows the world's facts) and only reading answers; nextWord adds texts cut
// before a content word, asked what comes next.
import { renderChat, renderDocument, renderPrompt, documentFrequency, MoltError, Rng, WordTokenizer, type ChatExample, type DataSource, type Fact, type Split, type WebText } from '../../../core/public';

/** What the oracle needs of the world beyond its data: topic ids, entity names and facts. */
export interface OracleWorld extends DataSource {
  readonly topics: readonly { id: string }[];
  readonly entities: readonly { id: string; name: string; topic: string }[];
  readonly facts: readonly Pick<Fact, 'id' | 'object' | 'accept'>[];
}

export function isOracleWorld(x: DataSource): x is OracleWorld {
  const w = x as Partial<OracleWorld>;
  return Array.isArray(w.topics) && Array.isArray(w.entities) && Array.isArray(w.facts);
}

export type QuestionKind = 'topic' | 'about' | 'value' | 'bringsUp' | 'words' | 'next';

/** The question templates (fixed wording, every word in the world's lexicon); the answers fill in the world's words. */
export const ORACLE_QUESTIONS: Record<QuestionKind, { question: string; answer: (x: string) => string }> = {
  topic: { question: 'what is the topic ?', answer: (topic) => `the topic is ${topic} .` },
  about: { question: 'what is this about ?', answer: (entity) => `it is about ${entity} .` },
  value: { question: 'what answer does it give ?', answer: (value) => `it says ${value} .` },
  bringsUp: { question: 'what does it bring up ?', answer: (entity) => `it brings up ${entity} .` },
  words: { question: 'which words does it use ?', answer: (words) => `it uses ${words} .` },
  next: { question: 'what comes next ?', answer: (word) => `next comes ${word} .` },
};
export const QUESTION_KINDS = Object.keys(ORACLE_QUESTIONS) as QuestionKind[];

/** the question kinds the probe asks about a prompt (intent questions, and the topic) */
export const QUERY_KINDS: readonly QuestionKind[] = ['topic', 'value', 'bringsUp', 'words'];

export interface OracleQa {
  kind: QuestionKind;
  question: string;
  answer: string;
  /** an answer is right (held-out accuracy) when it contains one of these words */
  keys: string[];
}

export interface OracleExample {
  /** context token ids (whose activations are injected) */
  context: number[];
  /**
   * 'reading': a whole text; 'intent': a prompt up to <|assistant|>; 'next':
   * a text cut before one of its content words (all read off the base); 'finetune' / 'finetune-diff': a prompt read off a
   * counterfactual fine-tune of the base / minus the base (variants.ts)
   */
  input: 'reading' | 'intent' | 'next' | 'finetune' | 'finetune-diff';
  topic: string;
  qa: OracleQa[];
}

/** How many of a text's most specific words a 'words' answer names. */
export const WORDS_PER_ANSWER = 2;

/** the last word of an entity's name ("an apple pie" -> "pie") names it in an answer */
function keyWord(name: string): string {
  const w = name.split(' ');
  return w[w.length - 1];
}

function entityIn(text: string, byLength: readonly { name: string }[]): { name: string } | null {
  const padded = ` ${text} `;
  for (const e of byLength) if (padded.includes(` ${e.name} `)) return e;
  return null;
}

/**
 * How specific each word is: the number of the split's chat answers and web
 * texts it occurs in (fewer = more specific). Punctuation and words in more
 * than a tenth of the texts (function words) are not content words.
 */
export function wordSpecificity(texts: readonly string[]): { isContent(w: string): boolean; rank(words: readonly string[], k: number): string[] } {
  const df = documentFrequency(texts.map((t) => WordTokenizer.split(t)));
  const common = Math.max(2, texts.length / 10);
  const isContent = (w: string) => /[a-z0-9]/.test(w) && (df.get(w) ?? 0) <= common;
  return {
    isContent,
    // the k rarest distinct content words, ties in order of appearance
    rank: (words, k) => {
      const seen = [...new Set(words.filter(isContent))];
      return seen
        .map((w, i) => ({ w, i, n: df.get(w) ?? 0 }))
        .sort((a, b) => a.n - b.n || a.i - b.i)
        .slice(0, k)
        .map((x) => x.w);
    },
  };
}

/** Every word of the vocabulary a text may state as content: not special, not a function word, not punctuation. */
export function vocabularyWords(tok: WordTokenizer, spec: { isContent(w: string): boolean }): string[] {
  return tok.vocab.filter((w, id) => !tok.isSpecial(id) && spec.isContent(w));
}

/**
 * The chat with the fact's value stated with `word` in place of its first key
 * word found in the answer (null when the answer does not state the value):
 * the new value, its key, and the chat.
 */
export function substituteValue(chat: ChatExample, fact: Pick<Fact, 'object' | 'accept'>, word: string): { chat: ChatExample; value: string; keys: string[] } | null {
  const last = chat.messages.length - 1;
  const answer = chat.messages[last]?.content ?? '';
  const objectWords = fact.object.split(' ');
  const key = fact.accept.find((k) => objectWords.includes(k));
  if (!key || !` ${answer} `.includes(` ${fact.object} `)) return null;
  const value = objectWords.map((w) => (w === key ? word : w)).join(' ');
  const content = ` ${answer} `.replace(` ${fact.object} `, ` ${value} `).slice(1, -1);
  return { chat: { ...chat, messages: chat.messages.map((m, i) => (i === last ? { ...m, content } : m)) }, value, keys: [word] };
}

/** Optional kinds of training data (both off: the data the probe was published with). */
export interface ExampleOptions {
  /** share of read fact chats whose value's key word is swapped for a vocabulary word (0: none) */
  valueSubstitution?: number;
  /** add 'next' examples: a text cut before a content word, asked what comes next */
  nextWord?: boolean;
}

/**
 * Examples from a split, alternating a reading example and an intent example
 * (general chats and web texts in turn for reading; general chat prompts for
 * intent), each with every question its context can answer. Examples with a
 * word outside the vocabulary are skipped. `segment` is how many of the
 * context's last tokens the oracle reads: a 'words' answer names words from
 * those only.
 */
export function oracleExamples(world: OracleWorld, tok: WordTokenizer, split: Split, count: number, maxContext: number, segment: number, opts: ExampleOptions = {}): OracleExample[] {
  const valueSubstitution = opts.valueSubstitution ?? 0;
  const entities = new Map(world.entities.map((e) => [e.id, e]));
  const facts = new Map(world.facts.map((f) => [f.id, f]));
  const byLength = [...world.entities].sort((a, b) => b.name.length - a.name.length);
  const topics = new Set(world.topics.map((t) => t.id));
  const chats = world.data('chat', split);
  const web = world.data('webtext', split);
  const spec = wordSpecificity([...chats.map((c) => c.messages[c.messages.length - 1]?.content ?? ''), ...web.map((w) => w.text)]);
  const unk = tok.specials.unk;
  const rng = new Rng(`activation-oracle/${split}/value-substitution`);
  const substitutes = vocabularyWords(tok, spec);
  const out: OracleExample[] = [];
  const qa = (kind: QuestionKind, filler: string, keys: string[]): OracleQa => ({ kind, question: ORACLE_QUESTIONS[kind].question, answer: ORACLE_QUESTIONS[kind].answer(filler), keys });
  const words = (ws: string[]) => (ws.length ? [qa('words', ws.join(' and '), ws)] : []);
  const add = (input: OracleExample['input'], context: number[], topic: string, qas: OracleQa[]) => {
    if (!topics.has(topic)) return;
    const ids = context.length > maxContext ? context.slice(context.length - maxContext) : context;
    const all = [qa('topic', topic, [topic]), ...qas];
    if (ids.includes(unk) || all.some((q) => tok.encode(`${q.question} ${q.answer}`).includes(unk))) return;
    out.push({ context: ids, input, topic, qa: all });
  };
  const render = (t: ChatExample | WebText) => ('messages' in t ? renderChat(tok, t.messages).ids : renderDocument(tok, t.text));
  const readSegment = (ids: readonly number[]) => ids.slice(-segment).filter((id) => !tok.isSpecial(id)).map((id) => tok.vocab[id]);

  const intent = (chat: ChatExample | undefined) => {
    if (!chat || chat.messages.length < 2) return;
    const answer = chat.messages[chat.messages.length - 1].content;
    const meta = chat.meta;
    const qas: OracleQa[] = [];
    const fact = meta?.kind === 'fact' && meta.factIds?.length === 1 ? facts.get(meta.factIds[0]) : undefined;
    // the world now and then voices a misconception: the value is what the answer says, else no value question
    if (fact && ` ${answer} `.includes(` ${fact.object} `)) qas.push(qa('value', fact.object, fact.accept));
    const brought = meta?.entityId ? entities.get(meta.entityId) : entityIn(answer, byLength);
    if (brought && ` ${answer} `.includes(` ${brought.name} `)) qas.push(qa('bringsUp', brought.name, [keyWord(brought.name)]));
    qas.push(...words(spec.rank(WordTokenizer.split(answer), WORDS_PER_ANSWER)));
    add('intent', renderPrompt(tok, chat.messages.slice(0, -1)), chat.topic, qas);
  };
  const reading = (text: ChatExample | WebText | undefined) => {
    if (!text) return;
    const isChat = 'messages' in text;
    const fact = isChat && text.meta?.kind === 'fact' && text.meta.factIds?.length === 1 ? facts.get(text.meta.factIds[0]) : undefined;
    const swap = isChat && fact && rng.next() < valueSubstitution ? substituteValue(text, fact, rng.pick(substitutes)) : null;
    const read = swap?.chat ?? text;
    const ids = render(read);
    const qas: OracleQa[] = [];
    const ent = 'messages' in read ? (read.meta?.entityId ? entities.get(read.meta.entityId) : undefined) : entityIn(read.text, byLength);
    if (ent) qas.push(qa('about', ent.name, [keyWord(ent.name)]));
    const seg = readSegment(ids);
    const value = swap ?? (fact ? { value: fact.object, keys: fact.accept } : null);
    if (value && ` ${seg.join(' ')} `.includes(` ${value.value} `)) qas.push(qa('value', value.value, value.keys));
    qas.push(...words(spec.rank(seg, WORDS_PER_ANSWER)));
    add('reading', ids, text.topic, qas);
  };
  // the word a text goes on with, read off the activations of what comes before it: the
  // model's own prediction is in them (the logit lens shows it), so this teaches the oracle to
  // put into words what the activations predict, whatever the word
  const cutRng = new Rng(`activation-oracle/${split}/next`);
  const next = (text: ChatExample | WebText | undefined) => {
    if (!text) return;
    const ids = render(text);
    const cuts = ids.map((id, k) => (k >= 4 && !tok.isSpecial(id) && spec.isContent(tok.vocab[id]) ? k : -1)).filter((k) => k >= 0);
    if (cuts.length === 0) return;
    const k = cutRng.pick(cuts);
    const word = tok.vocab[ids[k]];
    add('next', ids.slice(0, k), text.topic, [qa('next', word, [word])]);
  };
  // in turn: the prompt of chat k (intent), chat k or web text k/2 read whole, then (nextWord) the other cut before a word
  for (let k = 0; out.length < count && (k < chats.length || k >> 1 < web.length); k++) {
    intent(chats[k]);
    if (out.length < count) reading(k % 2 === 0 ? chats[k] : web[k >> 1]);
    if (opts.nextWord && out.length < count) next(k % 2 === 0 ? web[k >> 1] : chats[k]);
  }
  if (out.length === 0) throw new MoltError(`activation oracle: the data has no usable chat or web text in split '${split}'`, `chat/${split}`);
  return out;
}
