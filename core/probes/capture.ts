// Residual activations of a model over token sequences, gathered into one
// row-major [N, d] matrix of real (non-pad) tokens, with where each came from.
import { tf } from '../engine/tf';
import { layersAtFractions } from './activations';
import { hookName, type CausalLM } from '../model/types';
import { padRight } from '../data/chat-template';

/** The residual stream after `layer` blocks (resid_post of block layer - 1), chosen as the other probes choose layers. */
export interface DepthHook {
  /** blocks before the read point, 1..L */
  layer: number;
  /** layer / L, as a percentage */
  percent: number;
  hook: string;
}

/** The read point at a fraction of depth: floor(f * L) blocks, at least 1 (layersAtFractions). */
export function depthHook(numLayers: number, fraction: number): DepthHook {
  const index = layersAtFractions(numLayers, [fraction])[0];
  return { layer: index + 1, percent: (100 * (index + 1)) / numLayers, hook: hookName(index, 'hook_resid_post') };
}

export interface Activations {
  /** [n, d] row-major */
  x: Float32Array;
  n: number;
  d: number;
  /** the token at each row */
  tokens: Int32Array;
  /** which sequence (index into the input) and position each row came from */
  seq: Int32Array;
  pos: Int32Array;
}

export interface CollectOptions {
  batchSize?: number;
  /** sequences are cut to this many tokens */
  maxLength?: number;
  /** leave out position 0 (<bos>: an attention-sink outlier every sequence shares) */
  skipFirst?: boolean;
  padId?: number;
}

/** Activations at `hook` for every real token of `seqs` (inference only). */
export function collectActivations(model: CausalLM, seqs: readonly (readonly number[])[], hook: string, opts: CollectOptions = {}): Activations {
  const batchSize = opts.batchSize ?? 16;
  const maxLength = opts.maxLength ?? Number(model.config.max_position_embeddings ?? 128);
  const skipFirst = opts.skipFirst ?? true;
  const padId = opts.padId ?? 0;
  const d = model.hiddenSize;
  const chunks: Float32Array[] = [];
  const tokens: number[] = [];
  const seqIdx: number[] = [];
  const posIdx: number[] = [];
  for (let s = 0; s < seqs.length; s += batchSize) {
    const batch = seqs.slice(s, s + batchSize).map((q) => q.slice(0, maxLength));
    const { rows, mask } = padRight(batch, padId);
    const T = rows[0].length;
    const acts = tf.tidy(() => {
      const ids = tf.tensor2d(rows, [rows.length, T], 'int32');
      const out = model.forward(ids, { capture: [hook], lastOnly: true });
      out.logits.dispose();
      return out.captured.get(hook)!;
    });
    const data = acts.dataSync() as Float32Array;
    acts.dispose();
    const keep: number[] = [];
    rows.forEach((row, b) => {
      for (let t = skipFirst ? 1 : 0; t < T; t++) {
        if (!mask[b][t]) continue;
        keep.push(b * T + t);
        tokens.push(row[t]);
        seqIdx.push(s + b);
        posIdx.push(t);
      }
    });
    const chunk = new Float32Array(keep.length * d);
    keep.forEach((r, j) => chunk.set(data.subarray(r * d, (r + 1) * d), j * d));
    chunks.push(chunk);
  }
  const n = tokens.length;
  const x = new Float32Array(n * d);
  let off = 0;
  for (const c of chunks) {
    x.set(c, off);
    off += c.length;
  }
  return { x, n, d, tokens: Int32Array.from(tokens), seq: Int32Array.from(seqIdx), pos: Int32Array.from(posIdx) };
}

/** Rows [from, to) of an activation set, as a new set. */
export function sliceActivations(a: Activations, from: number, to: number): Activations {
  return {
    x: a.x.slice(from * a.d, to * a.d),
    n: to - from,
    d: a.d,
    tokens: a.tokens.slice(from, to),
    seq: a.seq.slice(from, to),
    pos: a.pos.slice(from, to),
  };
}
