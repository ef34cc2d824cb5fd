// Hyperparameters of the base pipeline, one object per model size.
// The 'default' numbers were tuned by measurement on 2 CPU cores (wasm) so
// that the competence aims are met and a whole 4-stage pipeline for one
// architecture takes about 15 minutes; 'micro' is for tests (seconds).
import { MoltError } from '../errors';
import type { DpoLossType } from '../train/losses';
import { DEFAULT_ADAMW, type AdamWConfig } from '../train/optimizer';
import { SCHEDULE_KINDS, type ScheduleConfig, type ScheduleKind } from '../train/schedule';
import { z } from 'zod';

export interface StageTrainConfig {
  steps: number;
  /** sequences per update (pairs, for DPO) */
  batchSize: number;
  schedule: Omit<ScheduleConfig, 'totalSteps'>;
  optimizer: AdamWConfig;
  logEvery: number;
  /** resumable state every N steps */
  checkpointEvery: number;
}

/**
 * SFT with replay: rows of pretraining documents (loss on every token) mixed
 * into the chat examples. SFT on chat alone takes the held-out document loss
 * from 0.64 to 2.6-3.1 (the model forgets how documents go); replay 1:1 keeps
 * it at 0.67 but, at the same step budget, halves the chat seen and cost the
 * ancestor 29 points of fact accuracy and 12 of sampled on-topic rate
 * (olmo2, measured), so the default is 0.
 */
export interface SftStageConfig extends StageTrainConfig {
  /** document rows per chat example (0: chat only) */
  replayRatio: number;
  /** tokens per document row (short rows cost little next to chats) */
  replayLength: number;
}

export interface DpoStageConfig extends StageTrainConfig {
  beta: number;
  lossType: DpoLossType;
}

export interface BasePipelineConfig {
  /** next-token loss on pretraining documents + web text, packed to the context */
  pretrain: StageTrainConfig;
  /** SFT on general chat (loss on assistant tokens) with document replay: gives the ancestor */
  sft: SftStageConfig;
  /** DPO on the general preference mix from the ancestor: gives base and sibling */
  dpo: DpoStageConfig;
}

const DEFAULT: BasePipelineConfig = {
  pretrain: {
    // ~2.9 epochs of the default world's ~0.64M document tokens (16 x 128 per step)
    steps: 900,
    batchSize: 16,
    // cosine to 10%; a tiny model (d 64) takes a high peak: 6e-3 reached
    // loss 2.06 at step 200 where 3e-3 was at 2.88 (measured)
    schedule: { kind: 'cosine', peakLr: 6e-3, warmupSteps: 50, minLrRatio: 0.1 },
    optimizer: { ...DEFAULT_ADAMW, weightDecay: 0.1 },
    logEvery: 50,
    checkpointEvery: 200,
  },
  sft: {
    // ~2.7 epochs of the 6000 general chats (800 and 1000 steps gave the same
    // ancestor fact accuracy, 0.736, olmo2; 1000 kept the base closer)
    steps: 1000,
    batchSize: 16,
    schedule: { kind: 'cosine', peakLr: 1e-3, warmupSteps: 20, minLrRatio: 0.1 },
    optimizer: { ...DEFAULT_ADAMW, weightDecay: 0 },
    logEvery: 50,
    checkpointEvery: 100,
    replayRatio: 0,
    replayLength: 32,
  },
  dpo: {
    // 1200 of the 4000 general pairs, one pass
    steps: 150,
    batchSize: 8,
    // open-instruct's recipe: dpo_norm, linear decay, no weight decay; beta 5
    // as in the paper's integrated DPO (length-normalised log-ratios are ~1/T
    // of summed ones, so beta is correspondingly larger than sigmoid's 0.1).
    // lr 3e-4 cost 10 points of fact accuracy against the ancestor; 1e-4
    // cost 2 points of facts and 5 of sampled on-topic rate; 5e-5 keeps the
    // base within 1-3 points of the ancestor, held-out reward accuracy 0.79-0.84
    // (measured, olmo2 and gemma3)
    schedule: { kind: 'linear', peakLr: 5e-5, warmupSteps: 10 },
    optimizer: { ...DEFAULT_ADAMW, weightDecay: 0 },
    logEvery: 10,
    checkpointEvery: 50,
    beta: 5,
    lossType: 'dpo_norm',
  },
};

const MICRO: BasePipelineConfig = {
  pretrain: { ...DEFAULT.pretrain, steps: 6, batchSize: 4, schedule: { kind: 'cosine', peakLr: 3e-3, warmupSteps: 1, minLrRatio: 0.1 }, logEvery: 2, checkpointEvery: 3 },
  sft: { ...DEFAULT.sft, steps: 4, batchSize: 4, schedule: { kind: 'constant', peakLr: 1e-3, warmupSteps: 1 }, logEvery: 2, checkpointEvery: 2 },
  dpo: { ...DEFAULT.dpo, steps: 4, batchSize: 4, schedule: { kind: 'constant', peakLr: 1e-3, warmupSteps: 0 }, logEvery: 2, checkpointEvery: 2 },
};

export const BASE_CONFIGS: Readonly<Record<string, BasePipelineConfig>> = { default: DEFAULT, micro: MICRO };

/** The config for a model size ('default' numbers for sizes without their own). */
export function baseConfigFor(size: string): BasePipelineConfig {
  return structuredClone(BASE_CONFIGS[size] ?? DEFAULT);
}

export function validateBaseConfig(c: BasePipelineConfig): void {
  for (const stage of ['pretrain', 'sft', 'dpo'] as const) {
    if (!c[stage]) throw new MoltError(`base pipeline config: missing '${stage}'`, `base.${stage}`);
  }
  if (!(c.sft.replayRatio >= 0)) throw new MoltError(`base.sft.replayRatio must be >= 0, got ${c.sft.replayRatio}`, 'base.sft.replayRatio');
  if (!(Number.isInteger(c.sft.replayLength) && c.sft.replayLength >= 2)) throw new MoltError(`base.sft.replayLength must be an integer >= 2, got ${c.sft.replayLength}`, 'base.sft.replayLength');
  if (!(c.dpo.beta > 0)) throw new MoltError(`base.dpo.beta must be > 0, got ${c.dpo.beta}`, 'base.dpo.beta');
  if (c.dpo.lossType !== 'sigmoid' && c.dpo.lossType !== 'dpo_norm') {
    throw new MoltError(`base.dpo.lossType must be 'sigmoid' or 'dpo_norm', got '${c.dpo.lossType}'`, 'base.dpo.lossType');
  }
}

// --- overrides from a config file (`base:` section) --------------------------
// Every field optional, unknown fields refused, so a typo is an error naming
// the field rather than a silently ignored setting.
const positiveInt = z.number().int().positive();
const ScheduleOverride = z
  .object({ kind: z.enum(SCHEDULE_KINDS as [ScheduleKind, ...ScheduleKind[]]), peakLr: z.number().positive(), warmupSteps: z.number().int().nonnegative(), minLrRatio: z.number().min(0).max(1) })
  .partial()
  .strict();
const OptimizerOverride = z
  .object({ beta1: z.number().min(0).lt(1), beta2: z.number().min(0).lt(1), eps: z.number().positive(), weightDecay: z.number().nonnegative(), maxGradNorm: z.number().nonnegative() })
  .partial()
  .strict();
const StageOverride = z
  .object({ steps: positiveInt, batchSize: positiveInt, schedule: ScheduleOverride, optimizer: OptimizerOverride, logEvery: positiveInt, checkpointEvery: positiveInt })
  .partial()
  .strict();
export const BaseOverrides = z
  .object({
    pretrain: StageOverride,
    sft: StageOverride.extend({ replayRatio: z.number().nonnegative(), replayLength: z.number().int().min(2) }).partial().strict(),
    dpo: StageOverride.extend({ beta: z.number().positive(), lossType: z.enum(['sigmoid', 'dpo_norm']) }).partial().strict(),
  })
  .partial()
  .strict();
export type BaseOverrides = z.infer<typeof BaseOverrides>;

/** The size's config with validated overrides applied stage by stage. */
export function baseConfigWith(size: string, overrides: BaseOverrides = {}): BasePipelineConfig {
  const c = baseConfigFor(size);
  for (const stage of ['pretrain', 'sft', 'dpo'] as const) {
    const o = overrides[stage];
    if (!o) continue;
    const { schedule, optimizer, ...rest } = o;
    Object.assign(c[stage], rest);
    if (schedule) Object.assign(c[stage].schedule, schedule);
    if (optimizer) Object.assign(c[stage].optimizer, optimizer);
  }
  validateBaseConfig(c);
  return c;
}
