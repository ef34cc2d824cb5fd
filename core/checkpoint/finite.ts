// Weights that are NaN or infinite mean training diverged: such a model
// answers nothing (its logits are NaN), so no checkpoint holding them is
// saved or loaded, and the training loop stops when it sees them.
import type { tf } from '../engine/tf';

/**
 * What is wrong with `weights`, e.g. '138368 of 138368 weights are NaN or
 * infinite (first in model.embed_tokens.weight)'; undefined when every value
 * is finite.
 */
export function nonFiniteWeights(weights: Iterable<readonly [string, ArrayLike<number>]>): string | undefined {
  let bad = 0;
  let total = 0;
  let first = '';
  for (const [name, data] of weights) {
    total += data.length;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]) && bad++ === 0) first = name;
    }
  }
  return bad ? `${bad} of ${total} weights are NaN or infinite (first in ${first})` : undefined;
}

/** The values of each tensor, read one at a time. */
export function* valuesOf(tensors: ReadonlyMap<string, tf.Tensor>): Generator<readonly [string, ArrayLike<number>]> {
  for (const [name, t] of tensors) yield [name, t.dataSync()];
}
