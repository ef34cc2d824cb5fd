// molt side of the perf activation-collection workload: forward passes (no
// gradients) over B x T random tokens that capture the residual stream after
// every block (blocks.{l}.hook_resid_post, the read point of every probe) and
// copy each layer into a host Float32Array. It goes through the same path the
// probes do (core/probes/activations.ts meanResiduals, core/probes/capture.ts
// collectActivations): model.forward with `capture` hooks and lastOnly logits,
// then dataSync per captured tensor. Those two helpers reduce to means or read
// one hook per forward, so the multi-hook read is spelled out here.
import { tf } from '../../core/engine/tf';
import { Rng } from '../../core/engine/rng';
import { hookName, type CausalLM, type HfConfig } from '../../core/model/types';
import { paramCount, perfArchitecture, type WorkloadBenchResult } from './molt-train';
import { peakRssMb, rates, timeIterations } from './measure';
import { randomPrompts } from './molt-generate';

export interface ActivationsBenchOptions {
  arch: string;
  config: HfConfig;
  batch: number;
  seq: number;
  steps: number;
  warmup: number;
  seed: number;
}

export interface ActivationsBenchResult extends WorkloadBenchResult {
  /** layers read per forward */
  layers: number;
  /** floats copied to host memory per iteration (layers x B x T x d) */
  values: number;
}

export function residualHooks(numLayers: number): string[] {
  return Array.from({ length: numLayers }, (_, l) => hookName(l, 'hook_resid_post'));
}

/** Per layer, the [B * T, d] row-major residual stream after that block. */
export function collectResiduals(model: CausalLM, rows: number[][]): Float32Array[] {
  const hooks = residualHooks(model.numLayers);
  const ids = tf.tensor2d(rows, [rows.length, rows[0].length], 'int32');
  const out = model.forward(ids, { capture: hooks, lastOnly: true });
  ids.dispose();
  out.logits.dispose();
  return hooks.map((h) => {
    const t = out.captured.get(h)!;
    const values = t.dataSync() as Float32Array;
    t.dispose();
    return values;
  });
}

export function benchMoltActivations(o: ActivationsBenchOptions): ActivationsBenchResult {
  const arch = perfArchitecture(o.arch);
  const rng = new Rng(o.seed);
  const model = arch.init(o.config, rng.fork('init'));
  const dataRng = rng.fork('tokens');
  const d = model.hiddenSize;
  const step = (): { tokens: number; layers: number; values: number } => {
    const acts = collectResiduals(model, randomPrompts(dataRng, o.batch, o.seq, model.vocabSize));
    // rows of the first layer = tokens read; every layer must hold as many
    return { tokens: acts[0].length / d, layers: acts.length, values: acts.reduce((n, a) => n + a.length, 0) };
  };
  try {
    const t = timeIterations(o.warmup, o.steps, step);
    return {
      ...rates(t.last.tokens, o.steps, t),
      steps: o.steps,
      warmup: o.warmup,
      tokens_per_step: t.last.tokens,
      layers: t.last.layers,
      values: t.last.values,
      params: paramCount(model),
      peak_rss_mb: peakRssMb(),
    };
  } finally {
    model.dispose();
  }
}
