// RMSNorm as Hugging Face defines it for OLMo2 and Gemma3: statistics over
// the last axis, computed from the input itself.
import { tf } from '../engine/tf';
import { customOp } from '../engine/custom-op';
import { nativeKernelsActive, RMS_NORM, RMS_NORM_GRAD } from '../engine/native-kernels';

/** x / sqrt(mean(x^2) + eps), no weight. */
export function rmsNormalize(x: tf.Tensor, eps: number): tf.Tensor {
  const meanSquare = tf.mean(tf.square(x), -1, true);
  return tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps)));
}

/** OLMo2 (T5/Llama style): w * x / sqrt(mean(x^2) + eps), w initialised to ones. */
export function rmsNorm(x: tf.Tensor, w: tf.Tensor, eps: number): tf.Tensor {
  if (fusable(x, w)) return nativeRmsNorm(x, w, eps, false);
  return tf.mul(rmsNormalize(x, eps), w);
}

/**
 * Gemma3: (1 + w) * x / sqrt(mean(x^2) + eps), w initialised to zeros so the
 * norm starts as the identity scale.
 */
export function rmsNormOnePlus(x: tf.Tensor, w: tf.Tensor, eps: number): tf.Tensor {
  if (fusable(x, w)) return nativeRmsNorm(x, w, eps, true);
  return tf.mul(rmsNormalize(x, eps), tf.add(w, 1));
}

/** The native kernels take a weight over the last axis only. */
function fusable(x: tf.Tensor, w: tf.Tensor): boolean {
  return nativeKernelsActive() && w.rank === 1 && x.rank >= 1 && w.shape[0] === x.shape[x.rank - 1] && x.dtype === 'float32';
}

/** Both norms as two native kernels (core/engine/native-kernels.ts), with the gradient for x and w. */
function nativeRmsNorm(x: tf.Tensor, w: tf.Tensor, eps: number, onePlus: boolean): tf.Tensor {
  const op = customOp<[tf.Tensor, tf.Tensor]>((xs, ws, save) => {
    const [y, rstd] = tf.engine().runKernel(RMS_NORM, { x: xs, w: ws }, { eps, onePlus }) as tf.Tensor[];
    save([xs, ws, rstd]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(RMS_NORM_GRAD, { x: saved[0], w: saved[1], rstd: saved[2], dy }, { onePlus }) as tf.Tensor[],
    };
  });
  return op(x, w);
}

export type RmsNormKind = 'plain' | 'one_plus';

export function applyRmsNorm(kind: RmsNormKind, x: tf.Tensor, w: tf.Tensor, eps: number): tf.Tensor {
  return kind === 'plain' ? rmsNorm(x, w, eps) : rmsNormOnePlus(x, w, eps);
}
