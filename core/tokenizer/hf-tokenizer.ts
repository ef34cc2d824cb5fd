// A Hugging Face tokenizer (tokenizer.json + tokenizer_config.json) through
// @huggingface/tokenizers, a maintained pure-JS port of the `tokenizers`
// pipeline (normalizer, pre-tokenizer, BPE/WordPiece/Unigram/WordLevel model,
// byte fallback, post-processor, decoder), and its chat template rendered
// with @huggingface/jinja as transformers' apply_chat_template does.
import { Template } from '@huggingface/jinja';
import { Tokenizer } from '@huggingface/tokenizers';
import { MoltError } from '../errors';
import type { SpecialIds, TextTokenizer } from './types';

export interface ChatTurn {
  role: string;
  content: string;
}

const SPECIAL_FIELDS = ['bos', 'eos', 'pad', 'unk'] as const;

/** tokenizer_config.json spells a token as a string or an AddedToken object {content: ...} */
function tokenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return undefined;
}

/** The chat template a tokenizer_config.json names: a string, or a list of {name, template} whose 'default' is used. */
export function configChatTemplate(config: Record<string, unknown>, source: string): string | null {
  const t = config.chat_template;
  if (t === undefined || t === null) return null;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) {
    const found = t.find((e) => e && (e as { name?: unknown }).name === 'default');
    if (found && typeof (found as { template?: unknown }).template === 'string') return (found as { template: string }).template;
  }
  throw new MoltError(`${source}: chat_template must be a string or a list holding a {"name": "default", "template": ...} entry`, `${source}:chat_template`);
}

export class HfTokenizer implements TextTokenizer {
  readonly size: number;
  readonly specials: Readonly<SpecialIds>;
  private readonly inner: Tokenizer;
  private readonly specialIds: ReadonlySet<number>;
  /** the special tokens as text, for the chat template (bos_token, eos_token, ...) */
  private readonly specialText: Record<string, string>;
  private compiled: Template | undefined;

  /**
   * json: the parsed tokenizer.json; config: the parsed tokenizer_config.json
   * ({} when there is none); chatTemplate: from chat_template.jinja or the
   * config; source names the files in errors; endIds: the ids that end a
   * generated answer besides eos_token (generation_config.json's eos_token_id,
   * which HF's generate() stops on: a chat model's end of turn).
   */
  constructor(
    json: unknown,
    config: Record<string, unknown>,
    readonly source: string,
    readonly chatTemplate: string | null = null,
    readonly endIds: readonly number[] = [],
  ) {
    try {
      this.inner = new Tokenizer(json as object, config);
    } catch (e) {
      throw new MoltError(`${source}: @huggingface/tokenizers cannot load it (${(e as Error).message})`, source);
    }
    const inner = this.inner;
    let max = -1;
    for (const id of inner.get_vocab(true).values()) if (id > max) max = id;
    this.size = max + 1;
    const specials: SpecialIds = {};
    this.specialText = {};
    for (const k of SPECIAL_FIELDS) {
      const text = tokenText(config[`${k}_token`]);
      if (text === undefined) continue;
      this.specialText[`${k}_token`] = text;
      const id = inner.token_to_id(text);
      if (id === undefined) throw new MoltError(`${source}: ${k}_token '${text}' of tokenizer_config.json is not in the vocabulary`, `${source}:${k}_token`);
      specials[k] = id;
    }
    this.specials = specials;
    this.specialIds = new Set([...inner.get_added_tokens_decoder()].filter(([, t]) => t.special).map(([id]) => id));
  }

  encode(text: string): number[] {
    return this.inner.encode(text, { add_special_tokens: false }).ids;
  }

  /** Encode as transformers' tokenizer(text) does: with the post-processor's special tokens (e.g. Gemma's <bos>). */
  encodeWithSpecials(text: string): number[] {
    return this.inner.encode(text, { add_special_tokens: true }).ids;
  }

  decode(ids: readonly number[], opts: { skipSpecial?: boolean } = {}): string {
    return this.inner.decode([...ids], { skip_special_tokens: opts.skipSpecial ?? false });
  }

  tokenOf(id: number): string | undefined {
    return this.inner.id_to_token(id);
  }

  idOf(token: string): number | undefined {
    return this.inner.token_to_id(token);
  }

  isSpecial(id: number): boolean {
    return this.specialIds.has(id);
  }

  /**
   * The chat template rendered as text, as transformers'
   * apply_chat_template(messages, tokenize=False, add_generation_prompt=...).
   */
  renderChat(messages: readonly ChatTurn[], opts: { addGenerationPrompt?: boolean } = {}): string {
    if (this.chatTemplate === null) throw new MoltError(`${this.source}: the tokenizer has no chat_template (tokenizer_config.json or chat_template.jinja)`, `${this.source}:chat_template`);
    try {
      this.compiled ??= new Template(this.chatTemplate);
      return this.compiled.render({ messages, add_generation_prompt: opts.addGenerationPrompt ?? false, ...this.specialText });
    } catch (e) {
      throw new MoltError(`${this.source}: chat_template failed (${(e as Error).message})`, `${this.source}:chat_template`);
    }
  }

  /** The rendered chat template as ids; the template places any <bos> itself, so none is added. */
  encodeChat(messages: readonly ChatTurn[], opts: { addGenerationPrompt?: boolean } = {}): number[] {
    return this.encode(this.renderChat(messages, opts));
  }
}
