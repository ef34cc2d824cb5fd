// Rotary position embedding, Hugging Face "default" rope_type: non-interleaved
// halves (rotate_half), inv_freq[i] = 1 / theta^(2i/dim), emb = cat(freqs, freqs).
// Tables are built on the CPU in float32 arithmetic mirroring torch's, so that
// angles match an fp32 PyTorch reference to the last bit or so.
import { tf } from '../engine/tf';

const f32 = Math.fround;

/** inv_freq as HF computes it in float32, length dim/2. */
export function ropeInvFreq(dim: number, theta: number): Float32Array {
  if (dim % 2 !== 0) throw new Error(`rope: head_dim ${dim} must be even`);
  const out = new Float32Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) {
    const exponent = f32(f32(2 * i) / dim);
    out[i] = f32(1 / f32(Math.pow(theta, exponent)));
  }
  return out;
}

export interface RopeTables {
  /** [B, 1, T, D]: cos(emb) */
  cos: tf.Tensor4D;
  /** [B, 1, T, D]: sin(emb) with its first half negated (see applyRope) */
  sinSigned: tf.Tensor4D;
}

/**
 * cos/sin tables for integer positions [B][T] (each row may differ, e.g.
 * left padding). Not differentiated: plain constants.
 */
export function ropeTables(positions: number[][], dim: number, theta: number): RopeTables {
  const inv = ropeInvFreq(dim, theta);
  const half = dim / 2;
  const B = positions.length;
  const T = B ? positions[0].length : 0;
  const cos = new Float32Array(B * T * dim);
  const sin = new Float32Array(B * T * dim);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const base = (b * T + t) * dim;
      const p = positions[b][t];
      for (let i = 0; i < half; i++) {
        const angle = f32(inv[i] * p);
        const c = Math.cos(angle);
        const s = Math.sin(angle);
        cos[base + i] = c;
        cos[base + half + i] = c;
        sin[base + i] = -s;
        sin[base + half + i] = s;
      }
    }
  }
  return {
    cos: tf.tensor4d(cos, [B, 1, T, dim]),
    sinSigned: tf.tensor4d(sin, [B, 1, T, dim]),
  };
}

/** cat(x2, x1): the halves of the last axis swapped. */
function swapHalves(x: tf.Tensor): tf.Tensor {
  const [x1, x2] = tf.split(x, 2, -1);
  return tf.concat([x2, x1], -1);
}

/**
 * x * cos + rotate_half(x) * sin for x [B, H, T, D].
 * rotate_half(x) = cat(-x2, x1) = swapHalves(x) * [-1.., +1..], and the sign
 * is folded into sinSigned.
 */
export function applyRope(x: tf.Tensor, tables: RopeTables): tf.Tensor {
  return tf.add(tf.mul(x, tables.cos), tf.mul(swapHalves(x), tables.sinSigned));
}

export function disposeRopeTables(t: RopeTables): void {
  t.cos.dispose();
  t.sinSigned.dispose();
}
