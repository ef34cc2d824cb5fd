// A trainer plugin is a declaration: which checkpoint it starts from, which
// objective kind, whether general data is mixed in, and its hyperparameters.
// Everything else (data, losses, loop) is the shared code of plans.ts and
// core/train.
import type { Trainer, TrainerHyperparameters, TrainerInput, TrainerObjective, TrainingPlan } from '../plugins/types';
import { PLANS } from './plans';

export interface TrainerSpec {
  id: string;
  description: string;
  startsFrom: 'base' | 'ancestor';
  objective: TrainerObjective;
  mixed: boolean;
  /** at the default model size */
  defaults: TrainerHyperparameters;
  /** per other size: changes from the defaults (micro: a few steps for tests) */
  sizes?: Record<string, Partial<TrainerHyperparameters>>;
}

export function defineTrainer(spec: TrainerSpec): Trainer {
  const defaults = Object.freeze({ ...spec.defaults });
  return {
    id: spec.id,
    description: spec.description,
    startsFrom: spec.startsFrom,
    objective: spec.objective,
    mixed: spec.mixed,
    defaults,
    defaultsFor: (size: string): TrainerHyperparameters => ({ ...defaults, ...(spec.sizes?.[size] ?? {}) }),
    prepare: (input: TrainerInput): Promise<TrainingPlan> => PLANS[spec.objective](input),
  };
}
