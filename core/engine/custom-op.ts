// tf.customGrad with fixed tensor arguments. tfjs types its callback as
// variadic (Tensor | GradSaveFunc)[], so every custom-gradient op needed the
// same two casts; they live here once.
import { tf } from './tf';

export interface CustomOpResult {
  value: tf.Tensor;
  /** the inputs' gradients in order (a single tensor for a one-input op); `saved` is what the forward saved */
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}

/** A differentiable op from a forward that returns its value and gradient function. */
export function customOp<Args extends tf.Tensor[]>(forward: (...args: [...Args, tf.GradSaveFunc]) => CustomOpResult): (...args: Args) => tf.Tensor {
  return tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...args: Args) => tf.Tensor;
}
