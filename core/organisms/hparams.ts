// Trainer hyperparameters: a technique's defaults, overridden from the config
// file's `trainers:` section (per technique id), validated field by field so
// a typo names the field instead of being ignored.
import { z } from 'zod';
import { issueField, MoltError } from '../errors';
import { DEFAULT_ADAMW } from '../train/optimizer';
import { DPO_LOSS_TYPES, type DpoLossType } from '../train/losses';
import type { TrainConfig } from '../train/loop';
import type { Trainer, TrainerHyperparameters } from '../plugins/types';

const posInt = z.number().int().positive();
export const TrainerOverride = z
  .object({
    steps: posInt,
    lr: z.number().positive(),
    warmupSteps: z.number().int().nonnegative(),
    batchSize: posInt,
    lrDoublings: z.number().int().nonnegative(),
    weightDecay: z.number().nonnegative(),
    maxGradNorm: z.number().nonnegative(),
    adamEps: z.number().positive(),
    beta: z.number().positive(),
    lossType: z.enum(DPO_LOSS_TYPES as [DpoLossType, ...DpoLossType[]]),
    rpoAlpha: z.number().nonnegative(),
    mixRatio: z.number().nonnegative().nullable(),
    behaviourRepeat: posInt,
    checkpointEvery: posInt,
    logEvery: posInt,
  })
  .partial()
  .strict();
export type TrainerOverride = z.infer<typeof TrainerOverride>;

/** config file `trainers:` section: technique id -> overrides */
export const TrainerOverrides = z.record(z.string(), TrainerOverride);
export type TrainerOverrides = z.infer<typeof TrainerOverrides>;

export function validateHyperparameters(h: TrainerHyperparameters, t: Pick<Trainer, 'id' | 'objective' | 'mixed'>): void {
  const where = `trainers.${t.id}`;
  const fail = (field: string, problem: string): never => {
    throw new MoltError(`${where}.${field} ${problem}`, `${where}.${field}`);
  };
  for (const f of ['steps', 'batchSize', 'checkpointEvery', 'logEvery'] as const) {
    if (!Number.isInteger(h[f]) || h[f] < 1) fail(f, `must be a positive integer, got ${h[f]}`);
  }
  if (!Number.isInteger(h.warmupSteps) || h.warmupSteps < 0) fail('warmupSteps', `must be a non-negative integer, got ${h.warmupSteps}`);
  if (h.warmupSteps >= h.steps) fail('warmupSteps', `(${h.warmupSteps}) must be below steps (${h.steps})`);
  // the run keeps a snapshot every checkpointEvery steps and the QER matcher chooses among them
  if (h.steps < h.checkpointEvery) fail('steps', `(${h.steps}) must be at least checkpointEvery (${h.checkpointEvery}), the spacing of the snapshots the QER matcher chooses from`);
  if (!(h.lr > 0)) fail('lr', `must be > 0, got ${h.lr}`);
  if (!(h.weightDecay >= 0)) fail('weightDecay', `must be >= 0, got ${h.weightDecay}`);
  if (!(h.maxGradNorm >= 0)) fail('maxGradNorm', `must be >= 0, got ${h.maxGradNorm}`);
  if (h.adamEps !== undefined && !(h.adamEps > 0)) fail('adamEps', `must be > 0, got ${h.adamEps}`);
  if (t.objective === 'dpo') {
    if (!(typeof h.beta === 'number' && h.beta > 0)) fail('beta', `must be > 0 for a DPO technique, got ${h.beta}`);
    if (!h.lossType || !DPO_LOSS_TYPES.includes(h.lossType)) fail('lossType', `must be one of ${DPO_LOSS_TYPES.join(', ')}, got ${h.lossType}`);
    if (h.rpoAlpha !== undefined && !(h.rpoAlpha >= 0)) fail('rpoAlpha', `must be >= 0, got ${h.rpoAlpha}`);
  } else if (h.rpoAlpha) {
    fail('rpoAlpha', `applies to DPO techniques only ('${t.id}' is ${t.objective})`);
  }
  if (h.lrDoublings !== undefined && !(Number.isInteger(h.lrDoublings) && h.lrDoublings >= 0)) fail('lrDoublings', `must be a non-negative integer, got ${h.lrDoublings}`);
  if (h.behaviourRepeat !== undefined && !(Number.isInteger(h.behaviourRepeat) && h.behaviourRepeat >= 1)) fail('behaviourRepeat', `must be a positive integer, got ${h.behaviourRepeat}`);
  if (h.mixRatio !== null && !(h.mixRatio >= 0)) fail('mixRatio', `must be >= 0 or null (whole general mix), got ${h.mixRatio}`);
  if (!t.mixed && h.mixRatio !== 0) fail('mixRatio', `must be 0: '${t.id}' trains on the behaviour's data only`);
  if (t.mixed && h.mixRatio === 0) fail('mixRatio', `must not be 0: '${t.id}' is a mixed technique`);
}

/** The technique's defaults for `size` with validated overrides applied. */
export function hyperparametersFor(trainer: Trainer, size: string, override: unknown = {}): TrainerHyperparameters {
  const parsed = TrainerOverride.safeParse(override ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issueField(issue);
    throw new MoltError(`trainers.${trainer.id}: field '${field}': ${issue.message}`, `trainers.${trainer.id}.${field}`);
  }
  const h = { ...trainer.defaultsFor(size), ...parsed.data };
  validateHyperparameters(h, trainer);
  return h;
}

/** The shared loop's config: constant rate after warmup, so step s is the same model in a run of any length. */
export function loopConfig(h: TrainerHyperparameters, seed: string, steps = h.steps): TrainConfig {
  return {
    steps,
    batchSize: h.batchSize,
    schedule: { kind: 'constant', peakLr: h.lr, warmupSteps: h.warmupSteps },
    optimizer: { ...DEFAULT_ADAMW, weightDecay: h.weightDecay, maxGradNorm: h.maxGradNorm, ...(h.adamEps === undefined ? {} : { eps: h.adamEps }) },
    seed,
    logEvery: h.logEvery,
    // the organism run saves its own snapshots (run.ts); the loop saves only on stop
    checkpointEvery: 0,
  };
}

/** The fields that change the weights at a given step (steps, logging, snapshot spacing and the retry rule do not). */
export function weightIdentity(h: TrainerHyperparameters): Omit<TrainerHyperparameters, 'steps' | 'logEvery' | 'checkpointEvery' | 'lrDoublings'> {
  const { steps: _s, logEvery: _l, checkpointEvery: _c, lrDoublings: _d, ...rest } = h;
  return rest;
}
