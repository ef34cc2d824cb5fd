// A training technique in two declarations, so that a new objective with new
// hyperparameters is one file outside core:
//   defineObjective: an id, the schema of the objective's own hyperparameters
//     (zod) and its plan: the examples, the mix and the loss of one run;
//   defineTrainer: a start checkpoint, an objective, whether general data is
//     mixed in, and the hyperparameter values (per model size).
// The loop, the optimizer, the schedules, the snapshots and the QER matcher
// are shared (core/train, core/organisms); so is the training kit the plans
// are written with (./training-kit.ts, exported by core/public).
import { z } from 'zod';
import { MoltError } from '../errors';
import type { Trainer, TrainerHyperparameters, TrainerInput, TrainingPlan } from '../plugins/types';
import { COMMON_HYPERPARAMETERS, hyperparameterError, parseHyperparameters, validateHyperparameters } from './hparams';

/** The hyperparameters of an objective whose own fields have the zod shape S. */
export type HyperparametersOf<S extends z.ZodRawShape> = keyof S extends never ? TrainerHyperparameters : TrainerHyperparameters & z.infer<z.ZodObject<S>>;

export interface ObjectiveSpec<S extends z.ZodRawShape> {
  /** recorded as the organism's objective and part of its key: 'dpo', 'kto', ... */
  id: string;
  description: string;
  /** zod schemas of the objective's own hyperparameters (besides the shared steps, lr, schedule, mix, ...) */
  hyperparameters?: S;
  /** checks across its own fields that the schema cannot say; `fail` names trainers.<id>.<field> */
  check?(h: HyperparametersOf<S>, fail: (field: string, problem: string) => never): void;
  /** one run's plan: the examples (mixed as the hyperparameters say), the loss (an Objective) and notes for molt.json */
  plan(input: TrainerInput<HyperparametersOf<S>>): Promise<TrainingPlan>;
}

export interface ObjectiveDefinition<H extends TrainerHyperparameters = TrainerHyperparameters> {
  readonly id: string;
  readonly description: string;
  /** the shared fields and the objective's own, strict (an unknown field is an error) */
  readonly schema: z.ZodType<H>;
  check(h: H, fail: (field: string, problem: string) => never): void;
  plan(input: TrainerInput<H>): Promise<TrainingPlan>;
}

/** The hyperparameter type of an objective (defineObjective's result). */
export type ObjectiveHyperparameters<O> = O extends ObjectiveDefinition<infer H> ? H : never;

const OBJECTIVE_ID = /^[a-z0-9][a-z0-9._-]*$/;

export function defineObjective<S extends z.ZodRawShape = {}>(spec: ObjectiveSpec<S>): ObjectiveDefinition<HyperparametersOf<S>> {
  if (typeof spec.id !== 'string' || !OBJECTIVE_ID.test(spec.id)) throw new MoltError(`defineObjective: id ${JSON.stringify(spec.id)} must be lower-case letters, digits, '.', '_' or '-'`, String(spec.id));
  const own = spec.hyperparameters ?? ({} as S);
  const shared = Object.keys(own).filter((k) => k in COMMON_HYPERPARAMETERS);
  if (shared.length > 0) throw new MoltError(`objective '${spec.id}': hyperparameters ${shared.join(', ')} are shared by every technique and cannot be redefined`, spec.id);
  return {
    id: spec.id,
    description: spec.description,
    schema: z.object({ ...COMMON_HYPERPARAMETERS, ...own }).strict() as unknown as z.ZodType<HyperparametersOf<S>>,
    check: (h, fail) => spec.check?.(h, fail),
    plan: (input) => spec.plan(input),
  };
}

export interface TrainerSpec<H extends TrainerHyperparameters> {
  id: string;
  description: string;
  startsFrom: 'base' | 'ancestor';
  objective: ObjectiveDefinition<H>;
  mixed: boolean;
  /** at the default model size */
  defaults: H;
  /** per other size: changes from the defaults (micro: a few steps for tests) */
  sizes?: Record<string, Partial<H>>;
}

export function defineTrainer<H extends TrainerHyperparameters>(spec: TrainerSpec<H>): Trainer<H> {
  const defaults = Object.freeze({ ...spec.defaults });
  const { objective } = spec;
  const defaultsFor = (size: string): H => ({ ...defaults, ...(spec.sizes?.[size] ?? {}) }) as H;
  const trainer: Trainer<H> = {
    id: spec.id,
    description: spec.description,
    startsFrom: spec.startsFrom,
    objective: objective.id,
    mixed: spec.mixed,
    defaults,
    defaultsFor,
    hyperparameters: (size: string, override: unknown = {}): H => {
      // the override alone first (every field optional), so a typo is named even when the defaults are fine
      const partial = (objective.schema as unknown as z.ZodObject).partial();
      const changes = parseHyperparameters(spec.id, partial, override ?? {}) as Partial<H>;
      const h = { ...defaultsFor(size), ...changes } as H;
      parseHyperparameters(spec.id, objective.schema, h);
      validateHyperparameters(h, trainer);
      objective.check(h, (field, problem) => {
        throw hyperparameterError(spec.id, field, problem);
      });
      return h;
    },
    prepare: (input: TrainerInput<H>): Promise<TrainingPlan> => objective.plan(input),
  };
  // a technique whose own defaults are invalid is a plugin bug: refuse it when it is defined
  for (const size of ['default', ...Object.keys(spec.sizes ?? {})]) trainer.hyperparameters(size);
  return trainer;
}
