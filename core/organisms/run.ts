// One organism training run: the shared loop (core/train/loop.ts) driven in
// segments of K steps, with a resumable snapshot (parameters and AdamW
// moments) kept after each segment, so the matcher can ask for the model at
// any step: a snapshot step is loaded; any other step trains on from the
// snapshot below it. The rate at step s depends on s alone (constant, or a
// decay whose horizon is a hyperparameter, not the run's length: loopConfig),
// so the model at step s is the same whether the run is asked for s directly
// or passes through it (resume is exact: core/train/loop.ts).
//
//   <workDir>/snapshots/step-XXXXXXXX/   params, optimizer moments, meta (log)
//   <workDir>/train/                     the loop's own state (Ctrl-C resume)
//   <workDir>/reference-logprobs.safetensors   an objective's reference log-probs, computed once
import { cp, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { tf } from '../engine/tf';
import { MoltError } from '../errors';
import { readSafetensors, rawToTensors } from '../checkpoint/safetensors';
import { writeFileAtomic } from '../store/atomic';
import type { CausalLM } from '../model/types';
import type { TrainerHyperparameters, TrainingPlan } from '../plugins/types';
import { train, type LogEntry, type Progress } from '../train/loop';
import { loopConfig } from './hparams';

export interface OrganismRunOptions {
  /** names the run in errors, e.g. 'organism cake-bake posthoc-dpo olmo2' */
  label: string;
  /** identifies the run: the loop refuses state written under another key */
  key: string;
  workDir: string;
  hparams: TrainerHyperparameters;
  /** seed of the data order */
  seed: string;
  /** a fresh copy of the start model */
  loadStart: () => Promise<CausalLM>;
  /** a model of the run's architecture from HF-named weights */
  fromWeights: (weights: Map<string, tf.Tensor>) => CausalLM;
  /** the run's objective, prepared from the start model (which it must not change); `reference` is the start model kept for the run */
  prepare: (start: CausalLM, cacheDir: string, reference: () => Promise<CausalLM>) => Promise<TrainingPlan>;
  onProgress?: (p: Progress) => void;
  onSnapshot?: (step: number) => void;
  /** polled after each step: true saves the state and stops (Ctrl-C) */
  shouldStop?: () => boolean;
}

const SNAPSHOTS = 'snapshots';
const TRAIN = 'train';
const stepName = (step: number) => `step-${String(step).padStart(8, '0')}`;
const stateName = (step: number) => `state-${String(step).padStart(8, '0')}`;

export class OrganismRun {
  private planned?: TrainingPlan;
  private policy?: CausalLM;
  /** a frozen copy of the start model, loaded when the objective first asks (TrainerInput.reference) */
  private frozen?: Promise<CausalLM>;
  private frozenModel?: CausalLM;
  /** seconds spent training in this process */
  trainSeconds = 0;

  constructor(private readonly o: OrganismRunOptions) {}

  get maxSteps(): number {
    return this.o.hparams.steps;
  }

  get every(): number {
    return this.o.hparams.checkpointEvery;
  }

  /** the objective and mix; prepared once (DPO: reference log-probs under the start model) */
  async plan(): Promise<TrainingPlan> {
    if (!this.planned) {
      await mkdir(this.o.workDir, { recursive: true });
      const start = await this.o.loadStart();
      try {
        this.planned = await this.o.prepare(start, this.o.workDir, () => this.reference());
      } finally {
        start.dispose();
      }
    }
    return this.planned;
  }

  /** steps that have a snapshot, ascending */
  async snapshots(): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(join(this.o.workDir, SNAPSHOTS));
    } catch {
      return [];
    }
    return names.filter((n) => /^step-\d{8}$/.test(n)).map((n) => Number(n.slice(5))).sort((a, b) => a - b);
  }

  /** the loss log (and DPO metrics) from step 1 up to a snapshot step */
  async logAt(step: number): Promise<LogEntry[]> {
    if (step === 0) return [];
    const meta = JSON.parse(await readFile(join(this.o.workDir, SNAPSHOTS, stepName(step), 'meta.json'), 'utf8')) as { log: LogEntry[] };
    return meta.log;
  }

  /** train until a snapshot of `step` exists (snapshots at every multiple of K on the way) */
  async advanceTo(step: number): Promise<void> {
    if (!Number.isInteger(step) || step < 0 || step > this.maxSteps) throw new MoltError(`organism run: step ${step} is outside 0..${this.maxSteps}`, 'step');
    const have = await this.snapshots();
    if (step === 0 || have.includes(step)) return;
    let from = Math.max(0, ...have.filter((s) => s < step));
    while (from < step) {
      const to = Math.min(step, (Math.floor(from / this.every) + 1) * this.every);
      await this.segment(from, to);
      from = to;
    }
  }

  /** the model at `step` (the caller disposes it) */
  async modelAt(step: number): Promise<CausalLM> {
    if (step === 0) return this.o.loadStart();
    await this.advanceTo(step);
    const { tensors } = await readSafetensors(join(this.o.workDir, SNAPSHOTS, stepName(step), 'params.safetensors'));
    return this.o.fromWeights(rawToTensors(tensors));
  }

  /** the start model, kept unchanged until the run is disposed (the policy trains a copy of its own) */
  reference(): Promise<CausalLM> {
    this.frozen ??= this.o.loadStart().then((m) => (this.frozenModel = m));
    return this.frozen;
  }

  dispose(): void {
    this.policy?.dispose();
    this.policy = undefined;
    this.frozenModel?.dispose();
    this.frozenModel = undefined;
    this.frozen = undefined;
  }

  /** the step of the loop's saved state, if any */
  private async trainStateStep(): Promise<number | undefined> {
    try {
      const { dir } = JSON.parse(await readFile(join(this.o.workDir, TRAIN, 'latest.json'), 'utf8')) as { dir: string };
      return /^state-\d{8}$/.test(dir) ? Number(dir.slice(6)) : undefined;
    } catch {
      return undefined;
    }
  }

  private async segment(from: number, to: number): Promise<void> {
    const plan = await this.plan();
    const trainDir = join(this.o.workDir, TRAIN);
    const saved = await this.trainStateStep();
    // the loop's own state resumes an interrupted segment; else start it from the snapshot
    if (saved === undefined || saved <= from || saved > to) {
      await rm(trainDir, { recursive: true, force: true });
      if (from > 0) {
        await mkdir(trainDir, { recursive: true });
        await cp(join(this.o.workDir, SNAPSHOTS, stepName(from)), join(trainDir, stateName(from)), { recursive: true });
        await writeFileAtomic(join(trainDir, 'latest.json'), JSON.stringify({ dir: stateName(from) }));
      }
    }
    if (!this.policy || (from === 0 && (saved === undefined || saved <= from))) {
      // from step 0 the weights must be the start model's; otherwise the loop loads the saved ones
      this.policy?.dispose();
      this.policy = await this.o.loadStart();
    }
    const stop = this.o.shouldStop ?? (() => false);
    const result = await train(this.policy, plan.objective, loopConfig(this.o.hparams, this.o.seed, to), {
      label: this.o.label,
      workDir: trainDir,
      fingerprint: this.o.key,
      onProgress: this.o.onProgress,
      // stopping at `to` makes the loop save its state there: that becomes the snapshot
      shouldStop: (s) => s === to || stop(),
    });
    this.trainSeconds += result.seconds;
    if (result.steps < to) {
      throw new MoltError(`interrupted: organism training stopped at step ${result.steps} (segment ${from}..${to}) with its state saved in ${this.o.workDir}; run the same command again to resume`, this.o.workDir);
    }
    const snapDir = join(this.o.workDir, SNAPSHOTS);
    await mkdir(snapDir, { recursive: true });
    const tmp = join(snapDir, `${stepName(to)}.tmp-${process.pid}`);
    await rm(tmp, { recursive: true, force: true });
    await cp(join(trainDir, stateName(to)), tmp, { recursive: true });
    await rm(join(snapDir, stepName(to)), { recursive: true, force: true });
    await rename(tmp, join(snapDir, stepName(to)));
    this.o.onSnapshot?.(to);
  }
}
