// Reading a computed tensor back into JavaScript, every intermediate freed.
// tf.tidy must not return the typed array itself: it searches whatever its
// callback returns for tensors to keep, and walks a typed array element by
// element through a Set (about a minute of CPU per [16 x 40 x 8k] array of
// log-probabilities in a steering cell). So the tensor leaves the tidy scope
// and is read and disposed outside it.
import { tf } from './tf';

/** The values of the tensor `compute` returns, with it and everything `compute` made disposed. */
export function tidyRead(compute: () => tf.Tensor): Float32Array | Int32Array | Uint8Array {
  const t = tf.tidy(compute);
  try {
    return t.dataSync();
  } finally {
    t.dispose();
  }
}
