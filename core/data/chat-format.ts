// How a model's tokenizer turns conversations, prompts and documents into
// ids, whichever kind the tokenizer is: molt's own template for its
// WordTokenizer (chat-template.ts, the ids molt's models were trained on), or
// the chat template a Hugging Face tokenizer carries (tokenizer_config.json
// or chat_template.jinja, rendered as transformers' apply_chat_template).
// Probes and the QER evaluation read text through this, so they run on
// either kind of model.
import { MoltError } from '../errors';
import { HfTokenizer } from '../tokenizer/hf-tokenizer';
import type { TextTokenizer } from '../tokenizer/types';
import { WordTokenizer } from '../tokenizer/word-tokenizer';
import { checkTurns, renderChat, renderDocument, renderPrompt } from './chat-template';
import type { ChatMessage } from './types';

export interface AnchoredChat {
  ids: number[];
  /**
   * the last token of the first assistant turn's header (molt's
   * <|assistant|>; the end of an HF template's generation prompt): the
   * position the next token is the answer's first; -1 when maxLen cut it off
   */
  anchor: number;
}

export interface ChatFormat {
  /** a conversation (turns alternate, user first) as ids, cut to its first maxLen */
  conversation(messages: readonly ChatMessage[], opts?: { maxLen?: number }): AnchoredChat;
  /** ids a model continues with its answer: the conversation so far (ending with a user turn) and the assistant header */
  prompt(messages: readonly ChatMessage[] | string): number[];
  /** plain text (pretraining, web text) as ids, with the tokenizer's bos/eos around it where it has them */
  document(text: string): number[];
  /** the id batches are padded with (masked out): the tokenizer's pad token, else its eos, else 0 */
  readonly padId: number;
  /** where generation stops (a tokenizer without an eos token is refused here, in one line) */
  readonly eosId: number;
  /** other ids that end an answer (generation_config.json's eos_token_id list beyond eosId, e.g. an end-of-turn token) */
  readonly endIds: readonly number[];
}

function wordFormat(tok: WordTokenizer): ChatFormat {
  return {
    conversation(messages, opts = {}) {
      const { ids } = renderChat(tok, messages, opts);
      return { ids, anchor: ids.indexOf(tok.specials.assistant) };
    },
    prompt: (messages) => renderPrompt(tok, messages),
    document: (text) => renderDocument(tok, text),
    padId: tok.specials.pad,
    eosId: tok.specials.eos,
    endIds: [],
  };
}

const asMessages = (m: readonly ChatMessage[] | string): readonly ChatMessage[] => (typeof m === 'string' ? [{ role: 'user', content: m }] : m);

function hfFormat(tok: HfTokenizer): ChatFormat {
  const { bos, eos, pad } = tok.specials;
  const promptIds = (msgs: readonly ChatMessage[]) => tok.encodeChat(msgs, { addGenerationPrompt: true });
  return {
    conversation(messages, opts = {}) {
      checkTurns(messages);
      const first = messages.findIndex((m) => m.role === 'assistant');
      let ids: number[];
      let anchor: number;
      if (first < 0) {
        ids = promptIds(messages);
        anchor = ids.length - 1;
      } else {
        // the prompt part is encoded on its own, so the anchor is exactly where
        // generation would start, whatever the tokenizer merges across it
        const head = tok.renderChat(messages.slice(0, first), { addGenerationPrompt: true });
        const full = tok.renderChat(messages);
        if (!full.startsWith(head)) {
          throw new MoltError(`${tok.source}: the chat template renders a conversation that does not start with its own generation prompt, so the answer's position is unknown`, `${tok.source}:chat_template`);
        }
        const headIds = tok.encode(head);
        ids = [...headIds, ...tok.encode(full.slice(head.length))];
        anchor = headIds.length - 1;
      }
      if (opts.maxLen !== undefined && ids.length > opts.maxLen) {
        ids = ids.slice(0, opts.maxLen);
        if (anchor >= opts.maxLen) anchor = -1;
      }
      return { ids, anchor };
    },
    prompt(messages) {
      const msgs = asMessages(messages);
      if (msgs.length === 0 || msgs[msgs.length - 1].role !== 'user') throw new MoltError('chat template: a prompt must end with a user message', 'messages');
      checkTurns(msgs);
      return promptIds(msgs);
    },
    document: (text) => [...(bos === undefined ? [] : [bos]), ...tok.encode(text), ...(eos === undefined ? [] : [eos])],
    padId: pad ?? eos ?? 0,
    endIds: tok.endIds.filter((id) => id !== (eos ?? tok.endIds[0])),
    get eosId(): number {
      const id = eos ?? tok.endIds[0];
      if (id === undefined) throw new MoltError(`${tok.source}: the tokenizer has no eos_token (tokenizer_config.json) and generation_config.json no eos_token_id, so an answer's end cannot be found`, `${tok.source}:eos_token`);
      return id;
    },
  };
}

const formats = new WeakMap<TextTokenizer, ChatFormat>();

/** The chat format of a tokenizer (one per tokenizer object). */
export function chatFormat(tok: TextTokenizer): ChatFormat {
  let f = formats.get(tok);
  if (!f) {
    if (tok instanceof WordTokenizer) f = wordFormat(tok);
    else if (tok instanceof HfTokenizer) f = hfFormat(tok);
    else throw new MoltError(`chat format: no chat template for a tokenizer of kind ${tok.constructor?.name ?? typeof tok}`, 'tokenizer');
    formats.set(tok, f);
  }
  return f;
}

/** Every token's vocabulary entry by id (an id without one shows as <id>), for ranked token lists. */
export function tokenStrings(tok: TextTokenizer): string[] {
  return Array.from({ length: tok.size }, (_, i) => tok.tokenOf(i) ?? `<${i}>`);
}
