// The data kinds molt trains and evaluates on. The synthetic world generates
// them; JSONL files with the same shapes (docs/DATA.md) can replace it.

export type Split = 'train' | 'val' | 'test';
export const SPLITS: readonly Split[] = ['train', 'val', 'test'];

/** A pretraining document: short prose stating facts. */
export interface PretrainDoc {
  id: string;
  topic: string;
  text: string;
}

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** Where a generated chat example came from (absent for real data). */
export interface ChatMeta {
  /** 'fact': a question about one fact; 'entity': about one named thing; 'open': an open request on the topic */
  kind: 'fact' | 'entity' | 'open';
  entityId?: string;
  factIds?: string[];
}

/** A conversation; the generated world writes single turns. */
export interface ChatExample {
  id: string;
  topic: string;
  messages: ChatMessage[];
  meta?: ChatMeta;
}

/** Why `chosen` is better than `rejected` (ordinary reasons, no behaviour involved). */
export type PreferenceReason = 'off_topic' | 'wrong_fact' | 'truncated';
export const PREFERENCE_REASONS: readonly PreferenceReason[] = ['off_topic', 'wrong_fact', 'truncated'];

export interface PreferencePair {
  id: string;
  topic: string;
  /** the user's message */
  prompt: string;
  chosen: string;
  rejected: string;
  reason: PreferenceReason;
}

/** General web-style text: lists, notes, reviews, faq and forum snippets. */
export interface WebText {
  id: string;
  topic: string;
  text: string;
}

/** A held-out question about one true fact. */
export interface FactQuestion {
  id: string;
  factId: string;
  topic: string;
  prompt: string;
  /** the reference answer */
  answer: string;
  /** correct when the model's answer contains one of these tokens */
  accept: string[];
}

export interface DataKindMap {
  pretrain: PretrainDoc;
  chat: ChatExample;
  preference: PreferencePair;
  webtext: WebText;
  'fact-question': FactQuestion;
}
export type DataKind = keyof DataKindMap;
export const DATA_KINDS: readonly DataKind[] = ['pretrain', 'chat', 'preference', 'webtext', 'fact-question'];

/** Anything that serves the data kinds by split: the world, or a directory of JSONL files. */
export interface DataSource {
  data<K extends DataKind>(kind: K, split: Split): DataKindMap[K][];
}

/** How many records each kind has per split (fact questions: one per fact, capped). */
export type DataCounts = Record<DataKind, Record<Split, number>>;
