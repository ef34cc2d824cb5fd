// Residual-stream statistics the probes share: generic chat sequences with
// their assistant-turn anchor, the layers at given fractions of depth, and
// mean residuals per (layer, position relative to the anchor) with the mean
// residual norm per layer (rbar, for norm-matched steering).
import { tf } from '../engine/tf';
import { MoltError } from '../errors';
import { padRight } from '../data/chat-template';
import { chatFormat } from '../data/chat-format';
import type { DataSource, Split } from '../data/types';
import { hookName, type CausalLM } from '../model/types';
import type { TextTokenizer } from '../tokenizer/types';

/** Token sequences with, per sequence, the index of its assistant header's last token (relative position 0; molt's <|assistant|>). */
export interface AnchoredSequences {
  ids: number[][];
  anchors: number[];
  /** where each came from (chat example ids) */
  sources: string[];
}

/**
 * The world's general chat (a split, default val) as full conversations,
 * user turn + the world's own answer, cut to maxLen tokens: both models read
 * the SAME text, so activation differences come from the weights alone.
 */
export function genericChatSequences(world: DataSource, tok: TextTokenizer, opts: { count: number; maxLen: number; split?: Split }): AnchoredSequences {
  const split = opts.split ?? 'val';
  const chats = world.data('chat', split);
  const out: AnchoredSequences = { ids: [], anchors: [], sources: [] };
  const format = chatFormat(tok);
  for (const c of chats) {
    if (out.ids.length >= opts.count) break;
    const { ids, anchor } = format.conversation(c.messages, { maxLen: opts.maxLen });
    if (anchor < 0) continue; // the user turn alone filled maxLen
    out.ids.push(ids);
    out.anchors.push(anchor);
    out.sources.push(c.id);
  }
  if (out.ids.length === 0) throw new MoltError(`probe: the data has no usable general chat in split '${split}'`, `chat/${split}`);
  return out;
}

/**
 * resid_post layer indices at fractions of depth. A fraction f < 1 takes
 * floor(f * L) blocks (at least 1), f = 1 all L, so '~96%' is the
 * penultimate block for small L (L = 16: 8, 15, 16 blocks; L = 4: 2, 3, 4
 * blocks = indices 1, 2, 3; L = 2: indices 0, 1). Duplicates are dropped.
 */
export function layersAtFractions(numLayers: number, fractions: readonly number[]): number[] {
  const out = new Set<number>();
  for (const f of fractions) {
    if (!(f > 0 && f <= 1)) throw new MoltError(`probe: a layer fraction must be in (0, 1], got ${f}`, 'layerFractions');
    const blocks = f >= 1 ? numLayers : Math.max(1, Math.floor(f * numLayers));
    out.add(blocks - 1);
  }
  return [...out].sort((a, b) => a - b);
}

export interface MeanResiduals {
  layers: number[];
  /** relative positions start..end (inclusive) */
  positions: number[];
  hidden: number;
  /** per layer: [positions x hidden] means (rows with count 0 are zero) */
  mean: Map<number, Float32Array>;
  /** sequences contributing to each relative position */
  counts: number[];
  /** per layer: mean L2 norm of the residual over every counted (sequence, position) */
  meanNorm: Map<number, number>;
}

/**
 * Mean resid_post activations per layer and relative position, over the
 * sequences (right-padded batches with an attention mask). Optional
 * per-sequence difference against a second model is done by the caller
 * (the mean of differences is the difference of means on the same tokens).
 */
export function meanResiduals(model: CausalLM, seqs: AnchoredSequences, layers: readonly number[], range: { start: number; end: number }, batchSize = 16, pad = 0): MeanResiduals {
  const d = model.hiddenSize;
  const positions: number[] = [];
  for (let p = range.start; p <= range.end; p++) positions.push(p);
  const P = positions.length;
  const sums = new Map(layers.map((l) => [l, new Float64Array(P * d)]));
  const normSums = new Map(layers.map((l) => [l, 0]));
  const counts = new Array<number>(P).fill(0);
  const hooks = layers.map((l) => hookName(l, 'hook_resid_post'));
  for (let s = 0; s < seqs.ids.length; s += batchSize) {
    const rows = seqs.ids.slice(s, s + batchSize);
    const { rows: padded, mask } = padRight(rows, pad);
    const T = padded[0].length;
    const idT = tf.tensor2d(padded, [rows.length, T], 'int32');
    const maskT = tf.tensor2d(mask, [rows.length, T], 'float32');
    const res = model.forward(idT, { capture: hooks, attentionMask: maskT, lastOnly: true });
    idT.dispose();
    maskT.dispose();
    res.logits.dispose();
    const data = hooks.map((h) => {
      const t = res.captured.get(h)!;
      const v = t.dataSync() as Float32Array;
      t.dispose();
      return v;
    });
    rows.forEach((row, b) => {
      const anchor = seqs.anchors[s + b];
      positions.forEach((rel, pi) => {
        const t = anchor + rel;
        if (t < 0 || t >= row.length) return;
        if (layers.length > 0) counts[pi]++;
        layers.forEach((l, li) => {
          const src = data[li];
          const sum = sums.get(l)!;
          const off = (b * T + t) * d;
          let sq = 0;
          for (let i = 0; i < d; i++) {
            const x = src[off + i];
            sum[pi * d + i] += x;
            sq += x * x;
          }
          normSums.set(l, normSums.get(l)! + Math.sqrt(sq));
        });
      });
    });
  }
  const total = counts.reduce((a, b) => a + b, 0);
  const mean = new Map<number, Float32Array>();
  const meanNorm = new Map<number, number>();
  for (const l of layers) {
    const sum = sums.get(l)!;
    const m = new Float32Array(P * d);
    for (let pi = 0; pi < P; pi++) {
      if (counts[pi] === 0) continue;
      for (let i = 0; i < d; i++) m[pi * d + i] = sum[pi * d + i] / counts[pi];
    }
    mean.set(l, m);
    meanNorm.set(l, total > 0 ? normSums.get(l)! / total : NaN);
  }
  return { layers: [...layers], positions, hidden: d, mean, counts, meanNorm };
}

/** a - b elementwise (mean differences of two models on the same tokens). */
export function subtract(a: Float32Array, b: Float32Array): Float32Array {
  if (a.length !== b.length) throw new MoltError(`probe: cannot subtract activations of sizes ${a.length} and ${b.length} (models of different widths?)`, 'hidden_size');
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

export function l2(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}
