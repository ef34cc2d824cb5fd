// Gated feed-forward of OLMo2 (SwiGLU) and Gemma3 (GeGLU):
// down(act(gate(x)) * up(x)), weights in HF [out, in] layout.
import { tf } from '../engine/tf';
import { linear } from '../engine/ops';

export function gatedMlp(
  x: tf.Tensor,
  gate: tf.Tensor,
  up: tf.Tensor,
  down: tf.Tensor,
  act: (x: tf.Tensor) => tf.Tensor,
): tf.Tensor {
  return linear(tf.mul(act(linear(x, gate)), linear(x, up)), down);
}
