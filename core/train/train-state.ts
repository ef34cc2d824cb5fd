// Resumable training state in a work directory:
//   <workDir>/state-<step>/params.safetensors     model parameters (HF names)
//   <workDir>/state-<step>/optimizer.safetensors  AdamW moments m/<name>, v/<name>
//   <workDir>/state-<step>/meta.json              step, log, counters
//   <workDir>/latest.json                         which state-<step> is current
// A state directory is complete before latest.json points at it (written to a
// temporary name, then renamed), so a crash mid-save leaves the previous
// state in force.
import { mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import type { tf } from '../engine/tf';
import { MoltError } from '../errors';
import { readSafetensors, writeSafetensors, type RawTensor } from '../checkpoint/safetensors';
import { writeFileAtomic, writeFileNamed } from '../store/atomic';
import type { AdamWState } from './optimizer';

export interface LogEntry {
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
  [metric: string]: number;
}

export interface TrainStateMeta {
  fingerprint: string;
  step: number;
  log: LogEntry[];
  tokens: number;
  /** training wall time so far */
  seconds: number;
  /** the loop's running level of the loss (divergence check); absent in state saved before it existed */
  lossLevel?: number;
}

export interface SavedTrainState {
  params: Map<string, Float32Array>;
  optimizer: AdamWState;
  meta: TrainStateMeta;
}

const LATEST = 'latest.json';

function f32(shape: number[], data: Float32Array): RawTensor {
  return { dtype: 'F32', shape, data };
}

export async function saveTrainState(
  workDir: string,
  state: { params: Map<string, tf.Variable>; optimizer: AdamWState; meta: TrainStateMeta },
): Promise<void> {
  await mkdir(workDir, { recursive: true });
  const name = `state-${String(state.meta.step).padStart(8, '0')}`;
  const tmp = path.join(workDir, `${name}.tmp-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  const params = new Map<string, RawTensor>();
  for (const [n, v] of state.params) params.set(n, f32(v.shape.slice(), v.dataSync() as Float32Array));
  const moments = new Map<string, RawTensor>();
  for (const [n, d] of state.optimizer.m) moments.set(`m/${n}`, f32([d.length], d));
  for (const [n, d] of state.optimizer.v) moments.set(`v/${n}`, f32([d.length], d));
  await writeSafetensors(path.join(tmp, 'params.safetensors'), params);
  await writeSafetensors(path.join(tmp, 'optimizer.safetensors'), moments, { step: String(state.optimizer.step) });
  await writeFileNamed(path.join(tmp, 'meta.json'), JSON.stringify(state.meta));
  const final = path.join(workDir, name);
  await rm(final, { recursive: true, force: true });
  await rename(tmp, final);
  await writeFileAtomic(path.join(workDir, LATEST), JSON.stringify({ dir: name }));
  for (const entry of await readdir(workDir)) {
    if (entry.startsWith('state-') && entry !== name) await rm(path.join(workDir, entry), { recursive: true, force: true });
  }
}

/** The latest complete state, or undefined if the directory holds none. */
export async function loadTrainState(workDir: string): Promise<SavedTrainState | undefined> {
  let pointer: { dir: string };
  try {
    pointer = JSON.parse(await readFile(path.join(workDir, LATEST), 'utf8'));
  } catch {
    return undefined;
  }
  const dir = path.join(workDir, pointer.dir);
  let meta: TrainStateMeta;
  try {
    meta = JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8'));
  } catch (e) {
    throw new MoltError(`${dir}/meta.json: cannot read training state (${(e as Error).message})`, dir);
  }
  const params = new Map<string, Float32Array>();
  for (const [n, t] of (await readSafetensors(path.join(dir, 'params.safetensors'))).tensors) params.set(n, t.data as Float32Array);
  const opt = await readSafetensors(path.join(dir, 'optimizer.safetensors'));
  const m = new Map<string, Float32Array>();
  const v = new Map<string, Float32Array>();
  for (const [n, t] of opt.tensors) {
    if (n.startsWith('m/')) m.set(n.slice(2), t.data as Float32Array);
    else if (n.startsWith('v/')) v.set(n.slice(2), t.data as Float32Array);
  }
  return { params, optimizer: { step: Number(opt.metadata.step), m, v }, meta };
}

/** Remove all training state (after the stage's artifact is written). */
export async function clearTrainState(workDir: string): Promise<void> {
  await rm(workDir, { recursive: true, force: true });
}
