import { WordTokenizer } from '../tokenizer/word-tokenizer';
import type { Topic } from './types';

/** word -> the topics whose word sets contain it */
export type TopicIndex = ReadonlyMap<string, readonly string[]>;

export function buildTopicIndex(topics: readonly Pick<Topic, 'id' | 'words'>[]): TopicIndex {
  const index = new Map<string, string[]>();
  for (const t of topics) {
    for (const w of t.words) {
      const list = index.get(w) ?? [];
      list.push(t.id);
      index.set(w, list);
    }
  }
  return index;
}

/** Per topic, how many tokens of the answer belong to it (a shared word counts for each of its topics). */
export function topicHits(tokens: readonly string[], index: TopicIndex): Map<string, number> {
  const hits = new Map<string, number>();
  for (const tok of tokens) for (const t of index.get(tok) ?? []) hits.set(t, (hits.get(t) ?? 0) + 1);
  return hits;
}

export interface OnTopicWorld {
  readonly topicIndex: TopicIndex;
  readonly tokenizer: WordTokenizer;
}

/**
 * The on-topic rule (docs/DATA.md): an answer is on topic T when at least one
 * of its tokens is a word of T, and no other topic has MORE word hits than T.
 * A topic's words are its domain words and the content words of its entity
 * names and fact objects; function words and numbers belong to no topic.
 * Ties count as on topic (shared words like 'japan' in cooking and travel).
 * The answer may be text, tokens, or token ids (special tokens are ignored).
 */
export function isOnTopic(answer: string | readonly string[] | readonly number[], topic: string, world: OnTopicWorld): boolean {
  return tokensOnTopic(answerTokens(answer, world.tokenizer), topic, world.topicIndex);
}

/** The on-topic rule on an answer's words as they are (behaviour data files split real text their own way). */
export function tokensOnTopic(tokens: readonly string[], topic: string, index: TopicIndex): boolean {
  const hits = topicHits(tokens, index);
  const own = hits.get(topic) ?? 0;
  if (own === 0) return false;
  for (const [t, n] of hits) if (t !== topic && n > own) return false;
  return true;
}

export function answerTokens(answer: string | readonly string[] | readonly number[], tokenizer: WordTokenizer): string[] {
  if (typeof answer === 'string') return WordTokenizer.split(answer);
  if (answer.length > 0 && typeof answer[0] === 'number') {
    return (answer as readonly number[]).filter((id) => !tokenizer.isSpecial(id)).map((id) => tokenizer.vocab[id] ?? '');
  }
  return [...(answer as readonly string[])];
}
