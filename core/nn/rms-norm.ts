// RMSNorm as Hugging Face defines it for OLMo2 and Gemma3: statistics over
// the last axis, computed from the input itself.
import { tf } from '../engine/tf';

/** x / sqrt(mean(x^2) + eps), no weight. */
export function rmsNormalize(x: tf.Tensor, eps: number): tf.Tensor {
  const meanSquare = tf.mean(tf.square(x), -1, true);
  return tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps)));
}

/** OLMo2 (T5/Llama style): w * x / sqrt(mean(x^2) + eps), w initialised to ones. */
export function rmsNorm(x: tf.Tensor, w: tf.Tensor, eps: number): tf.Tensor {
  return tf.mul(rmsNormalize(x, eps), w);
}

/**
 * Gemma3: (1 + w) * x / sqrt(mean(x^2) + eps), w initialised to zeros so the
 * norm starts as the identity scale.
 */
export function rmsNormOnePlus(x: tf.Tensor, w: tf.Tensor, eps: number): tf.Tensor {
  return tf.mul(rmsNormalize(x, eps), tf.add(w, 1));
}

export type RmsNormKind = 'plain' | 'one_plus';

export function applyRmsNorm(kind: RmsNormKind, x: tf.Tensor, w: tf.Tensor, eps: number): tf.Tensor {
  return kind === 'plain' ? rmsNorm(x, w, eps) : rmsNormOnePlus(x, w, eps);
}
