// Differentiable building blocks tuned for the tfjs wasm backend (STACK.md):
// - wasm's matMul with transposeA/transposeB is ~15x slower than an explicit
//   tf.transpose followed by a plain matMul, and tfjs's own matMul gradient
//   uses those flags; so every product here has a custom gradient that
//   transposes explicitly. With molt's native kernels (native-kernels.ts)
//   transposed operands are read in place, so the flags and tfjs's own
//   gradient are used instead, with no Transpose kernels at all.
// - wasm has no gradient kernel for gather: token embeddings live in
//   core/nn/embedding.ts (gather forward, one-product scatter backward).
import { tf } from './tf';
import { customOp } from './custom-op';
import { nativeKernelsActive } from './native-kernels';

/** Swap the last two axes with an explicit transpose. */
export function swapLast(x: tf.Tensor): tf.Tensor {
  const r = x.rank;
  const perm = [...Array(r).keys()];
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return tf.transpose(x, perm);
}

/**
 * Batched a @ b (rank 2..4, same batch dims) with explicit-transpose
 * gradients: da = dy @ b^T, db = a^T @ dy.
 */
const matmulExplicit = customOp<[tf.Tensor, tf.Tensor]>((a, b, save) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy, saved) => {
      const [sa, sb] = saved;
      return [tf.matMul(dy, swapLast(sb)), tf.matMul(swapLast(sa), dy)];
    },
  };
});

/** Batched a @ b (rank 2..4, same batch dims). */
export function matmul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return nativeKernelsActive() ? tf.matMul(a, b) : matmulExplicit(a, b);
}

/** Batched a @ b^T over the last two axes. */
export function matmulT(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return nativeKernelsActive() ? tf.matMul(a, b, false, true) : matmulExplicit(a, swapLast(b));
}

const linear2d = customOp<[tf.Tensor, tf.Tensor]>((x, w, save) => {
  save([x, w]);
  return {
    value: tf.matMul(x, tf.transpose(w)),
    gradFunc: (dy, saved) => {
      const [sx, sw] = saved;
      return [tf.matMul(dy, sw), tf.matMul(tf.transpose(dy), sx)];
    },
  };
});

/**
 * y = x W^T for a weight in Hugging Face layout [out, in]; x is [..., in].
 * Gradients go through plain (untransposed-flag) matMuls.
 */
export function linear(x: tf.Tensor, w: tf.Tensor): tf.Tensor {
  const inDim = x.shape[x.rank - 1];
  if (w.shape[1] !== inDim) {
    throw new Error(`linear: input width ${inDim} does not match weight [${w.shape}]`);
  }
  const lead = x.shape.slice(0, -1);
  const x2 = x.reshape([-1, inDim]);
  const y = nativeKernelsActive() ? tf.matMul(x2, w, false, true) : linear2d(x2, w);
  return y.reshape([...lead, w.shape[0]]);
}
