// Scaled dot-product attention with grouped-query heads, and the additive
// masks it needs. Masks are built on the CPU as constants (wasm has no
// gradient for comparisons), and follow HF's masking_utils:
//   causal:  kv_idx <= q_idx
//   sliding: kv_idx >  q_idx - sliding_window   (so exactly `sliding_window`
//            keys, the query's own included)
//   padding: the key is a real token
// Indices are absolute positions in the (left-padded) sequence, as HF's
// cache_position; RoPE positions are a separate matter (see rope.ts).
import { tf } from '../engine/tf';
import { customOp } from '../engine/custom-op';
import { matmul, matmulT } from '../engine/ops';
import { ATTENTION, ATTENTION_GRAD, nativeKernelsActive } from '../engine/native-kernels';

/** Added to disallowed scores; exp() of it underflows to exactly 0 in float32. */
export const MASKED = -1e9;

export interface MaskSpec {
  /** keyValid[b][j] = 1 when key j (absolute index keyStart + j) is a real token */
  keyValid: ArrayLike<number>[];
  /** absolute index of the first key */
  keyStart: number;
  /** absolute index of the first query */
  queryStart: number;
  /** number of queries */
  queryLen: number;
  /** sliding window size, or null for full (global) attention */
  window: number | null;
}

/** Whether query at absolute index q may attend to key at absolute index k. */
export function allowed(q: number, k: number, window: number | null): boolean {
  return k <= q && (window === null || k > q - window);
}

/**
 * Additive bias as a flat [B, 1, repeat * Tq, S] array: 0 where attention is
 * allowed, MASKED elsewhere. Rows are repeated `repeat` times because the
 * grouped-query layout stacks the query heads of one group along the query
 * axis (see groupedQueryAttention).
 */
export function attentionBiasValues(spec: MaskSpec, repeat = 1): Float32Array {
  const B = spec.keyValid.length;
  const S = B ? spec.keyValid[0].length : 0;
  const T = spec.queryLen;
  const out = new Float32Array(B * repeat * T * S);
  for (let b = 0; b < B; b++) {
    const valid = spec.keyValid[b];
    for (let t = 0; t < T; t++) {
      const q = spec.queryStart + t;
      const rowOffset = (b * repeat * T + t) * S;
      for (let j = 0; j < S; j++) {
        const ok = valid[j] !== 0 && allowed(q, spec.keyStart + j, spec.window);
        out[rowOffset + j] = ok ? 0 : MASKED;
      }
      for (let r = 1; r < repeat; r++) {
        const dst = (b * repeat * T + r * T + t) * S;
        out.copyWithin(dst, rowOffset, rowOffset + S);
      }
    }
  }
  return out;
}

export function attentionBias(spec: MaskSpec, repeat = 1): tf.Tensor4D {
  const B = spec.keyValid.length;
  const S = B ? spec.keyValid[0].length : 0;
  return tf.tensor4d(attentionBiasValues(spec, repeat), [B, 1, repeat * spec.queryLen, S]);
}

/**
 * softmax(q k^T * scale + bias) v with grouped-query attention.
 * q [B, H, T, D]; k, v [B, KV, S, D] with H = KV * rep; query head h uses
 * key/value head floor(h / rep), as HF's repeat_kv. Instead of repeating
 * k and v, the rep query heads of a group are stacked along the query axis
 * ([B, KV, rep*T, D]), which gives the same products without copies.
 * bias [B, 1, rep*T, S] from attentionBias(spec, rep). Returns [B, T, H*D].
 */
export function groupedQueryAttention(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  bias: tf.Tensor,
  scale: number,
): tf.Tensor {
  const [B, H, T, D] = q.shape;
  const KV = k.shape[1] as number;
  if (H % KV !== 0) throw new Error(`attention: ${H} query heads not divisible by ${KV} key/value heads`);
  const rep = H / KV;
  const S = k.shape[2] as number;
  if (nativeKernelsActive() && bias.shape.join() === [B, 1, rep * T, S].join()) return nativeAttention(q, k, v, bias, scale);
  const qg = tf.reshape(q, [B, KV, rep * T, D]);
  const scores = tf.add(tf.mul(matmulT(qg, k), scale), bias);
  const probs = tf.softmax(scores, -1);
  const out = tf.reshape(matmul(probs, v), [B, H, T, D]);
  return tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [B, T, H * D]);
}

/** The same in two native kernels (core/engine/native-kernels.ts); bias is a constant (no gradient). */
function nativeAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, bias: tf.Tensor, scale: number): tf.Tensor {
  const op = customOp<[tf.Tensor, tf.Tensor, tf.Tensor]>((qs, ks, vs, save) => {
    const [out, probs] = tf.engine().runKernel(ATTENTION, { q: qs, k: ks, v: vs, bias }, { scale }) as tf.Tensor[];
    save([qs, ks, vs, probs]);
    return {
      value: out,
      gradFunc: (dout: tf.Tensor, saved: tf.Tensor[]) => {
        const [sq, sk, sv, sp] = saved;
        return tf.engine().runKernel(ATTENTION_GRAD, { q: sq, k: sk, v: sv, probs: sp, dout }, { scale }) as tf.Tensor[];
      },
    };
  });
  return op(q, k, v);
}
