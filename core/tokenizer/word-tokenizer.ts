import { MoltError } from '../errors';
import type { TextTokenizer } from './types';

/** Special tokens, in id order: they always occupy ids 0..6. */
export const SPECIAL_TOKENS = {
  pad: '<pad>',
  unk: '<unk>',
  bos: '<bos>',
  eos: '<eos>',
  user: '<|user|>',
  assistant: '<|assistant|>',
  /** where the activation oracle injects activations */
  placeholder: '<|placeholder|>',
} as const;
export type SpecialName = keyof typeof SPECIAL_TOKENS;
export const SPECIAL_ORDER = Object.keys(SPECIAL_TOKENS) as SpecialName[];

/** The fixed ids of the special tokens (every WordTokenizer has them). */
export function specialIds(): Readonly<Record<SpecialName, number>> {
  return Object.fromEntries(SPECIAL_ORDER.map((k, i) => [k, i])) as Record<SpecialName, number>;
}

/**
 * Word-level tokenizer: lower-cased text split on white space, with
 * punctuation split off as tokens of its own. Unknown words map to <unk>.
 * Ids 0..6 are the special tokens, then the lexicon in the order given.
 */
export class WordTokenizer implements TextTokenizer {
  readonly vocab: readonly string[];
  readonly specials: Readonly<Record<SpecialName, number>>;
  private readonly index: Map<string, number>;

  constructor(words: readonly string[]) {
    const vocab: string[] = SPECIAL_ORDER.map((k) => SPECIAL_TOKENS[k]);
    const index = new Map<string, number>(vocab.map((t, i) => [t, i]));
    for (const w of words) {
      if (w !== w.trim() || w === '' || /\s/.test(w)) {
        throw new MoltError(`tokenizer: word ${JSON.stringify(w)} is empty or contains white space`, 'lexicon');
      }
      if (index.has(w)) throw new MoltError(`tokenizer: word '${w}' appears twice in the lexicon`, 'lexicon');
      index.set(w, vocab.length);
      vocab.push(w);
    }
    this.vocab = vocab;
    this.index = index;
    this.specials = specialIds();
  }

  get size(): number {
    return this.vocab.length;
  }

  /** Split text into tokens exactly as encode() does, without mapping to ids. */
  static split(text: string): string[] {
    return text
      .replace(/([.,!?;:])/g, ' $1 ')
      .split(/\s+/)
      .filter((w) => w.length > 0)
      .map((w) => (w.startsWith('<') && w.endsWith('>') ? w : w.toLowerCase()));
  }

  idOf(token: string): number | undefined {
    return this.index.get(token);
  }

  tokenOf(id: number): string | undefined {
    return this.vocab[id];
  }

  /** Encode text; special tokens written literally (e.g. <|user|>) are recognised. */
  encode(text: string): number[] {
    return WordTokenizer.split(text).map((w) => this.index.get(w) ?? this.specials.unk);
  }

  decode(ids: readonly number[], opts: { skipSpecial?: boolean } = {}): string {
    const out: string[] = [];
    for (const id of ids) {
      if (opts.skipSpecial && id < SPECIAL_ORDER.length) continue;
      out.push(this.vocab[id] ?? SPECIAL_TOKENS.unk);
    }
    return out.join(' ').replace(/ ([.,!?;:])/g, '$1');
  }

  isSpecial(id: number): boolean {
    return id >= 0 && id < SPECIAL_ORDER.length;
  }
}
