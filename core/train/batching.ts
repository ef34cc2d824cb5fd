// From token sequences to training batches: packing for documents,
// truncation to the context, right padding, and the next-token shift.
//
// Right padding needs no attention mask for a causal model: a real token
// never attends to a later position, so pads after it cannot change it; the
// pads' own outputs get weight 0.

/** A token sequence and which of its tokens are prediction targets (1). */
export interface LmExample {
  ids: number[];
  /** lossMask[t] = 1 if token t is to be predicted (from tokens < t) */
  lossMask: number[];
}

/** Host-side batch, already shifted: row b predicts targets[b,t] at position t. */
export interface LmBatch {
  rows: number;
  length: number;
  /** int32 [rows * length], right-padded */
  ids: Int32Array;
  /** ids shifted left by one: targets[t] = ids[t + 1]; pad at the end */
  targets: Int32Array;
  /** weights[t] = lossMask[t + 1]; 0 on pads and the last position */
  weights: Float32Array;
  /** real (non-pad) tokens in the batch */
  tokens: number;
  /** weighted target tokens in the batch */
  targetTokens: number;
}

/** Keep the first maxLength tokens. */
export function truncateExample(ex: LmExample, maxLength: number): LmExample {
  if (ex.ids.length !== ex.lossMask.length) {
    throw new Error(`example has ${ex.ids.length} ids but ${ex.lossMask.length} mask entries`);
  }
  if (ex.ids.length <= maxLength) return ex;
  return { ids: ex.ids.slice(0, maxLength), lossMask: ex.lossMask.slice(0, maxLength) };
}

/**
 * Concatenate documents (each already wrapped, e.g. <bos> ... <eos>) into
 * one stream and cut it into windows of `context` tokens, every token a
 * target. The last window keeps what is left if it has at least 2 tokens.
 */
export function packDocuments(docs: readonly (readonly number[])[], context: number): LmExample[] {
  if (!(context >= 2)) throw new Error(`packDocuments: context must be >= 2, got ${context}`);
  const stream: number[] = [];
  for (const d of docs) for (const id of d) stream.push(id);
  const out: LmExample[] = [];
  for (let s = 0; s < stream.length; s += context) {
    const ids = stream.slice(s, s + context);
    if (ids.length < 2) break;
    out.push({ ids, lossMask: ids.map(() => 1) });
  }
  return out;
}

/**
 * Right-pad examples to the longest (after truncation to maxLength) and
 * shift for next-token prediction.
 */
export function collate(examples: readonly LmExample[], padId: number, maxLength: number): LmBatch {
  if (examples.length === 0) throw new Error('collate: no examples');
  const rows = examples.map((e) => truncateExample(e, maxLength));
  const length = Math.max(...rows.map((r) => r.ids.length));
  const n = rows.length * length;
  const ids = new Int32Array(n).fill(padId);
  const targets = new Int32Array(n).fill(padId);
  const weights = new Float32Array(n);
  let tokens = 0;
  let targetTokens = 0;
  rows.forEach((r, b) => {
    const o = b * length;
    const len = r.ids.length;
    tokens += len;
    for (let t = 0; t < len; t++) ids[o + t] = r.ids[t];
    for (let t = 0; t + 1 < len; t++) {
      targets[o + t] = r.ids[t + 1];
      weights[o + t] = r.lossMask[t + 1] ? 1 : 0;
      targetTokens += weights[o + t];
    }
  });
  return { rows: rows.length, length, ids, targets, weights, tokens, targetTokens };
}
