// A checkpoint as a Hugging Face model directory, loadable by
// `AutoModelForCausalLM.from_pretrained(dir)` and `AutoTokenizer`:
//   config.json              the architecture's HF config, exactly as given
//   generation_config.json   bos/eos/pad ids for HF generate()
//   model.safetensors        float32 weights under HF names, __metadata__ {format: pt}
//                            (read: also bf16/f16, or shards with model.safetensors.index.json)
//   tokenizer.json, tokenizer_config.json, special_tokens_map.json
//   molt.json                molt's own record (backend, seed, stage, hashes...):
//                            kept out of config.json so HF sees a clean config
// A tied-embedding model simply has no lm_head.weight.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { readJsonFile, writeFileNamed } from '../store/atomic';
import { join } from 'node:path';
import type { tf } from '../engine/tf';
import { MoltError } from '../errors';
import type { HfConfig } from '../model/types';
import type { HfTokenizer } from '../tokenizer/hf-tokenizer';
import { WordTokenizer } from '../tokenizer/word-tokenizer';
import { hasWeights, readHfWeights, WEIGHTS_FILE } from './hf-weights';
import { tensorsToRaw, writeSafetensors } from './safetensors';
import { GENERATION_CONFIG_FILE, readDirTokenizer } from './tokenizer-files';
import { readTokenizerFile, writeTokenizerFiles } from './tokenizer-json';

export { WEIGHTS_FILE, WEIGHTS_INDEX_FILE } from './hf-weights';

export const CONFIG_FILE = 'config.json';
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

/**
 * Any Hugging Face model directory: molt's own, or one trained elsewhere
 * (tokenizer of any kind; none when the directory has no tokenizer.json).
 */
export interface HfModelDir extends Omit<HfCheckpoint, 'tokenizer'> {
  tokenizer: WordTokenizer | HfTokenizer | null;
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

/** true when dir looks like a Hugging Face model directory molt can load */
export function isHfDir(dir: string): boolean {
  return existsSync(join(dir, CONFIG_FILE)) && hasWeights(dir);
}

async function readConfig(dir: string): Promise<HfConfig> {
  if (!existsSync(dir)) throw new MoltError(`checkpoint directory ${dir} does not exist`, dir);
  const configFile = join(dir, CONFIG_FILE);
  const config = await readJsonFile<HfConfig>(configFile);
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new MoltError(`${configFile}: not a JSON object`, configFile);
  for (const field of ['model_type', 'vocab_size', 'hidden_size', 'num_hidden_layers'] as const) {
    if (config[field] === undefined) throw new MoltError(`${configFile}: missing field '${field}'`, `${configFile}:${field}`);
  }
  // quantized weights (GPTQ, AWQ, bitsandbytes...) are other tensors with other math
  if (config.quantization_config !== undefined && config.quantization_config !== null) {
    throw new MoltError(`${configFile}: field 'quantization_config' is set; molt loads only unquantized float32/bfloat16/float16 weights`, `${configFile}:quantization_config`);
  }
  return config;
}

async function readMetadata(dir: string): Promise<MoltMetadata> {
  const metaFile = join(dir, MOLT_METADATA_FILE);
  const metadata = await readJsonFile<MoltMetadata | null>(metaFile, null);
  if (metadata === null) return {};
  if (typeof metadata !== 'object' || Array.isArray(metadata)) throw new MoltError(`${metaFile}: not a JSON object`, metaFile);
  return metadata;
}

/**
 * Load one of molt's checkpoint directories (its word-level tokenizer is
 * required). The caller owns the returned tensors (pass them to
 * Architecture.fromWeights, or dispose them). molt.json is optional so that
 * a copy edited elsewhere loads with empty metadata.
 */
export async function loadHfDir(dir: string): Promise<HfCheckpoint> {
  const config = await readConfig(dir);
  const tokenizer = await readTokenizerFile(dir);
  checkVocab(config, tokenizer, join(dir, CONFIG_FILE));
  const metadata = await readMetadata(dir);
  return { config, weights: await readHfWeights(dir), tokenizer, metadata };
}

/**
 * Load any Hugging Face model directory (config.json, weights as one file or
 * shards, optional tokenizer.json of any kind, optional molt.json). An HF
 * tokenizer may list more tokens than the embedding (Gemma3's image token),
 * as transformers allows; ids are checked against vocab_size where text is
 * encoded. The caller owns the returned tensors.
 */
export async function loadHfModelDir(dir: string): Promise<HfModelDir> {
  const config = await readConfig(dir);
  const tokenizer = await readDirTokenizer(dir);
  if (tokenizer instanceof WordTokenizer) checkVocab(config, tokenizer, join(dir, CONFIG_FILE));
  const metadata = await readMetadata(dir);
  return { config, weights: await readHfWeights(dir), tokenizer, metadata };
}
