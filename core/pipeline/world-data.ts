// BaseData from the synthetic world (or any DataSource with a tokenizer and
// an on-topic judge): tokenization and the chat template with loss masks.
//
// The chat template is molt's (core/checkpoint/tokenizer-json.ts):
//   <bos> <|user|> {user} <|assistant|> {assistant} <eos> [<|user|> ...]
// The loss mask covers the assistant's words and its <eos> (so the model
// learns to stop), not the <|assistant|> marker, which belongs to the prompt.
import type { ChatMessage, DataSource, PreferencePair, Split } from '../data/types';
import { sha256Hex, canonicalJson } from '../store/content-hash';
import type { WordTokenizer } from '../tokenizer/word-tokenizer';
import type { LmExample } from '../train/batching';
import type { PreferenceExample } from '../train/objectives';
import type { BaseData, ChatProbe, FactProbe } from './base-data';

export interface WorldLike extends DataSource {
  readonly seed: number | string;
  readonly tokenizer: WordTokenizer;
  isOnTopic(answer: string, topic: string): boolean;
  /** plain content (no data) identifying the world */
  describe(): unknown;
}

/** <bos> <|user|> {user} <|assistant|>: what generation continues from. */
export function chatPrompt(tok: WordTokenizer, user: string): number[] {
  const s = tok.specials;
  return [s.bos, s.user, ...tok.encode(user), s.assistant];
}

/** A conversation as ids with the loss mask on assistant tokens (and their <eos>). */
export function renderChat(tok: WordTokenizer, messages: readonly ChatMessage[]): LmExample {
  const s = tok.specials;
  const ids = [s.bos];
  const lossMask = [0];
  for (const m of messages) {
    if (m.role === 'user') {
      const part = [s.user, ...tok.encode(m.content)];
      ids.push(...part);
      lossMask.push(...part.map(() => 0));
    } else {
      const part = [...tok.encode(m.content), s.eos];
      ids.push(s.assistant, ...part);
      lossMask.push(0, ...part.map(() => 1));
    }
  }
  return { ids, lossMask };
}

export function renderPreference(tok: WordTokenizer, p: PreferencePair): PreferenceExample {
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
  const wrap = (text: string) => [tok.specials.bos, ...tok.encode(text), tok.specials.eos];
  return {
    identity: { world_seed: world.seed, world: sha256Hex(canonicalJson(world.describe())) },
    tokenizer: tok,
    pretrainDocs: (split: Split) =>
      once(`docs/${split}`, () => [...world.data('pretrain', split).map((d) => wrap(d.text)), ...world.data('webtext', split).map((d) => wrap(d.text))]),
    chat: (split: Split) => once(`chat/${split}`, () => world.data('chat', split).map((c) => renderChat(tok, c.messages))),
    preferences: (split: Split) => once(`pref/${split}`, () => world.data('preference', split).map((p) => renderPreference(tok, p))),
    factQuestions: (split: Split) =>
      once(`facts/${split}`, (): FactProbe[] =>
        world.data('fact-question', split).map((q) => ({ prompt: chatPrompt(tok, q.prompt), accept: q.accept, factId: q.factId })),
      ),
    chatPrompts: (split: Split) =>
      once(`prompts/${split}`, (): ChatProbe[] => {
        const seen = new Set<string>();
        const out: ChatProbe[] = [];
        for (const c of world.data('chat', split)) {
          const user = c.messages.find((m) => m.role === 'user')?.content;
          if (!user || seen.has(user)) continue;
          seen.add(user);
          out.push({ prompt: chatPrompt(tok, user), user, topic: c.topic });
        }
        return out;
      }),
    isOnTopic: (probe, answer) => world.isOnTopic(answer, probe.topic),
  };
}
