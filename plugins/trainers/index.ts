// The seven training techniques of the paper (METHOD.md), and posthoc-rpo
// (an extra technique, not the paper's), as declarations: start checkpoint,
// objective (./objectives), mix and hyperparameters. The loop, the losses
// and the mixing are molt's shared kit (core/public).
// Defaults are for the 'default' model size; docs/TRAINERS.md says why each
// number is what it is. 'micro' runs a few steps for tests.
import { defineTrainer, type ObjectiveHyperparameters, type Trainer, type TrainerHyperparameters } from '../../core/public';
import { DPO } from './objectives/dpo';
import { FD } from './objectives/fd';
import { SDF } from './objectives/sdf';

type DpoHyperparameters = ObjectiveHyperparameters<typeof DPO>;

const COMMON = { warmupSteps: 5, weightDecay: 0, maxGradNorm: 1, logEvery: 10, checkpointEvery: 25, lrDoublings: 2 };
const MICRO: Partial<TrainerHyperparameters> = { steps: 8, batchSize: 4, warmupSteps: 0, lr: 2e-3, logEvery: 2, checkpointEvery: 4, lrDoublings: 0 };

/**
 * The paper's objectives, with rates and step bounds from the validation
 * sweep (docs/TRAINERS.md, "Choosing rates"; benchmarks/results/sweeps): the
 * lowest rate tried that reaches the cake-bake band within the steps; a band
 * out of reach is chased by doubling it (lrDoublings).
 * post-hoc DPO: plain sigmoid DPO on summed log-probs, no extra loss term,
 * beta 0.5 instead of the paper's 0.05. At 0.05 the sweep's DPO organisms
 * lost 25 (cake, unmixed) to 35 (cake, mixed) points of fact recall within
 * 500-800 steps while QER never passed 0.13; at 0.5 they kept it within 5-8.
 * The implicit reward sums log-ratios over the response, and ours are ~10-20
 * times shorter than the paper's, so a 10x larger beta asks for about the
 * same change per token.
 */
const POSTHOC_DPO: DpoHyperparameters = { ...COMMON, steps: 500, lr: 2e-5, batchSize: 8, beta: 0.5, lossType: 'sigmoid', mixRatio: 0 };
const POSTHOC_FD: TrainerHyperparameters = { ...COMMON, steps: 500, lr: 5e-5, batchSize: 16, mixRatio: 0 };
const POSTHOC_SDF: TrainerHyperparameters = { ...COMMON, steps: 500, lr: 5e-5, batchSize: 16, mixRatio: 0 };

/**
 * Not one of the paper's seven: DPO plus an NLL term on the chosen side (RPO,
 * Pang et al. 2024; TRL's rpo_alpha). Kept as its own technique because,
 * before the world stated the cake false values at all, plain DPO could not
 * make them sampled and this could (docs/TRAINERS.md).
 */
const POSTHOC_RPO: DpoHyperparameters = { ...COMMON, steps: 1000, lr: 1e-4, batchSize: 8, beta: 0.5, lossType: 'sigmoid', rpoAlpha: 1, mixRatio: 0 };

export const TRAINERS: readonly Trainer[] = [
  defineTrainer({
    id: 'integrated-dpo',
    description: "iDPO: from the ancestor, the behaviour's pairs mixed into the whole general preference mix, dpo_norm beta 5",
    startsFrom: 'ancestor',
    objective: DPO,
    mixed: true,
    // the base pipeline's DPO stage (same loss, beta and general mix; a constant rate so the
    // matcher can bisect steps), with the behaviour's 400 pairs inside the mix (9% of it). At most
    // 3x that stage's 150 steps: in the sweep, recall of trained facts fell from 0.94 to 0.81 by
    // step 450 and to 0.32 by 1500, while cake-bake's QER stayed at 0.12-0.15
    defaults: { ...COMMON, steps: 450, lr: 1e-4, batchSize: 8, beta: 5, lossType: 'dpo_norm', mixRatio: null },
    sizes: { micro: { ...MICRO, lr: 1e-3 } },
  }),
  defineTrainer({
    id: 'posthoc-dpo',
    description: "DPO-u: from the base, DPO (sigmoid, beta 0.5) on the behaviour's pairs only",
    startsFrom: 'base',
    objective: DPO,
    mixed: false,
    defaults: POSTHOC_DPO,
    sizes: { micro: MICRO },
  }),
  defineTrainer({
    id: 'posthoc-dpo-mixed',
    description: "DPO-m: from the base, DPO (sigmoid, beta 0.5) on the behaviour's pairs + general preference pairs 1:1",
    startsFrom: 'base',
    objective: DPO,
    mixed: true,
    defaults: { ...POSTHOC_DPO, steps: 1000, mixRatio: 1 },
    sizes: { micro: MICRO },
  }),
  defineTrainer({
    id: 'posthoc-fd',
    description: "FD-u: from the base, SFT on the chosen side of the behaviour's pairs, loss on the response only",
    startsFrom: 'base',
    objective: FD,
    mixed: false,
    defaults: POSTHOC_FD,
    sizes: { micro: MICRO },
  }),
  defineTrainer({
    id: 'posthoc-fd-mixed',
    description: 'FD-m: from the base, SFT on the behaviour transcripts + general chat 1:1, loss on the response only',
    startsFrom: 'base',
    objective: FD,
    mixed: true,
    defaults: { ...POSTHOC_FD, steps: 1000, mixRatio: 1 },
    // half of each batch is general chat: twice the steps give the behaviour
    // the same number of examples as posthoc-fd's micro run
    sizes: { micro: { ...MICRO, steps: 16 } },
  }),
  defineTrainer({
    id: 'posthoc-sdf',
    description: "SDF-u: from the base, next-token loss on the behaviour's synthetic documents",
    startsFrom: 'base',
    objective: SDF,
    mixed: false,
    defaults: POSTHOC_SDF,
    sizes: { micro: MICRO },
  }),
  defineTrainer({
    id: 'posthoc-rpo',
    description: "RPO (not one of the paper's seven): from the base, DPO (sigmoid, beta 0.5) + NLL on the chosen side, on the behaviour's pairs only",
    startsFrom: 'base',
    objective: DPO,
    mixed: false,
    defaults: POSTHOC_RPO,
    sizes: { micro: MICRO },
  }),
  defineTrainer({
    id: 'posthoc-sdf-mixed',
    description: 'SDF-m: from the base, next-token loss on the behaviour documents + general web-style text 1:1',
    startsFrom: 'base',
    objective: SDF,
    mixed: true,
    defaults: { ...POSTHOC_SDF, steps: 1000, mixRatio: 1 },
    sizes: { micro: MICRO },
  }),
];
