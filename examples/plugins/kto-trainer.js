// A training technique with an objective molt does not have: KTO
// (Ethayarajh et al. 2024, "KTO: Model Alignment as Prospect Theoretic
// Optimization"). It learns from unpaired answers marked desirable or
// undesirable; here each behaviour pair gives both (its chosen and its
// rejected side). For an answer y to prompt x, with r = log pi(y|x) -
// log pi_ref(y|x) summed over the answer's tokens and z0 a reference point:
//   desirable:   w_d * (1 - sigmoid(beta * (r - z0)))
//   undesirable: w_u * (1 - sigmoid(beta * (z0 - r)))
// averaged over the batch. The paper estimates z0 (a KL term, clamped at 0
// and not differentiated) on mismatched prompt-answer pairs; this file uses
// the batch's own mean log-ratio, clamped at 0, a simpler estimate.
// Its own hyperparameters (beta, desirableWeight, undesirableWeight) are a
// zod schema; the rate follows a cosine schedule after warm-up. The
// reference log-probs come per batch from the run's frozen start model
// (TrainerInput.reference()), not precomputed.
'use strict';

exports.register = (molt) => {
  const { defineObjective, defineTrainer, z, tf, behaviourPreferences, mixWithGeneral, sequenceOptions, collate, batchTensors, sequenceLogProbs, referenceSequenceLogProbs } = molt.lib;

  const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

  const kto = defineObjective({
    id: 'kto',
    description: 'KTO on unpaired desirable (chosen) and undesirable (rejected) answers, reference point from the batch',
    hyperparameters: {
      beta: z.number().positive(),
      desirableWeight: z.number().positive(),
      undesirableWeight: z.number().positive(),
    },
    async plan(input) {
      const h = input.hparams;
      const mixed = mixWithGeneral(input, behaviourPreferences(input), () => input.general.preferences(), 'kto');
      const examples = mixed.examples.flatMap((p) => [
        { seq: p.chosen, desirable: 1 },
        { seq: p.rejected, desirable: 0 },
      ]);
      const reference = await input.reference();
      const opts = sequenceOptions(input);
      return {
        objective: {
          kind: 'kto',
          size: examples.length,
          makeBatch(indices) {
            const rows = indices.map((i) => examples[i]);
            const seqs = collate(rows.map((r) => r.seq), opts.padId, opts.maxLength);
            return { seqs, desirable: Float32Array.from(rows, (r) => r.desirable), ref: referenceSequenceLogProbs(reference, seqs) };
          },
          tokens: (b) => b.seqs.tokens,
          loss(model, b) {
            const t = batchTensors(b.seqs);
            const policy = sequenceLogProbs(model.forward(t.ids).logits, t.targets, t.weights).sum;
            const r = tf.sub(policy, tf.tensor1d(b.ref));
            // read back, so z0 is a constant of the step: no gradient flows through it
            const z0 = Math.max(0, mean(Array.from(r.dataSync())));
            const d = tf.tensor1d(b.desirable);
            const u = tf.sub(1, d);
            const value = tf.add(tf.mul(d, tf.sigmoid(tf.mul(tf.sub(r, z0), h.beta))), tf.mul(u, tf.sigmoid(tf.mul(tf.sub(z0, r), h.beta))));
            const weight = tf.add(tf.mul(d, h.desirableWeight), tf.mul(u, h.undesirableWeight));
            const loss = tf.mean(tf.mul(weight, tf.sub(1, value)));
            return { loss, diagnostics: [tf.mul(r, h.beta), d, tf.tensor1d([z0])] };
          },
          describe([rewards, desirable, z0]) {
            const pick = (flag) => Array.from(rewards).filter((_, i) => desirable[i] === flag);
            return { 'rewards/desirable': mean(pick(1)), 'rewards/undesirable': mean(pick(0)), kl: z0[0] };
          },
        },
        mix: { unit: 'answers', behaviour: 2 * mixed.behaviour, general: 2 * mixed.general },
        notes: { loss: 'kto', beta: h.beta, desirable_weight: h.desirableWeight, undesirable_weight: h.undesirableWeight, reference: 'per batch, frozen start model', general_cycled: mixed.cycled },
      };
    },
  });

  const trainer = defineTrainer({
    id: 'posthoc-kto',
    description: "KTO from the base on the behaviour's pairs as unpaired answers, cosine schedule",
    startsFrom: 'base',
    objective: kto,
    mixed: false,
    // the cosine's horizon is fixed (here the step bound), never the run's length: the QER matcher
    // and a null organism's shorter run see the same rate at every step
    defaults: {
      steps: 500, lr: 5e-5, warmupSteps: 10, schedule: { kind: 'cosine', horizon: 500, minLrRatio: 0.1 }, batchSize: 16,
      weightDecay: 0, maxGradNorm: 1, mixRatio: 0, checkpointEvery: 25, logEvery: 10, lrDoublings: 2,
      beta: 0.5, desirableWeight: 1, undesirableWeight: 1,
    },
    sizes: { micro: { steps: 8, batchSize: 8, warmupSteps: 1, lr: 2e-3, schedule: { kind: 'cosine', horizon: 8, minLrRatio: 0.1 }, logEvery: 2, checkpointEvery: 4, lrDoublings: 0 } },
  });
  molt.register({ kind: 'trainer', id: trainer.id, description: trainer.description, instance: trainer });
};
