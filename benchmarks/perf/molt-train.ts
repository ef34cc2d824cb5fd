// molt side of the perf baseline: train a model for a fixed number of steps
// on random tokens and time it. The step is the plain training step of the
// project (forward, masked next-token cross-entropy, gradients, AdamW with
// global-norm clipping) written from its parts in core/, so the benchmark
// measures the same kernels the trainers use.
import { tf } from '../../core/engine/tf';
import { Rng } from '../../core/engine/rng';
import { MoltError } from '../../core/errors';
import type { CausalLM, HfConfig } from '../../core/model/types';
import type { Architecture } from '../../core/plugins/types';
import { AdamW, DEFAULT_ADAMW } from '../../core/train/optimizer';
import { maskedCrossEntropy } from '../../core/train/losses';
import { olmo2Architecture } from '../../plugins/architectures/olmo2';
import { peakRssMb, rates, timeIterations } from './measure';
import { gemma3Architecture } from '../../plugins/architectures/gemma3';

export const PERF_ARCHITECTURES: Record<string, Architecture> = {
  olmo2: olmo2Architecture,
  gemma3: gemma3Architecture,
};

export function perfArchitecture(id: string): Architecture {
  const arch = PERF_ARCHITECTURES[id];
  if (!arch) throw new MoltError(`perf: unknown architecture '${id}'; valid: ${Object.keys(PERF_ARCHITECTURES).join(', ')}`, id);
  return arch;
}

export interface TrainBenchOptions {
  arch: string;
  config: HfConfig;
  batch: number;
  seq: number;
  /** timed steps */
  steps: number;
  /** untimed steps first (kernel set-up, allocation) */
  warmup: number;
  seed: number;
  lr: number;
}

/** What every molt workload measures (train, generate, activations). */
export interface WorkloadBenchResult {
  /** tokens per wall-clock second */
  tok_s: number;
  /** tokens per CPU second of this process (user + system): steadier than tok_s when other jobs share the cores */
  cpu_tok_s: number;
  /** wall milliseconds per timed iteration */
  step_ms: number;
  steps: number;
  warmup: number;
  /** tokens one iteration processed (counted from its output where there is one) */
  tokens_per_step: number;
  params: number;
  /** this process's peak resident set so far */
  peak_rss_mb: number;
}

export interface TrainBenchResult extends WorkloadBenchResult {
  final_loss: number;
}

/** Random ids [B, T+1] split into inputs [B, T] and next-token targets [B, T]. */
function randomBatch(rng: Rng, batch: number, seq: number, vocab: number): { ids: tf.Tensor2D; targets: tf.Tensor2D } {
  const data = new Int32Array(batch * (seq + 1));
  for (let i = 0; i < data.length; i++) data[i] = rng.int(vocab);
  const ids = new Int32Array(batch * seq);
  const targets = new Int32Array(batch * seq);
  for (let b = 0; b < batch; b++) {
    ids.set(data.subarray(b * (seq + 1), b * (seq + 1) + seq), b * seq);
    targets.set(data.subarray(b * (seq + 1) + 1, (b + 1) * (seq + 1)), b * seq);
  }
  return { ids: tf.tensor2d(ids, [batch, seq], 'int32'), targets: tf.tensor2d(targets, [batch, seq], 'int32') };
}

/** One optimisation step; returns the loss. */
export function trainStep(model: CausalLM, opt: AdamW, ids: tf.Tensor2D, targets: tf.Tensor2D, weights: tf.Tensor2D, lr: number): number {
  const vars = [...model.params.values()];
  const { value, grads } = tf.variableGrads(() => maskedCrossEntropy(model.forward(ids).logits, targets, weights), vars);
  const byName = new Map<string, tf.Tensor>();
  for (const [name, v] of model.params) byName.set(name, grads[v.name]);
  opt.apply(byName, lr);
  for (const g of Object.values(grads)) g.dispose(); // apply() leaves the caller's gradients alone
  const loss = value.dataSync()[0];
  value.dispose();
  return loss;
}

export function paramCount(model: CausalLM): number {
  let n = 0;
  for (const v of model.params.values()) n += v.size;
  return n;
}

export function benchMoltTraining(o: TrainBenchOptions): TrainBenchResult {
  const arch = perfArchitecture(o.arch);
  const rng = new Rng(o.seed);
  const model = arch.init(o.config, rng.fork('init'));
  const opt = new AdamW(model.params, DEFAULT_ADAMW);
  const dataRng = rng.fork('data');
  const weights = tf.ones([o.batch, o.seq]) as tf.Tensor2D;
  const step = (): number => {
    const { ids, targets } = randomBatch(dataRng, o.batch, o.seq, model.vocabSize);
    try {
      return trainStep(model, opt, ids, targets, weights, o.lr);
    } finally {
      ids.dispose();
      targets.dispose();
    }
  };
  try {
    const t = timeIterations(o.warmup, o.steps, step);
    return {
      ...rates(o.batch * o.seq, o.steps, t),
      steps: o.steps,
      warmup: o.warmup,
      tokens_per_step: o.batch * o.seq,
      final_loss: t.last,
      params: paramCount(model),
      peak_rss_mb: peakRssMb(),
    };
  } finally {
    weights.dispose();
    opt.dispose();
    model.dispose();
  }
}
