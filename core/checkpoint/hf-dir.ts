// A checkpoint as a Hugging Face model directory, loadable by
// `AutoModelForCausalLM.from_pretrained(dir)` and `AutoTokenizer`:
//   config.json              the architecture's HF config, exactly as given
//   generation_config.json   bos/eos/pad ids for HF generate()
//   model.safetensors        float32 weights under HF names, __metadata__ {format: pt}
//   tokenizer.json, tokenizer_config.json, special_tokens_map.json
//   molt.json                molt's own record (backend, seed, stage, hashes...):
//                            kept out of config.json so HF sees a clean config
// A tied-embedding model simply has no lm_head.weight.
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { writeFileNamed } from '../store/atomic';
import { join } from 'node:path';
import type { tf } from '../engine/tf';
import { MoltError } from '../errors';
import type { HfConfig } from '../model/types';
import type { WordTokenizer } from '../tokenizer/word-tokenizer';
import { rawToTensors, readSafetensors, tensorsToRaw, writeSafetensors } from './safetensors';
import { readTokenizerFile, writeTokenizerFiles } from './tokenizer-json';

export const CONFIG_FILE = 'config.json';
export const GENERATION_CONFIG_FILE = 'generation_config.json';
export const WEIGHTS_FILE = 'model.safetensors';
export const MOLT_METADATA_FILE = 'molt.json';

/** molt's record of how a checkpoint was made; free-form beyond the named fields. */
export interface MoltMetadata {
  backend?: string;
  seed?: number | string;
  /** e.g. 'pretrain', 'sft', 'dpo', or an organism technique */
  stage?: string;
  /** contentHash of the config + data identity + code version that produced it */
  config_hash?: string;
  created_at?: string;
  molt_version?: string;
  [key: string]: unknown;
}

export interface HfCheckpoint {
  config: HfConfig;
  /** HF tensor names and layout; float32 (int32 allowed for buffers) */
  weights: Map<string, tf.Tensor>;
  tokenizer: WordTokenizer;
  metadata: MoltMetadata;
}

function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

function checkVocab(config: HfConfig, tokenizer: WordTokenizer, where: string): void {
  // HF allows an embedding larger than the tokenizer (padded vocab), never smaller.
  if (!Number.isInteger(config.vocab_size) || config.vocab_size < tokenizer.size) {
    throw new MoltError(`${where}: vocab_size ${config.vocab_size} is smaller than the tokenizer's ${tokenizer.size} tokens`, `${where}:vocab_size`);
  }
}

/**
 * Write a checkpoint into `dir` (created if missing; files of the same names
 * are replaced). For an atomic, content-addressed checkpoint, call it inside
 * ArtifactStore.writeDir; for `molt export`, call it on the output directory.
 */
export async function saveHfDir(dir: string, ckpt: HfCheckpoint): Promise<void> {
  checkVocab(ckpt.config, ckpt.tokenizer, join(dir, CONFIG_FILE));
  await mkdir(dir, { recursive: true });
  await writeSafetensors(join(dir, WEIGHTS_FILE), tensorsToRaw(ckpt.weights), { format: 'pt' });
  await writeFileNamed(join(dir, CONFIG_FILE), jsonText(ckpt.config));
  const { bos, eos, pad } = ckpt.tokenizer.specials;
  await writeFileNamed(join(dir, GENERATION_CONFIG_FILE), jsonText({ bos_token_id: bos, eos_token_id: eos, pad_token_id: pad }));
  const maxLen = ckpt.config.max_position_embeddings;
  await writeTokenizerFiles(dir, ckpt.tokenizer, typeof maxLen === 'number' ? { modelMaxLength: maxLen } : {});
  await writeFileNamed(join(dir, MOLT_METADATA_FILE), jsonText(ckpt.metadata));
}

async function readJsonFile(file: string, required: boolean): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (!required && (e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new MoltError(`${file}: cannot read (${(e as Error).message})`, file);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new MoltError(`${file}: not valid JSON (${(e as Error).message})`, file);
  }
}

/** true when dir looks like a Hugging Face model directory molt can load */
export function isHfDir(dir: string): boolean {
  return existsSync(join(dir, CONFIG_FILE)) && existsSync(join(dir, WEIGHTS_FILE));
}

/**
 * Load a checkpoint directory. The caller owns the returned tensors (pass them
 * to Architecture.fromWeights, or dispose them). molt.json is optional so that
 * a directory from elsewhere loads with empty metadata; config.json,
 * model.safetensors and tokenizer.json are required.
 */
export async function loadHfDir(dir: string): Promise<HfCheckpoint> {
  if (!existsSync(dir)) throw new MoltError(`checkpoint directory ${dir} does not exist`, dir);
  const configFile = join(dir, CONFIG_FILE);
  const config = (await readJsonFile(configFile, true)) as HfConfig;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new MoltError(`${configFile}: not a JSON object`, configFile);
  for (const field of ['model_type', 'vocab_size', 'hidden_size', 'num_hidden_layers'] as const) {
    if (config[field] === undefined) throw new MoltError(`${configFile}: missing field '${field}'`, `${configFile}:${field}`);
  }
  const tokenizer = await readTokenizerFile(dir);
  checkVocab(config, tokenizer, configFile);
  const metaFile = join(dir, MOLT_METADATA_FILE);
  const metadata = ((await readJsonFile(metaFile, false)) ?? {}) as MoltMetadata;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw new MoltError(`${metaFile}: not a JSON object`, metaFile);
  const { tensors } = await readSafetensors(join(dir, WEIGHTS_FILE));
  return { config, weights: rawToTensors(tensors), tokenizer, metadata };
}
