// BaseData from the synthetic world (or any DataSource with a tokenizer and
// an on-topic judge): tokenization with molt's one chat template
// (core/data/chat-template.ts): the loss mask covers the assistant's words and
// its <eos> (so the model learns to stop), not the <|assistant|> marker,
// which belongs to the prompt.
import { renderChat, renderDocument, renderPrompt } from '../data/chat-template';
import { generateCapabilityQuestions, type CapabilitySet } from '../data/generate/fact-questions';
import type { DataSource, FactQuestion, PreferencePair, Split } from '../data/types';
import { sha256Hex, canonicalJson } from '../store/content-hash';
import type { WordTokenizer } from '../tokenizer/word-tokenizer';
import type { PreferenceExample } from '../train/objectives';
import { World } from '../world/world';
import type { BaseData, CapabilityQuestions, ChatProbe, FactProbe } from './base-data';

export interface WorldLike extends DataSource {
  readonly seed: number | string;
  readonly tokenizer: WordTokenizer;
  isOnTopic(answer: string, topic: string): boolean;
  /** plain content (no data) identifying the world */
  describe(): unknown;
}

/** A preference pair as two whole conversations (same prompt), each with the assistant-only loss mask. */
export function preferenceExample(tok: WordTokenizer, p: Pick<PreferencePair, 'prompt' | 'chosen' | 'rejected'>): PreferenceExample {
  const side = (answer: string) =>
    renderChat(tok, [
      { role: 'user', content: p.prompt },
      { role: 'assistant', content: answer },
    ]);
  return { chosen: side(p.chosen), rejected: side(p.rejected) };
}

/** BaseData over a world; each split's tokenized data is built once. */
export function worldBaseData(world: WorldLike): BaseData {
  const tok = world.tokenizer;
  const memo = new Map<string, unknown>();
  const once = <T>(key: string, make: () => T): T => {
    if (!memo.has(key)) memo.set(key, make());
    return memo.get(key) as T;
  };
  const probe = (q: FactQuestion): FactProbe => ({ prompt: renderPrompt(tok, q.prompt), accept: q.accept, factId: q.factId });
  return {
    identity: { world_seed: world.seed, world: sha256Hex(canonicalJson(world.describe())) },
    tokenizer: tok,
    pretrainDocs: (split: Split) =>
      once(`docs/${split}`, () => [...world.data('pretrain', split), ...world.data('webtext', split)].map((d) => renderDocument(tok, d.text))),
    chat: (split: Split) => once(`chat/${split}`, () => world.data('chat', split).map((c) => renderChat(tok, c.messages))),
    preferences: (split: Split) => once(`pref/${split}`, () => world.data('preference', split).map((p) => preferenceExample(tok, p))),
    factQuestions: (split: Split) => once(`facts/${split}`, () => world.data('fact-question', split).map(probe)),
    // the synthetic world builds the sets from its facts; other data (JSONL) has fact questions only
    capabilityQuestions: (set: CapabilitySet) =>
      once(`capability/${set}`, (): CapabilityQuestions => {
        if (world instanceof World) return { questions: once('capability', () => generateCapabilityQuestions(world))[set].map(probe), fallback: '' };
        const split: Split = set === 'sweep' ? 'val' : 'test';
        return { questions: world.data('fact-question', split).map(probe), fallback: `the data has no capability question set '${set}': its ${split} fact questions stand in` };
      }),
    chatPrompts: (split: Split) =>
      once(`prompts/${split}`, (): ChatProbe[] => {
        const seen = new Set<string>();
        const out: ChatProbe[] = [];
        for (const c of world.data('chat', split)) {
          const user = c.messages.find((m) => m.role === 'user')?.content;
          if (!user || seen.has(user)) continue;
          seen.add(user);
          out.push({ prompt: renderPrompt(tok, user), user, topic: c.topic });
        }
        return out;
      }),
    isOnTopic: (probe, answer) => world.isOnTopic(answer, probe.topic),
  };
}
