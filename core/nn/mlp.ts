// Gated feed-forward of OLMo2 (SwiGLU) and Gemma3 (GeGLU):
// down(act(gate(x)) * up(x)), weights in HF [out, in] layout.
import { tf } from '../engine/tf';
import { customOp } from '../engine/custom-op';
import { linear } from '../engine/ops';
import { GLU, GLU_GRAD, nativeKernelsActive } from '../engine/native-kernels';
import { activation, type ActivationName } from './activations';

/** act(g) * u: one native kernel each way where the native kernels run, else tfjs ops. */
export function gatedProduct(g: tf.Tensor, u: tf.Tensor, act: ActivationName): tf.Tensor {
  if (!nativeKernelsActive()) return tf.mul(activation(act)(g), u);
  const op = customOp<[tf.Tensor, tf.Tensor]>((gs, us, save) => {
    save([gs, us]);
    return {
      value: tf.engine().runKernel(GLU, { g: gs, u: us }, { act }) as tf.Tensor,
      gradFunc: (dh: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(GLU_GRAD, { g: saved[0], u: saved[1], dh }, { act }) as tf.Tensor[],
    };
  });
  return op(g, u);
}

export function gatedMlp(x: tf.Tensor, gate: tf.Tensor, up: tf.Tensor, down: tf.Tensor, act: ActivationName): tf.Tensor {
  return linear(gatedProduct(linear(x, gate), linear(x, up), act), down);
}
