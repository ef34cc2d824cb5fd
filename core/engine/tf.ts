// The one place molt takes TensorFlow.js from: tfjs-core plus every gradient,
// so that a backend package loaded later registers into the same engine.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';

export { tf };
export type Tensor = tf.Tensor;
