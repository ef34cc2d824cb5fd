// Random-weight Hugging Face directories made in TypeScript (no Python): one
// of molt's architectures at its micro size, written by saveHfDir, with a
// real tokenizer.json shipped by a registry package in place of molt's
// word-level one (and no molt.json): what a model trained elsewhere looks
// like to molt.
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveHfDir } from '../../core/checkpoint/hf-dir';
import { CHAT_TEMPLATE_FILE } from '../../core/checkpoint/tokenizer-files';
import { Rng } from '../../core/engine/rng';
import type { HfConfig } from '../../core/model/types';
import type { Architecture } from '../../core/plugins/types';
import { WordTokenizer } from '../../core/tokenizer/word-tokenizer';
import { packagedTokenizerDir, type TokenizerPackage } from './tokenizers';

/** the llama2 tokenizer's 32000 tokens */
export const PACKAGED_VOCAB = 32000;

/** A chat template of the usual shape (turn markers the tokenizer splits into pieces, </s> ending each turn). */
export const TEST_CHAT_TEMPLATE = "{{ bos_token }}{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}</s>{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}";

export interface HfDirOptions {
  /** the embedding's rows (default the packaged tokenizers' 32000) */
  vocabSize?: number;
  /** config fields over the micro config */
  overrides?: Record<string, unknown>;
  /** written as chat_template.jinja */
  chatTemplate?: string;
}

/** dir/name: a random-weight micro model of `arch` (seeded) with a packaged tokenizer (or the one in a directory), or none */
export async function randomHfDir(root: string, name: string, arch: Architecture, seed: number, tokenizer: TokenizerPackage | { dir: string } | null, opts: HfDirOptions = {}): Promise<string> {
  const config: HfConfig = arch.config('micro', { vocabSize: opts.vocabSize ?? PACKAGED_VOCAB, overrides: opts.overrides ?? {} });
  const model = arch.init(config, new Rng(seed));
  const dir = join(root, name);
  await saveHfDir(dir, { config, weights: new Map(model.params), tokenizer: new WordTokenizer([]), metadata: {} });
  model.dispose();
  for (const f of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'molt.json']) rmSync(join(dir, f));
  if (tokenizer) cpSync(typeof tokenizer === 'string' ? packagedTokenizerDir(tokenizer) : tokenizer.dir, dir, { recursive: true });
  if (opts.chatTemplate !== undefined) writeFileSync(join(dir, CHAT_TEMPLATE_FILE), opts.chatTemplate);
  return dir;
}
