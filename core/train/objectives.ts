// Training objectives for the shared loop: what a batch is and what loss it
// gives. Next-token (pretraining, SFT, SDF, FD) and DPO cover every stage
// and technique; a new technique adds an Objective, not a new loop.
import { tf } from '../engine/tf';
import type { CausalLM } from '../model/types';
import { collate, type LmBatch, type LmExample } from './batching';
import { dpoLoss, dpoMetrics, maskedCrossEntropy, sequenceLogProbs, type DpoLossType } from './losses';

export interface LossOutput {
  loss: tf.Scalar;
  /** extra per-batch tensors for describe(); the loop keeps and disposes them */
  diagnostics?: tf.Tensor[];
}

export interface Objective<B = unknown> {
  /** e.g. 'next-token' or 'dpo' */
  readonly kind: string;
  /** number of training examples (one epoch) */
  readonly size: number;
  /** host-side batch for these example indices */
  makeBatch(indices: readonly number[]): B;
  /** real tokens the forward passes process (for tokens/s) */
  tokens(batch: B): number;
  /** forward pass and scalar loss; differentiable with respect to model.params */
  loss(model: CausalLM, batch: B): LossOutput;
  /** diagnostics (read back as arrays) -> named numbers for the log */
  describe?(values: Float32Array[]): Record<string, number>;
}

export interface BatchTensors {
  ids: tf.Tensor2D;
  targets: tf.Tensor2D;
  weights: tf.Tensor2D;
}

export function batchTensors(b: LmBatch): BatchTensors {
  return {
    ids: tf.tensor2d(b.ids, [b.rows, b.length], 'int32'),
    targets: tf.tensor2d(b.targets, [b.rows, b.length], 'int32'),
    weights: tf.tensor2d(b.weights, [b.rows, b.length], 'float32'),
  };
}

export interface SequenceOptions {
  padId: number;
  /** the model's context: longer examples are truncated */
  maxLength: number;
}

/**
 * Masked next-token loss: pretraining on packed documents (mask all 1) and
 * SFT on rendered chats (mask 1 on the assistant's tokens).
 */
export function nextTokenObjective(examples: readonly LmExample[], opts: SequenceOptions): Objective<LmBatch> {
  return {
    kind: 'next-token',
    size: examples.length,
    makeBatch: (indices) => collate(indices.map((i) => examples[i]), opts.padId, opts.maxLength),
    tokens: (b) => b.tokens,
    loss: (model, b) => {
      const t = batchTensors(b);
      const logits = model.forward(t.ids).logits;
      return { loss: maskedCrossEntropy(logits, t.targets, t.weights) };
    },
  };
}

/** prompt + response, with lossMask 1 on the response tokens */
export interface PreferenceExample {
  chosen: LmExample;
  rejected: LmExample;
}

/** Reference summed response log-probs per pair, computed once before training. */
export interface ReferenceLogProbs {
  chosen: Float32Array;
  rejected: Float32Array;
}

export interface DpoBatch {
  /** chosen rows first, then the rejected rows in the same order */
  seqs: LmBatch;
  pairs: number;
  refChosen: Float32Array;
  refRejected: Float32Array;
}

export interface DpoOptions extends SequenceOptions {
  beta: number;
  lossType: DpoLossType;
  /** NLL weight on the chosen responses (RPO); 0: plain DPO */
  rpoAlpha?: number;
}

/** Summed response log-probs of the chosen and rejected rows of a DPO batch. */
function pairLogProbs(model: CausalLM, b: DpoBatch) {
  const t = batchTensors(b.seqs);
  const logits = model.forward(t.ids).logits;
  const s = sequenceLogProbs(logits, t.targets, t.weights);
  const half = (x: tf.Tensor1D, from: number) => tf.slice(x, [from], [b.pairs]) as tf.Tensor1D;
  return {
    chosen: { sum: half(s.sum, 0), count: half(s.count, 0) },
    rejected: { sum: half(s.sum, b.pairs), count: half(s.count, b.pairs) },
  };
}

function makeDpoBatch(pairs: readonly PreferenceExample[], ref: ReferenceLogProbs, indices: readonly number[], opts: SequenceOptions): DpoBatch {
  const rows = [...indices.map((i) => pairs[i].chosen), ...indices.map((i) => pairs[i].rejected)];
  return {
    seqs: collate(rows, opts.padId, opts.maxLength),
    pairs: indices.length,
    refChosen: Float32Array.from(indices, (i) => ref.chosen[i]),
    refRejected: Float32Array.from(indices, (i) => ref.rejected[i]),
  };
}

/** DPO on preference pairs against cached reference log-probs. */
export function dpoObjective(pairs: readonly PreferenceExample[], ref: ReferenceLogProbs, opts: DpoOptions): Objective<DpoBatch> {
  if (ref.chosen.length !== pairs.length || ref.rejected.length !== pairs.length) {
    throw new Error(`dpoObjective: ${pairs.length} pairs but ${ref.chosen.length}/${ref.rejected.length} reference log-probs`);
  }
  return {
    kind: `dpo/${opts.lossType}${opts.rpoAlpha ? `+nll${opts.rpoAlpha}` : ''}`,
    size: pairs.length,
    makeBatch: (indices) => makeDpoBatch(pairs, ref, indices, opts),
    tokens: (b) => b.seqs.tokens,
    loss: (model, b) => {
      const lp = pairLogProbs(model, b);
      const out = dpoLoss({
        policyChosen: lp.chosen,
        policyRejected: lp.rejected,
        refChosen: tf.tensor1d(b.refChosen),
        refRejected: tf.tensor1d(b.refRejected),
        beta: opts.beta,
        lossType: opts.lossType,
        rpoAlpha: opts.rpoAlpha,
      });
      return { loss: out.loss, diagnostics: [out.chosenRewards, out.rejectedRewards] };
    },
    describe: ([chosen, rejected]) => ({ ...dpoMetrics(chosen, rejected) }),
  };
}

/**
 * Summed response log-probs of every pair under a (reference) model, in
 * batches, without gradients. Run once before DPO training.
 */
export function computeReferenceLogProbs(model: CausalLM, pairs: readonly PreferenceExample[], batchSize: number, opts: SequenceOptions): ReferenceLogProbs {
  const chosen = new Float32Array(pairs.length);
  const rejected = new Float32Array(pairs.length);
  const zeros = { chosen: new Float32Array(pairs.length), rejected: new Float32Array(pairs.length) };
  for (let s = 0; s < pairs.length; s += batchSize) {
    const idx = [...Array(Math.min(batchSize, pairs.length - s)).keys()].map((i) => s + i);
    const b = makeDpoBatch(pairs, zeros, idx, opts);
    const [c, r] = tf.tidy(() => {
      const lp = pairLogProbs(model, b);
      return [lp.chosen.sum, lp.rejected.sum];
    });
    chosen.set(c.dataSync(), s);
    rejected.set(r.dataSync(), s);
    c.dispose();
    r.dispose();
  }
  return { chosen, rejected };
}
