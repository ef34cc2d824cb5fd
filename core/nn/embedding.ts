// Token embedding for the training path on wasm. The forward is a gather
// (exact rows); the backward scatters with one product
// dW = onehot(ids)^T @ dy, the one-hot built transposed as a constant.
// ops.embed (oneHot x W through tf.matMul) is correct but its gradient takes
// tfjs's transposeA path, which measured ~120 ms per step at V 512, N 1024
// (about 40% of a default-size training step); this is ~2 ms. With the
// native kernels (native/embedding.h) both directions are a row copy and a
// scatter-add, with no one-hot product at all.
import { tf } from '../engine/tf';
import { customOp } from '../engine/custom-op';
import { EMBEDDING_GATHER, EMBEDDING_SCATTER_ADD, nativeKernelsActive } from '../engine/native-kernels';

/**
 * padId: like torch's nn.Embedding(padding_idx) that HF models build, the
 * padding row receives no gradient from the embedding lookup (a tied
 * unembedding still trains it, as in HF).
 */
export function embedTokens(ids: tf.Tensor, w: tf.Tensor, padId: number | null = null): tf.Tensor {
  const [vocab, d] = w.shape as [number, number];
  const flat = tf.reshape(ids, [-1]);
  const flatInt = flat.dtype === 'int32' ? flat : tf.cast(flat, 'int32');
  if (nativeKernelsActive()) return tf.reshape(nativeEmbed(w, flatInt, vocab, padId), [...ids.shape, d]);
  const op = customOp<[tf.Tensor]>((weight, save) => {
    save([flatInt]);
    return {
      value: tf.gather(weight, flatInt),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        // int32 one-hot then a cast: wasm's OneHot ignores dtype 'float32'
        // (it writes integer bits into a float buffer)
        // oneHot of -1 is an all-zero row: that is how the pad row is skipped
        const scatterIds = padId === null ? saved[0] : tf.where(tf.equal(saved[0], padId), tf.fill(saved[0].shape, -1, 'int32'), saved[0]);
        const ohT = tf.transpose(tf.cast(tf.oneHot(scatterIds, vocab), 'float32'));
        return [tf.matMul(ohT, dy)];
      },
    };
  });
  const gathered = op(w);
  return tf.reshape(gathered, [...ids.shape, d]);
}

/** The same as two native kernels: a row copy forward, a scatter-add of dy rows backward (no one-hot product). */
function nativeEmbed(w: tf.Tensor, ids: tf.Tensor, vocab: number, padId: number | null): tf.Tensor {
  const op = customOp<[tf.Tensor]>((weight, save) => {
    save([ids]);
    return {
      value: tf.engine().runKernel(EMBEDDING_GATHER, { table: weight, ids }) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.engine().runKernel(EMBEDDING_SCATTER_ADD, { dy, ids: saved[0] }, { vocab, skipId: padId ?? -1 }) as tf.Tensor],
    };
  });
  return op(w);
}
