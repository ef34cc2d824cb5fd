// The tokenizer of any Hugging Face model directory: molt's own word-level
// tokenizer.json (read exactly as before, so molt's checkpoints keep their
// ids) or any other tokenizer.json through @huggingface/tokenizers, with
// tokenizer_config.json and a chat template (chat_template.jinja, which
// newer transformers write, wins over tokenizer_config.json's chat_template).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MoltError } from '../errors';
import { readJsonFile } from '../store/atomic';
import { HfTokenizer, configChatTemplate } from '../tokenizer/hf-tokenizer';
import { SPECIAL_ORDER, SPECIAL_TOKENS, type WordTokenizer } from '../tokenizer/word-tokenizer';
import { TOKENIZER_CONFIG_FILE, TOKENIZER_FILE, tokenizerFromJson } from './tokenizer-json';

/** generation settings beside the weights (HF's GenerationConfig) */
export const GENERATION_CONFIG_FILE = 'generation_config.json';

export const CHAT_TEMPLATE_FILE = 'chat_template.jinja';

/** a word-level tokenizer.json whose ids 0..6 are molt's special tokens: one molt wrote */
export function isMoltTokenizerJson(json: unknown): boolean {
  const model = (json as { model?: { type?: unknown; vocab?: Record<string, unknown> } } | null)?.model;
  if (model?.type !== 'WordLevel' || typeof model.vocab !== 'object' || model.vocab === null) return false;
  const vocab = model.vocab;
  return SPECIAL_ORDER.every((k, i) => vocab[SPECIAL_TOKENS[k]] === i);
}

function asObject(v: unknown, file: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new MoltError(`${file}: not a JSON object`, file);
  return v as Record<string, unknown>;
}

/**
 * The tokenizer of dir, or null when it has no tokenizer.json (a model can
 * still run on token ids). molt's own files give a WordTokenizer; any other
 * kind an HfTokenizer.
 */
export async function readDirTokenizer(dir: string): Promise<WordTokenizer | HfTokenizer | null> {
  const file = join(dir, TOKENIZER_FILE);
  if (!existsSync(file)) return null;
  const json = await readJsonFile<unknown>(file);
  if (isMoltTokenizerJson(json)) return tokenizerFromJson(json, file);
  const configFile = join(dir, TOKENIZER_CONFIG_FILE);
  const config = asObject(await readJsonFile<unknown>(configFile, {}), configFile);
  const templateFile = join(dir, CHAT_TEMPLATE_FILE);
  let template: string | null;
  try {
    template = existsSync(templateFile) ? await readFile(templateFile, 'utf8') : configChatTemplate(config, configFile);
  } catch (e) {
    if (e instanceof MoltError) throw e;
    throw new MoltError(`${templateFile}: cannot read (${(e as Error).message})`, templateFile);
  }
  return new HfTokenizer(json, config, file, template, await generationEndIds(dir));
}

/**
 * generation_config.json's eos_token_id (one id or a list: HF's generate()
 * stops on any of them, e.g. Gemma's eos and <end_of_turn>); [] without the
 * file or the field.
 */
export async function generationEndIds(dir: string): Promise<number[]> {
  const file = join(dir, GENERATION_CONFIG_FILE);
  const config = asObject(await readJsonFile<unknown>(file, {}), file);
  const v = config.eos_token_id;
  if (v === undefined || v === null) return [];
  const ids = Array.isArray(v) ? v : [v];
  if (!ids.every((id) => Number.isInteger(id) && (id as number) >= 0)) {
    throw new MoltError(`${file}: field 'eos_token_id': expected a token id or a list of them, got ${JSON.stringify(v)}`, `${file}:eos_token_id`);
  }
  return ids as number[];
}
