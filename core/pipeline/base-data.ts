// What the base pipeline and the competence checks need from a data source,
// already tokenized. The synthetic world provides it (world-data.ts); real
// data brought as JSONL can provide the same.
import type { CapabilitySet } from '../data/generate/fact-questions';
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

export type { CapabilitySet };

/** A capability question set, and whether the data had it. */
export interface CapabilityQuestions {
  questions: FactProbe[];
  /** '' when the data provides the set; else which questions stand in for it */
  fallback: string;
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
  /** capability questions (core/data/generate/fact-questions.ts: all, heldout, sweep) */
  capabilityQuestions(set: CapabilitySet): CapabilityQuestions;
  /** open chat prompts for the on-topic rate */
  chatPrompts(split: Split): ChatProbe[];
  /** the world's judge: does this answer stay on the prompt's topic */
  isOnTopic(probe: ChatProbe, answer: string): boolean;
}
