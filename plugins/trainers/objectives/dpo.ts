// DPO on preference pairs against the start model (Rafailov et al. 2023):
// the behaviour's pairs, with general preference pairs at the technique's
// mix ratio; the loss 'sigmoid' (summed log-probs) or 'dpo_norm' (per-token
// mean, open-instruct's), plus RPO's NLL term on the chosen side when
// rpoAlpha > 0 (Pang et al. 2024). Reference log-probs are computed once per
// run under the start model.
import { behaviourPreferences, defineObjective, DPO_LOSS_TYPES, dpoObjective, meanOf, mixWithGeneral, referenceLogProbs, sequenceOptions, z, type DpoLossType } from '../../../core/public';

export const DPO = defineObjective({
  id: 'dpo',
  description: "DPO (sigmoid or dpo_norm) on the behaviour's pairs (+ general pairs), optionally with RPO's NLL term",
  hyperparameters: {
    beta: z.number().positive(),
    lossType: z.enum(DPO_LOSS_TYPES as [DpoLossType, ...DpoLossType[]]),
    /** weight of an NLL term on the chosen responses (RPO; 0 or absent = plain DPO) */
    rpoAlpha: z.number().nonnegative().optional(),
  },
  async plan(input) {
    const h = input.hparams;
    const mixed = mixWithGeneral(input, behaviourPreferences(input), () => input.general.preferences(), 'dpo');
    const ref = await referenceLogProbs(input, mixed.examples);
    const nb = mixed.behaviour;
    // summed log p(chosen) - log p(rejected) under the start model
    const margin = (from: number, to: number) => meanOf(Array.from({ length: to - from }, (_, i) => ref.chosen[from + i] - ref.rejected[from + i]));
    return {
      objective: dpoObjective(mixed.examples, ref, { ...sequenceOptions(input), beta: h.beta, lossType: h.lossType, rpoAlpha: h.rpoAlpha ?? 0 }),
      mix: { unit: 'pairs', behaviour: nb, general: mixed.general },
      notes: {
        loss_type: h.lossType,
        beta: h.beta,
        rpo_alpha: h.rpoAlpha ?? 0,
        general_cycled: mixed.cycled,
        ref_margin_behaviour: margin(0, nb),
        ...(mixed.general > 0 ? { ref_margin_general: margin(nb, mixed.examples.length) } : {}),
      },
    };
  },
});
