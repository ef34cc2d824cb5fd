// What molt needs from a tokenizer, whichever kind it is: molt's own
// WordTokenizer (synthetic-world models) or a Hugging Face tokenizer.json of
// any kind (BPE with byte fallback, byte-level BPE, ...; hf-tokenizer.ts).

/** ids of the special tokens a model knows; a tokenizer may lack some */
export interface SpecialIds {
  bos?: number;
  eos?: number;
  pad?: number;
  unk?: number;
}

export interface TextTokenizer {
  /** ids run 0 .. size-1 */
  readonly size: number;
  readonly specials: Readonly<SpecialIds>;
  /** text -> ids, adding no special tokens (no <bos>) */
  encode(text: string): number[];
  decode(ids: readonly number[], opts?: { skipSpecial?: boolean }): string;
  /** the vocabulary entry of an id (e.g. 'Ġworld'), for display */
  tokenOf(id: number): string | undefined;
  idOf(token: string): number | undefined;
  isSpecial(id: number): boolean;
}
