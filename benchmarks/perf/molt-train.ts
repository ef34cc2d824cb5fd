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

export interface TrainBenchResult {
  /** tokens per wall-clock second */
  tok_s: number;
  /** tokens per CPU second of this process (user + system): steadier than tok_s when other jobs share the cores */
  cpu_tok_s: number;
  step_ms: number;
  steps: number;
  warmup: number;
  final_loss: number;
  params: number;
  /** this process's peak resident set so far */
  peak_rss_mb: number;
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

export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
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
    for (let i = 0; i < o.warmup; i++) step();
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    let loss = NaN;
    for (let i = 0; i < o.steps; i++) loss = step();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(c0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    let params = 0;
    for (const v of model.params.values()) params += v.size;
    return {
      tok_s: (o.batch * o.seq * o.steps) / seconds,
      cpu_tok_s: (o.batch * o.seq * o.steps) / cpuSeconds,
      step_ms: (1000 * seconds) / o.steps,
      steps: o.steps,
      warmup: o.warmup,
      final_loss: loss,
      params,
      peak_rss_mb: peakRssMb(),
    };
  } finally {
    weights.dispose();
    opt.dispose();
    model.dispose();
  }
}
