// Activation functions of the two architectures, written as plain tf ops so
// that tfjs derives their gradients (every op used here has a wasm kernel and
// a registered gradient).
import { tf } from '../engine/tf';

/** SiLU (swish): x * sigmoid(x). HF `hidden_act: "silu"` (OLMo2). */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(x));
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * GELU with the tanh approximation, HF `gelu_pytorch_tanh` (Gemma3):
 * 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
 */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  // x^3 as products: tf.pow and its gradient are several times slower on wasm
  const cube = tf.mul(tf.mul(x, x), x);
  const inner = tf.mul(tf.add(x, tf.mul(cube, 0.044715)), SQRT_2_OVER_PI);
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

export type ActivationName = 'silu' | 'gelu_pytorch_tanh';

export function activation(name: ActivationName): (x: tf.Tensor) => tf.Tensor {
  return name === 'silu' ? silu : geluTanh;
}
