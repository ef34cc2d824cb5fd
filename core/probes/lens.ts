// The logit lens (METRICS.md): z = W_U . FinalNorm(h), with the final norm's
// statistics computed from h ITSELF (each vector is normalised by its own
// RMS, never by another layer's), so at the last layer the lens of the
// residual equals the model's logits.
import { tf } from '../engine/tf';
import { tidyRead } from '../engine/tidy-read';
import type { CausalLM } from '../model/types';

/** Logits of the lens for `rows` vectors of the model's width, laid out [rows x d]: returns [rows x V]. */
export function lensLogits(model: CausalLM, vectors: Float32Array, rows: number): Float32Array {
  return tidyRead(() => {
    const x = tf.tensor2d(vectors, [rows, model.hiddenSize]);
    return model.unembed(model.finalNorm(x));
  }) as Float32Array;
}

/** Softmax of each row of [rows x V] logits (float64 accumulation). */
export function softmaxRows(logits: Float32Array, rows: number, V: number): Float32Array {
  const out = new Float32Array(rows * V);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let i = 0; i < V; i++) max = Math.max(max, logits[r * V + i]);
    let sum = 0;
    for (let i = 0; i < V; i++) sum += Math.exp(logits[r * V + i] - max);
    for (let i = 0; i < V; i++) out[r * V + i] = Math.exp(logits[r * V + i] - max) / sum;
  }
  return out;
}

/** Token ids of one row sorted by value, highest first (ties by id), cut to `k` (default all). */
export function rankRow(values: ArrayLike<number>, offset: number, V: number, k = V): number[] {
  const ids = Array.from({ length: V }, (_, i) => i);
  ids.sort((a, b) => values[offset + b] - values[offset + a] || a - b);
  return ids.slice(0, k);
}
