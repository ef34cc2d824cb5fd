// The one training loop that every stage and technique runs: seeded batch
// order, gradient step, AdamW, logging through a callback, and periodic state
// checkpoints from which an interrupted run resumes with results identical
// to an uninterrupted one.
//
// Resume is exact because nothing in a step depends on history except what
// the checkpoint holds: the batch at step s is a pure function of (seed, s)
// (batchIndices), the rate a pure function of s (lrAt), and the parameters
// and AdamW moments are saved bit for bit.
import { tf } from '../engine/tf';
import { Rng } from '../engine/rng';
import { MoltError } from '../errors';
import { nonFiniteWeights, valuesOf } from '../checkpoint/finite';
import type { CausalLM } from '../model/types';
import type { Objective } from './objectives';
import { AdamW, type AdamWConfig } from './optimizer';
import { lrAt, validateSchedule, type ScheduleConfig } from './schedule';
import { loadTrainState, saveTrainState, type LogEntry } from './train-state';

export type { LogEntry } from './train-state';

export interface TrainConfig {
  /** number of optimizer updates */
  steps: number;
  /** examples per update (pairs, for DPO) */
  batchSize: number;
  /**
   * the learning-rate schedule. Its decay ends at totalSteps when given, else
   * at `steps`: a run driven in segments (the organism runs, which stop at
   * each snapshot) gives the horizon so that every segment sees one schedule
   */
  schedule: Omit<ScheduleConfig, 'totalSteps'> & { totalSteps?: number };
  optimizer: AdamWConfig;
  /** seed of the data order */
  seed: number | string;
  /** report to onProgress and record in the log every N steps */
  logEvery: number;
  /** save resumable state every N steps (0: never) */
  checkpointEvery: number;
}

export interface Progress {
  step: number;
  totalSteps: number;
  /** mean loss over the steps since the last report */
  loss: number;
  lr: number;
  gradNorm: number;
  tokensPerSec: number;
  elapsedSec: number;
  etaSec: number;
  /** objective diagnostics (e.g. DPO rewards), means since the last report */
  metrics: Record<string, number>;
}

export interface TrainOptions {
  /** names the run in errors, e.g. 'olmo2 pretrain' (default: the objective's kind) */
  label?: string;
  /** directory for resumable state; without it nothing is saved */
  workDir?: string;
  /**
   * identifies the run: state in workDir written under another fingerprint
   * is refused, so a changed config never resumes stale state
   */
  fingerprint?: string;
  onProgress?: (p: Progress) => void;
  /** called after each step's state is consistent; return true to stop early (state is saved first) */
  shouldStop?: (step: number) => boolean;
}

export interface TrainResult {
  /** updates done in total (including before a resume) */
  steps: number;
  /** step the run resumed from (0: fresh) */
  resumedFrom: number;
  /** true if shouldStop ended the run before `steps` */
  stopped: boolean;
  /** wall time of this call and of all calls of the run */
  seconds: number;
  totalSeconds: number;
  tokens: number;
  log: LogEntry[];
  /** mean loss of the last logged window */
  finalLoss: number;
}

/**
 * Divergence on the loss. A step whose loss is not finite, or exceeds
 * SPIKE_FACTOR x |running level| + SPIKE_MARGIN, stops the run. The level is
 * an exponential moving average of the step losses (LEVEL_WEIGHT on the
 * newest; it starts at the first step's loss). The margin is in nats, so a
 * small loss's relative noise never reaches it: on normal runs a DPO loss rose
 * to 30x its level (3.5 at 0.12), which a ratio alone would call diverged.
 * The factor lets a large level (7.5, a fresh model's next-token loss) rise
 * to 40 first; a loss that high means the model is confidently wrong on most
 * tokens. No step of the normal runs measured (docs/TRAINERS.md, "Divergence")
 * came within 40% of its limit.
 */
export const LEVEL_WEIGHT = 0.1;
export const SPIKE_FACTOR = 4;
export const SPIKE_MARGIN = 10;

/** The highest loss a step may have given the running level before it. */
export function lossLimit(level: number): number {
  return SPIKE_FACTOR * Math.abs(level) + SPIKE_MARGIN;
}

/** Example indices of the batch at `step`: epochs are seeded permutations. */
export function batchIndices(size: number, batchSize: number, seed: number | string, step: number): number[] {
  if (size < 1) throw new MoltError('training data is empty', 'data');
  const perEpoch = Math.max(1, Math.floor(size / batchSize));
  const epoch = Math.floor(step / perEpoch);
  const within = step % perEpoch;
  const order = epochOrder(size, seed, epoch);
  return order.slice(within * batchSize, Math.min(size, (within + 1) * batchSize));
}

const orderCache = new Map<string, number[]>();
function epochOrder(size: number, seed: number | string, epoch: number): number[] {
  const key = `${size}/${seed}/${epoch}`;
  let order = orderCache.get(key);
  if (!order) {
    order = new Rng(seed).fork(`epoch/${epoch}`).shuffle([...Array(size).keys()]);
    if (orderCache.size > 8) orderCache.clear();
    orderCache.set(key, order);
  }
  return order;
}

export function validateTrainConfig(c: TrainConfig, subject = 'train'): void {
  const posInt = (v: number, f: string) => {
    if (!Number.isInteger(v) || v < 1) throw new MoltError(`${subject}.${f} must be a positive integer, got ${v}`, subject);
  };
  posInt(c.steps, 'steps');
  posInt(c.batchSize, 'batchSize');
  posInt(c.logEvery, 'logEvery');
  if (!Number.isInteger(c.checkpointEvery) || c.checkpointEvery < 0) {
    throw new MoltError(`${subject}.checkpointEvery must be a non-negative integer`, subject);
  }
  validateSchedule(scheduleOf(c), `${subject}.schedule`);
}

/** The schedule a run follows: its own horizon, else the run's steps. */
export function scheduleOf(c: TrainConfig): ScheduleConfig {
  return { ...c.schedule, totalSteps: c.schedule.totalSteps ?? c.steps };
}

/** Train `model` in place on `objective`. */
export async function train<B>(model: CausalLM, objective: Objective<B>, config: TrainConfig, opts: TrainOptions = {}): Promise<TrainResult> {
  validateTrainConfig(config);
  const schedule = scheduleOf(config);
  const names = [...model.params.keys()];
  const vars = names.map((n) => model.params.get(n)!);
  const hfName = new Map(names.map((n) => [model.params.get(n)!.name, n]));
  const optimizer = new AdamW(model.params, config.optimizer);
  const fingerprint = opts.fingerprint ?? '';
  const label = opts.label ?? objective.kind;

  let step = 0;
  /** running level of the loss (see lossLimit) */
  let level: number | undefined;
  let log: LogEntry[] = [];
  let tokens = 0;
  let priorSeconds = 0;
  if (opts.workDir) {
    const saved = await loadTrainState(opts.workDir);
    if (saved) {
      if (saved.meta.fingerprint !== fingerprint) {
        throw new MoltError(`${opts.workDir}: holds training state of another run (fingerprint ${saved.meta.fingerprint}, expected ${fingerprint}); delete it to start over`, opts.workDir);
      }
      for (const [n, data] of saved.params) {
        const v = model.params.get(n);
        if (!v || v.size !== data.length) throw new MoltError(`${opts.workDir}: saved parameter '${n}' does not fit the model`, n);
        tf.tidy(() => v.assign(tf.tensor(data, v.shape, 'float32')));
      }
      optimizer.importState(saved.optimizer);
      ({ step, log, tokens, lossLevel: level } = saved.meta);
      priorSeconds = saved.meta.seconds;
    }
  }
  const resumedFrom = step;

  const t0 = Date.now();
  let window = { steps: 0, loss: 0, tokens: 0, start: Date.now(), metrics: {} as Record<string, number> };
  let lastNorm = 0;
  let lastLr = 0;
  let stopped = false;
  const save = async () => {
    if (!opts.workDir) return;
    await saveTrainState(opts.workDir, {
      params: model.params,
      optimizer: optimizer.exportState(),
      meta: { fingerprint, step, log, tokens, seconds: priorSeconds + (Date.now() - t0) / 1000, lossLevel: level },
    });
  };
  const diverged = (at: number, why: string) => new MoltError(`${label}: training diverged at step ${at}: ${why}; stopped without saving (lower the learning rate)`, label);
  // the last update can break the weights without any loss seeing it: check before they are saved or returned
  const checkWeights = () => {
    const bad = nonFiniteWeights(valuesOf(model.params));
    if (bad) throw diverged(step, `${bad} after its update (learning rate ${lastLr})`);
  };

  try {
    while (step < config.steps) {
      const batch = objective.makeBatch(batchIndices(objective.size, config.batchSize, config.seed, step));
      const lr = lrAt(schedule, step);
      let diagnostics: tf.Tensor[] = [];
      const { value, grads } = tf.variableGrads(() => {
        const out = objective.loss(model, batch);
        diagnostics = (out.diagnostics ?? []).map((d) => tf.keep(d));
        return out.loss;
      }, vars);
      const gradMap = new Map(Object.entries(grads).map(([k, g]) => [hfName.get(k)!, g]));
      const clip = optimizer.apply(gradMap, lr);
      for (const g of gradMap.values()) g.dispose();
      const loss = value.dataSync()[0];
      value.dispose();
      if (!Number.isFinite(loss)) throw diverged(step + 1, `loss ${loss}`);
      if (level !== undefined && loss > lossLimit(level)) throw diverged(step + 1, `loss ${loss.toPrecision(4)} is far above its running level ${level.toPrecision(4)} (limit ${lossLimit(level).toPrecision(4)})`);
      level = level === undefined ? loss : level + LEVEL_WEIGHT * (loss - level);
      if (objective.describe && diagnostics.length > 0) {
        const described = objective.describe(diagnostics.map((d) => d.dataSync() as Float32Array));
        for (const [k, v] of Object.entries(described)) window.metrics[k] = (window.metrics[k] ?? 0) + v;
      }
      diagnostics.forEach((d) => d.dispose());

      step += 1;
      const batchTokens = objective.tokens(batch);
      tokens += batchTokens;
      window.steps += 1;
      window.loss += loss;
      window.tokens += batchTokens;
      lastNorm = clip.norm;
      lastLr = lr;

      if (step % config.logEvery === 0 || step === config.steps) {
        const now = Date.now();
        const secs = Math.max(1e-9, (now - window.start) / 1000);
        const metrics = Object.fromEntries(Object.entries(window.metrics).map(([k, v]) => [k, v / window.steps]));
        const entry: LogEntry = { step, loss: window.loss / window.steps, lr: lastLr, gradNorm: lastNorm, ...metrics };
        log.push(entry);
        opts.onProgress?.({
          step,
          totalSteps: config.steps,
          loss: entry.loss,
          lr: lastLr,
          gradNorm: lastNorm,
          tokensPerSec: window.tokens / secs,
          elapsedSec: priorSeconds + (now - t0) / 1000,
          etaSec: ((config.steps - step) * secs) / window.steps,
          metrics,
        });
        window = { steps: 0, loss: 0, tokens: 0, start: now, metrics: {} };
      }
      // A step is synchronous compute: yield to the event loop so signal
      // handlers (Ctrl-C -> shouldStop) and progress output get to run.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const stopNow = opts.shouldStop?.(step) ?? false;
      const saving = (config.checkpointEvery > 0 && step % config.checkpointEvery === 0 && step < config.steps) || stopNow;
      if (saving || step === config.steps) checkWeights();
      if (saving) await save();
      if (stopNow && step < config.steps) {
        stopped = true;
        break;
      }
    }
  } finally {
    optimizer.dispose();
  }
  const seconds = (Date.now() - t0) / 1000;
  return {
    steps: step,
    resumedFrom,
    stopped,
    seconds,
    totalSeconds: priorSeconds + seconds,
    tokens,
    log,
    finalLoss: log.length > 0 ? log[log.length - 1].loss : NaN,
  };
}
