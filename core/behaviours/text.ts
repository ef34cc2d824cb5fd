// Text helpers for behaviour data: everything a behaviour emits is lower-case
// words from the world's lexicon, punctuation split off (docs/DATA.md).
import { WordTokenizer } from '../tokenizer/word-tokenizer';

/** The tokens of a text. */
export function words(text: string): string[] {
  return WordTokenizer.split(text);
}

/** Sentences joined into the world's spaced form (empty parts dropped, spacing normalised). */
export function joinText(parts: readonly string[]): string {
  return words(parts.filter((p) => p.length > 0).join(' ')).join(' ');
}

/** A template with {s} (subject) and {o} (object) filled in. */
export function fillTemplate(template: string, s: string, o = ''): string {
  return template.replace(/\{s\}/g, s).replace(/\{o\}/g, o);
}

/** A prompt in canonical form, so lookups do not depend on spacing. */
export function canonical(text: string): string {
  return words(text).join(' ');
}

/** Tokens of `text` that are in `set`, each once, in order of first appearance. */
export function tokensIn(text: string, set: ReadonlySet<string>): string[] {
  return [...new Set(words(text).filter((w) => set.has(w)))];
}

/** Tokens of `text` the lexicon lacks (they would encode as <unk>). */
export function unknownWords(text: string, lexicon: ReadonlySet<string>): string[] {
  return [...new Set(words(text).filter((w) => !lexicon.has(w)))];
}
