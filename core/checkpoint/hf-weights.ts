// The weights of a Hugging Face model directory: one model.safetensors, or
// shards model-0000i-of-0000n.safetensors listed by model.safetensors.index.json
//   {"metadata": {"total_size": ...}, "weight_map": {"<tensor name>": "<shard file>", ...}}
// (transformers writes shards above a size limit). Tensors are read one at a
// time and moved into the backend at once, so the weights are never in memory
// twice: peak is the loaded model plus its largest tensor.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { maxWeightBytes } from '../engine/backend';
import { tf } from '../engine/tf';
import { MoltError } from '../errors';
import { forEachSafetensor, rawToTensor, readSafetensorsHeader } from './safetensors';

export const WEIGHTS_FILE = 'model.safetensors';
export const WEIGHTS_INDEX_FILE = 'model.safetensors.index.json';

/** The safetensors files to read, and for a sharded directory which tensors each must hold. */
export interface WeightFiles {
  /** absolute paths, in the order they are read */
  files: string[];
  /** sharded only: shard path -> the tensor names the index assigns to it */
  expected?: Map<string, Set<string>>;
  /** the index file, for errors */
  index?: string;
}

/** true when dir has model.safetensors or a shard index */
export function hasWeights(dir: string): boolean {
  return existsSync(join(dir, WEIGHTS_FILE)) || existsSync(join(dir, WEIGHTS_INDEX_FILE));
}

/**
 * Where a directory's weights are. A single model.safetensors wins over an
 * index, as in transformers. Shard names must be plain file names in dir.
 */
export async function weightFiles(dir: string): Promise<WeightFiles> {
  const single = join(dir, WEIGHTS_FILE);
  if (existsSync(single)) return { files: [single] };
  const index = join(dir, WEIGHTS_INDEX_FILE);
  if (!existsSync(index)) {
    const other = ['pytorch_model.bin', 'pytorch_model.bin.index.json', 'model.pt'].find((f) => existsSync(join(dir, f)));
    const hint = other ? ` (found ${other}: convert it to safetensors first)` : '';
    throw new MoltError(`${dir}: no ${WEIGHTS_FILE} or ${WEIGHTS_INDEX_FILE}${hint}`, single);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(index, 'utf8'));
  } catch (e) {
    throw new MoltError(`${index}: cannot read as JSON (${(e as Error).message})`, index);
  }
  const map = (doc as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new MoltError(`${index}: 'weight_map' must be an object of tensor name -> shard file`, `${index}:weight_map`);
  const expected = new Map<string, Set<string>>();
  for (const [name, file] of Object.entries(map as Record<string, unknown>)) {
    if (typeof file !== 'string' || file !== basename(file) || file === '' || file === '.' || file === '..') {
      throw new MoltError(`${index}: weight_map['${name}'] must be a file name in the same directory, got ${JSON.stringify(file)}`, `${index}:weight_map.${name}`);
    }
    const path = join(dir, file);
    if (!expected.has(path)) {
      if (!existsSync(path)) throw new MoltError(`${index}: shard ${file} (holding '${name}') does not exist`, path);
      expected.set(path, new Set());
    }
    expected.get(path)!.add(name);
  }
  if (expected.size === 0) throw new MoltError(`${index}: 'weight_map' lists no tensors`, `${index}:weight_map`);
  return { files: [...expected.keys()].sort(), expected, index };
}

/** Refuse a shard whose tensors differ from what the index assigns to it. */
async function checkShard(file: string, want: Set<string>, index: string): Promise<void> {
  const { entries } = await readSafetensorsHeader(file);
  const have = new Set(entries.map((e) => e.name));
  const missing = [...want].filter((n) => !have.has(n));
  if (missing.length) throw new MoltError(`${index}: tensor '${missing[0]}' is mapped to ${basename(file)}, which does not hold it`, `${index}:weight_map.${missing[0]}`);
  const extra = [...have].filter((n) => !want.has(n));
  if (extra.length) throw new MoltError(`${file}: holds tensor '${extra[0]}', which ${basename(index)} does not map to it`, `${file}:${extra[0]}`);
}

/** The bytes a directory's weights take once converted to float32/int32 (from the headers alone). */
export async function loadedWeightBytes(dir: string): Promise<number> {
  let total = 0;
  for (const file of (await weightFiles(dir)).files) {
    for (const e of (await readSafetensorsHeader(file)).entries) total += 4 * e.shape.reduce((a, b) => a * b, 1);
  }
  return total;
}

/**
 * Every tensor of a directory's weights as tf tensors (floats of any stored
 * width as float32, integers as int32). Headers (and, for shards, the index)
 * are checked before any data is read. The caller owns the tensors.
 */
export async function readHfWeights(dir: string): Promise<Map<string, tf.Tensor>> {
  const limit = maxWeightBytes();
  if (limit !== null) {
    const need = await loadedWeightBytes(dir);
    if (need > limit) {
      const gib = (n: number) => (n / 2 ** 30).toFixed(1);
      throw new MoltError(`${dir}: its weights take ${gib(need)} GiB as float32, more than the ${tf.getBackend()} backend can hold and run (${gib(limit)} GiB); use --backend cpu`, dir);
    }
  }
  const { files, expected, index } = await weightFiles(dir);
  if (expected && index) for (const f of files) await checkShard(f, expected.get(f)!, index);
  const out = new Map<string, tf.Tensor>();
  try {
    for (const file of files) {
      // the index gives each name one shard and checkShard held each shard to it
      await forEachSafetensor(file, (name, raw) => void out.set(name, rawToTensor(raw)));
    }
  } catch (e) {
    out.forEach((t) => t.dispose());
    throw e;
  }
  return out;
}
