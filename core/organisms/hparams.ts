// Trainer hyperparameters: the fields every technique shares (the loop's, the
// mix's, the rate ladder's), validated here whoever wrote the trainer; an
// objective's own fields are validated by its own schema (defineObjective).
// A technique's defaults are overridden from the config file's `trainers:`
// section, field by field, so a typo names trainers.<id>.<field> instead of
// being ignored.
import { z } from 'zod';
import { issueField, MoltError } from '../errors';
import { DEFAULT_ADAMW } from '../train/optimizer';
import type { TrainConfig } from '../train/loop';
import type { Trainer, TrainerHyperparameters } from '../plugins/types';

const posInt = z.number().int().positive();

export const LrSchedule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('constant') }).strict(),
  z.object({ kind: z.enum(['linear', 'cosine']), horizon: posInt, minLrRatio: z.number().min(0).max(1).optional() }).strict(),
]);

/** The shared fields' schema (each field checked alone; validateHyperparameters checks them together). */
export const COMMON_HYPERPARAMETERS = {
  steps: posInt,
  lr: z.number().positive(),
  warmupSteps: z.number().int().nonnegative(),
  schedule: LrSchedule.optional(),
  batchSize: posInt,
  lrDoublings: z.number().int().nonnegative().optional(),
  weightDecay: z.number().nonnegative(),
  maxGradNorm: z.number().nonnegative(),
  adamEps: z.number().positive().optional(),
  mixRatio: z.number().nonnegative().nullable(),
  behaviourRepeat: posInt.optional(),
  checkpointEvery: posInt,
  logEvery: posInt,
} satisfies z.ZodRawShape;

/** config file `trainers:` section: technique id -> its overrides (checked against the technique's own schema when it is used) */
export const TrainerOverrides = z.record(z.string(), z.record(z.string(), z.unknown()));
export type TrainerOverrides = z.infer<typeof TrainerOverrides>;

/** A MoltError for one field of a technique's hyperparameters. */
export function hyperparameterError(trainerId: string, field: string, problem: string): MoltError {
  return new MoltError(`trainers.${trainerId}.${field} ${problem}`, `trainers.${trainerId}.${field}`);
}

/**
 * `value` checked against a technique's schema: an unknown field, a wrong
 * type or a missing field is a MoltError naming trainers.<id>.<field>.
 */
export function parseHyperparameters<T>(trainerId: string, schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issueField(issue);
  if (issue.code === 'unrecognized_keys') {
    const known = schema instanceof z.ZodObject ? Object.keys(schema.shape).sort().join(', ') : '';
    throw hyperparameterError(trainerId, field, `is not a hyperparameter of '${trainerId}'${known ? ` (its fields: ${known})` : ''}`);
  }
  throw hyperparameterError(trainerId, field, `is invalid: ${issue.message}`);
}

/** The shared fields checked together (whoever wrote the trainer; an objective checks its own). */
export function validateHyperparameters(h: TrainerHyperparameters, t: Pick<Trainer, 'id' | 'mixed'>): void {
  const fail = (field: string, problem: string): never => {
    throw hyperparameterError(t.id, field, problem);
  };
  for (const f of ['steps', 'batchSize', 'checkpointEvery', 'logEvery'] as const) {
    if (!Number.isInteger(h[f]) || h[f] < 1) fail(f, `must be a positive integer, got ${h[f]}`);
  }
  if (!Number.isInteger(h.warmupSteps) || h.warmupSteps < 0) fail('warmupSteps', `must be a non-negative integer, got ${h.warmupSteps}`);
  if (h.warmupSteps >= h.steps) fail('warmupSteps', `(${h.warmupSteps}) must be below steps (${h.steps})`);
  // the run keeps a snapshot every checkpointEvery steps and the QER matcher chooses among them
  if (h.steps < h.checkpointEvery) fail('steps', `(${h.steps}) must be at least checkpointEvery (${h.checkpointEvery}), the spacing of the snapshots the QER matcher chooses from`);
  if (!(h.lr > 0)) fail('lr', `must be > 0, got ${h.lr}`);
  if (h.schedule !== undefined) {
    const s = LrSchedule.safeParse(h.schedule);
    if (!s.success) fail(`schedule.${issueField(s.error.issues[0])}`, `is invalid: ${s.error.issues[0].message}`);
    if (h.schedule.kind !== 'constant' && h.schedule.horizon <= h.warmupSteps) fail('schedule.horizon', `(${h.schedule.horizon}) must be above warmupSteps (${h.warmupSteps}): the decay runs from the end of warm-up to the horizon`);
  }
  if (!(h.weightDecay >= 0)) fail('weightDecay', `must be >= 0, got ${h.weightDecay}`);
  if (!(h.maxGradNorm >= 0)) fail('maxGradNorm', `must be >= 0, got ${h.maxGradNorm}`);
  if (h.adamEps !== undefined && !(h.adamEps > 0)) fail('adamEps', `must be > 0, got ${h.adamEps}`);
  if (h.lrDoublings !== undefined && !(Number.isInteger(h.lrDoublings) && h.lrDoublings >= 0)) fail('lrDoublings', `must be a non-negative integer, got ${h.lrDoublings}`);
  if (h.behaviourRepeat !== undefined && !(Number.isInteger(h.behaviourRepeat) && h.behaviourRepeat >= 1)) fail('behaviourRepeat', `must be a positive integer, got ${h.behaviourRepeat}`);
  if (h.mixRatio !== null && !(h.mixRatio >= 0)) fail('mixRatio', `must be >= 0 or null (whole general mix), got ${h.mixRatio}`);
  if (!t.mixed && h.mixRatio !== 0) fail('mixRatio', `must be 0: '${t.id}' trains on the behaviour's data only`);
  if (t.mixed && h.mixRatio === 0) fail('mixRatio', `must not be 0: '${t.id}' is a mixed technique`);
}

/** The technique's defaults for `size` with validated overrides applied (its own fields by the technique, the shared ones here too). */
export function hyperparametersFor<H extends TrainerHyperparameters>(trainer: Trainer<H>, size: string, override: unknown = {}): H {
  const h = trainer.hyperparameters(size, override ?? {});
  validateHyperparameters(h, trainer);
  return h;
}

/**
 * The shared loop's config for an organism run of `steps` (a segment ends
 * there). The schedule's horizon is its own hyperparameter, never `steps`,
 * so step s has the same rate in a run of any length.
 */
export function loopConfig(h: TrainerHyperparameters, seed: string, steps = h.steps): TrainConfig {
  const s = h.schedule ?? { kind: 'constant' as const };
  return {
    steps,
    batchSize: h.batchSize,
    schedule: s.kind === 'constant' ? { kind: 'constant', peakLr: h.lr, warmupSteps: h.warmupSteps } : { kind: s.kind, peakLr: h.lr, warmupSteps: h.warmupSteps, totalSteps: s.horizon, minLrRatio: s.minLrRatio },
    optimizer: { ...DEFAULT_ADAMW, weightDecay: h.weightDecay, maxGradNorm: h.maxGradNorm, ...(h.adamEps === undefined ? {} : { eps: h.adamEps }) },
    seed,
    logEvery: h.logEvery,
    // the organism run saves its own snapshots (run.ts); the loop saves only on stop
    checkpointEvery: 0,
  };
}

/** The fields that change the weights at a given step (steps, logging, snapshot spacing and the retry rule do not). */
export function weightIdentity<H extends TrainerHyperparameters>(h: H): Omit<H, 'steps' | 'logEvery' | 'checkpointEvery' | 'lrDoublings'> {
  const { steps: _s, logEvery: _l, checkpointEvery: _c, lrDoublings: _d, ...rest } = h;
  return rest;
}
