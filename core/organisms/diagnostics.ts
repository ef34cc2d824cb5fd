// Direct, sampling-free measures of how far training moved a model toward
// a behaviour: the log-prob margin of the behaviour's chosen responses over
// the rejected ones, and an objective's own loss on its examples.
import { tf } from '../engine/tf';
import type { CausalLM } from '../model/types';
import type { Objective, PreferenceExample } from '../train/objectives';
import { collate } from '../train/batching';
import { sequenceLogProbs } from '../train/losses';
import { batchTensors } from '../train/objectives';

/**
 * Mean over pairs of [log p(chosen response) - log p(rejected response)]
 * (summed over the response tokens), and the share of pairs where chosen wins.
 */
export function preferenceMargin(model: CausalLM, pairs: readonly PreferenceExample[], opts: { padId: number; maxLength: number; batchSize?: number }): { margin: number; accuracy: number; n: number } {
  const bs = opts.batchSize ?? 16;
  let sum = 0;
  let wins = 0;
  for (let s = 0; s < pairs.length; s += bs) {
    const part = pairs.slice(s, s + bs);
    const rows = [...part.map((p) => p.chosen), ...part.map((p) => p.rejected)];
    const lp = tf.tidy(() => {
      const t = batchTensors(collate(rows, opts.padId, opts.maxLength));
      return sequenceLogProbs(model.forward(t.ids).logits, t.targets, t.weights).sum;
    });
    const v = lp.dataSync();
    lp.dispose();
    for (let i = 0; i < part.length; i++) {
      const d = v[i] - v[part.length + i];
      sum += d;
      if (d > 0) wins++;
    }
  }
  return { margin: sum / pairs.length, accuracy: wins / pairs.length, n: pairs.length };
}

/** An objective's mean loss over all its examples, in batches, without gradients. */
export function objectiveLoss(model: CausalLM, objective: Objective<unknown>, batchSize = 16): number {
  let total = 0;
  let batches = 0;
  for (let s = 0; s < objective.size; s += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, objective.size - s) }, (_, i) => s + i);
    const batch = objective.makeBatch(idx);
    const loss = tf.tidy(() => {
      const out = objective.loss(model, batch);
      out.diagnostics?.forEach((d) => d.dispose());
      return out.loss;
    });
    total += loss.dataSync()[0] * idx.length;
    batches += idx.length;
    loss.dispose();
  }
  return total / batches;
}
