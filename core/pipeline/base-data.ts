// What the base pipeline and the competence checks need from a data source,
// already tokenized. The synthetic world provides it (world-data.ts); real
// data brought as JSONL can provide the same.
import type { WordTokenizer } from '../tokenizer/word-tokenizer';
import type { LmExample } from '../train/batching';
import type { PreferenceExample } from '../train/objectives';

export type Split = 'train' | 'val' | 'test';

export interface FactProbe {
  /** chat prompt up to and including the assistant marker */
  prompt: number[];
  /** an answer is correct when it contains one of these tokens */
  accept: string[];
  factId: string;
}

export interface ChatProbe {
  /** chat prompt up to and including the assistant marker */
  prompt: number[];
  /** the user's text, for the judge */
  user: string;
  /** topic the prompt is about */
  topic: string;
}

export interface BaseData {
  /** JSON-able identity of the data (world seed, generator version...): part of every stage's content hash */
  readonly identity: unknown;
  readonly tokenizer: WordTokenizer;
  /** pretraining documents and web text, each wrapped as <bos> ... <eos> */
  pretrainDocs(split: Split): number[][];
  /** general chats rendered with the chat template; loss mask on assistant tokens */
  chat(split: Split): LmExample[];
  /** general preference pairs, prompt + response, loss mask on the response */
  preferences(split: Split): PreferenceExample[];
  /** true-fact questions; val/test ask held-out facts (never asked or answered in training data) */
  factQuestions(split: Split): FactProbe[];
  /** open chat prompts for the on-topic rate */
  chatPrompts(split: Split): ChatProbe[];
  /** the world's judge: does this answer stay on the prompt's topic */
  isOnTopic(probe: ChatProbe, answer: string): boolean;
}
