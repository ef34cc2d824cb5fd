// molt side of the perf generation workload: B prompts of P random tokens ->
// N new tokens each through the project's own batched generation
// (core/model/generate.ts: left padding, KV cache, CPU sampling), at a
// temperature, with no early stop. tokens/s counts new tokens.
import { Rng } from '../../core/engine/rng';
import { generate } from '../../core/model/generate';
import { paramCount, perfArchitecture, type WorkloadBenchResult } from './molt-train';
import { peakRssMb, rates, timeIterations } from './measure';
import type { HfConfig } from '../../core/model/types';

export interface GenerateBenchOptions {
  arch: string;
  config: HfConfig;
  /** prompts per batch (B) */
  batch: number;
  /** tokens per prompt (P) */
  prompt: number;
  /** new tokens per prompt (N) */
  newTokens: number;
  temperature: number;
  steps: number;
  warmup: number;
  seed: number;
}

// No id is negative, so no row ever stops early: every iteration makes B x N tokens.
const NO_EOS = -1;

export function randomPrompts(rng: Rng, batch: number, length: number, vocab: number): number[][] {
  return Array.from({ length: batch }, () => Array.from({ length }, () => rng.int(vocab)));
}

export function benchMoltGeneration(o: GenerateBenchOptions): WorkloadBenchResult {
  const arch = perfArchitecture(o.arch);
  const rng = new Rng(o.seed);
  const model = arch.init(o.config, rng.fork('init'));
  const dataRng = rng.fork('prompts');
  let iteration = 0;
  const step = (): number => {
    const prompts = randomPrompts(dataRng, o.batch, o.prompt, model.vocabSize);
    const out = generate(model, prompts, { maxNewTokens: o.newTokens, temperature: o.temperature, seed: `${o.seed}/${iteration++}`, eosId: NO_EOS });
    return out.reduce((n, row) => n + row.length, 0);
  };
  try {
    const t = timeIterations(o.warmup, o.steps, step);
    return { ...rates(t.last, o.steps, t), steps: o.steps, warmup: o.warmup, tokens_per_step: t.last, params: paramCount(model), peak_rss_mb: peakRssMb() };
  } finally {
    model.dispose();
  }
}
