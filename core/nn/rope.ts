// Rotary position embedding, Hugging Face "default" rope_type: non-interleaved
// halves (rotate_half), inv_freq[i] = 1 / theta^(2i/dim), emb = cat(freqs, freqs).
// Tables are built on the CPU in float32 arithmetic mirroring torch's, so that
// angles match an fp32 PyTorch reference to the last bit or so.
import { tf } from '../engine/tf';
import { customOp } from '../engine/custom-op';
import { MoltError } from '../errors';

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
  /** [B, 1, T, D]: sin(emb) */
  sin: tf.Tensor4D;
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
        sin[base + i] = s;
        sin[base + half + i] = s;
      }
    }
  }
  return {
    cos: tf.tensor4d(cos, [B, 1, T, dim]),
    sin: tf.tensor4d(sin, [B, 1, T, dim]),
  };
}

/**
 * rotate_half as a product with a signed permutation R (D x D):
 * (x R)[i] = -x[i + D/2] for i < D/2, x[i - D/2] otherwise. One plain matMul
 * is ~5x faster on wasm than split + neg + concat, and exact (one non-zero
 * term per output). The gradient is dy R^T, again one plain matMul.
 */
const rotations = new Map<number, { r: tf.Tensor2D; rT: tf.Tensor2D }>();
function rotationMatrices(D: number): { r: tf.Tensor2D; rT: tf.Tensor2D } {
  let m = rotations.get(D);
  if (!m || m.r.isDisposed) {
    const r = new Float32Array(D * D);
    const rT = new Float32Array(D * D);
    const half = D / 2;
    for (let i = 0; i < D; i++) {
      // output column i takes input row j with sign s
      const j = i < half ? i + half : i - half;
      const s = i < half ? -1 : 1;
      r[j * D + i] = s;
      rT[i * D + j] = s;
    }
    // kept outside any tidy: these constants live as long as the process
    m = tf.tidy(() => ({ r: tf.keep(tf.tensor2d(r, [D, D])), rT: tf.keep(tf.tensor2d(rT, [D, D])) }));
    rotations.set(D, m);
  }
  return m;
}

export function rotateHalf(x: tf.Tensor): tf.Tensor {
  const D = x.shape[x.rank - 1];
  if (D % 2 !== 0) throw new MoltError(`rope: head_dim ${D} must be even`, 'head_dim');
  const { r, rT } = rotationMatrices(D);
  const op = customOp<[tf.Tensor]>((input, save) => {
    save([]);
    return {
      value: tf.reshape(tf.matMul(tf.reshape(input, [-1, D]), r), input.shape),
      gradFunc: (dy: tf.Tensor) => [tf.reshape(tf.matMul(tf.reshape(dy, [-1, D]), rT), dy.shape)],
    };
  });
  return op(x);
}

/** HF apply_rotary_pos_emb for x [B, H, T, D]: x * cos + rotate_half(x) * sin. */
export function applyRope(x: tf.Tensor, tables: RopeTables): tf.Tensor {
  return tf.add(tf.mul(x, tables.cos), tf.mul(rotateHalf(x), tables.sin));
}

export function disposeRopeTables(t: RopeTables): void {
  t.cos.dispose();
  t.sin.dispose();
}
