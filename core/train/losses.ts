// Training losses as pure functions on tensors.
//
// Convention: the caller shifts on the host (core/train/batching.ts), so at
// position t the model predicts targets[t] (= ids[t+1]) with weight
// weights[t] (= lossMask[t+1]; 0 on pads and on non-target tokens). Doing the
// shift outside keeps slicing out of the differentiated path, and the target
// log-prob is a product with a one-hot instead of a gather, which has no
// gradient on wasm (STACK.md).
import { tf } from '../engine/tf';
import { customOp } from '../engine/custom-op';
import { nativeKernelsActive, TARGET_LOG_PROBS, TARGET_LOG_PROBS_GRAD } from '../engine/native-kernels';

/**
 * log p(targets[b,t]) under logits[b,t,:]: [B, T, V] x [B, T] -> [B, T].
 * Fused with its own gradient, dy * (onehot - softmax): the generic
 * log-softmax -> product -> sum chain made this ~200 ms of a default-size
 * training step at V 1868. Only saved tensors are used in the backward pass.
 */
export function targetLogProbs(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Tensor2D {
  if (nativeKernelsActive()) return nativeTargetLogProbs(logits, targets);
  const vocab = logits.shape[2];
  const op = customOp<[tf.Tensor]>((x, save) => {
    const oh = tf.cast(tf.oneHot(tf.cast(targets, 'int32'), vocab), 'float32');
    const lse = tf.logSumExp(x, -1, true);
    const value = tf.sub(tf.sum(tf.mul(x, oh), -1), tf.squeeze(lse, [-1]));
    save([x, lse, oh]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, slse, soh] = saved;
        return tf.mul(tf.expandDims(dy, -1), tf.sub(soh, tf.exp(tf.sub(sx, slse))));
      },
    };
  });
  return op(logits) as tf.Tensor2D;
}

/** The same in two native kernels (core/engine/native-kernels.ts): no one-hot, one exp pass each way. */
function nativeTargetLogProbs(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Tensor2D {
  const ids = targets.dtype === 'int32' ? targets : tf.cast(targets, 'int32');
  const op = customOp<[tf.Tensor]>((x, save) => {
    const [value, lse] = tf.engine().runKernel(TARGET_LOG_PROBS, { logits: x, targets: ids }) as tf.Tensor[];
    save([x, lse, ids]); // saved, not closed over: a caller's tidy may have disposed ids by the backward pass
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(TARGET_LOG_PROBS_GRAD, { logits: saved[0], targets: saved[2], lse: saved[1], dy }) as tf.Tensor,
    };
  });
  return op(logits) as tf.Tensor2D;
}

/**
 * Masked next-token cross-entropy: mean negative log-likelihood over the
 * target tokens whose weight is 1. A batch with no target token gives 0.
 */
export function maskedCrossEntropy(logits: tf.Tensor3D, targets: tf.Tensor2D, weights: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const lp = targetLogProbs(logits, targets);
    const total = tf.sum(tf.mul(lp, weights));
    const count = tf.maximum(tf.sum(weights), 1);
    return tf.neg(tf.div(total, count)) as tf.Scalar;
  });
}

export interface SequenceLogProbs {
  /** summed log-prob of the weighted (response) tokens, per sequence [B] */
  sum: tf.Tensor1D;
  /** number of weighted tokens per sequence [B] */
  count: tf.Tensor1D;
}

/** Per-sequence summed log-probs of the response tokens and their count (DPO). */
export function sequenceLogProbs(logits: tf.Tensor3D, targets: tf.Tensor2D, weights: tf.Tensor2D): SequenceLogProbs {
  return tf.tidy(() => {
    const lp = targetLogProbs(logits, targets);
    return {
      sum: tf.sum(tf.mul(lp, weights), -1) as tf.Tensor1D,
      count: tf.sum(weights, -1) as tf.Tensor1D,
    };
  });
}

/**
 * 'sigmoid': the DPO loss on summed log-probs.
 * 'dpo_norm': the same on length-normalised log-probs (sum / response token
 * count, for policy and reference alike), as open-instruct's dpo_norm (the
 * Tulu 3 recipe, used there with beta 5). beta multiplies the log-ratio in
 * both, so rewards are beta * (pi - ref) on whichever log-probs the loss uses.
 */
export type DpoLossType = 'sigmoid' | 'dpo_norm';
export const DPO_LOSS_TYPES: readonly DpoLossType[] = ['sigmoid', 'dpo_norm'];

export interface DpoInputs {
  policyChosen: SequenceLogProbs;
  policyRejected: SequenceLogProbs;
  /** reference summed log-probs, computed once before training */
  refChosen: tf.Tensor1D;
  refRejected: tf.Tensor1D;
  beta: number;
  lossType: DpoLossType;
  /**
   * weight of an NLL term on the chosen responses (RPO, Pang et al. 2024;
   * TRL's rpo_alpha): mean negative log-prob per chosen token over the
   * batch. DPO alone can win its margin by pushing the rejected side down
   * while the chosen side, if it starts with ~0 probability, stays unsampled.
   * 0 or absent: plain DPO.
   */
  rpoAlpha?: number;
}

export interface DpoOutputs {
  /** mean over pairs of -log sigmoid(beta * ((pi_c - ref_c) - (pi_r - ref_r))), + rpoAlpha * NLL(chosen) */
  loss: tf.Scalar;
  /** beta * (pi_c - ref_c), per pair; diagnostics only (not part of the loss) */
  chosenRewards: tf.Tensor1D;
  rejectedRewards: tf.Tensor1D;
}

export function dpoLoss(inp: DpoInputs): DpoOutputs {
  return tf.tidy(() => {
    const norm = inp.lossType === 'dpo_norm';
    // dpo_norm divides both policy and reference sums by the same count
    const scale = (x: tf.Tensor1D, count: tf.Tensor1D) => (norm ? tf.div(x, tf.maximum(count, 1)) : x) as tf.Tensor1D;
    const pc = scale(inp.policyChosen.sum, inp.policyChosen.count);
    const pr = scale(inp.policyRejected.sum, inp.policyRejected.count);
    const rc = scale(inp.refChosen, inp.policyChosen.count);
    const rr = scale(inp.refRejected, inp.policyRejected.count);
    const chosenRatio = tf.sub(pc, rc);
    const rejectedRatio = tf.sub(pr, rr);
    const logits = tf.mul(tf.sub(chosenRatio, rejectedRatio), inp.beta);
    // -log sigmoid(z) = softplus(-z); tf.logSigmoid's gradient closes over an
    // unsaved input and fails when that input is an intermediate in a tidy
    let loss = tf.mean(tf.softplus(tf.neg(logits))) as tf.Scalar;
    if (inp.rpoAlpha) {
      const nll = tf.div(tf.neg(tf.sum(inp.policyChosen.sum)), tf.maximum(tf.sum(inp.policyChosen.count), 1));
      loss = tf.add(loss, tf.mul(nll, inp.rpoAlpha)) as tf.Scalar;
    }
    return {
      loss,
      chosenRewards: tf.mul(chosenRatio, inp.beta) as tf.Tensor1D,
      rejectedRewards: tf.mul(rejectedRatio, inp.beta) as tf.Tensor1D,
    };
  });
}

export interface DpoMetrics {
  'rewards/chosen': number;
  'rewards/rejected': number;
  /** share of pairs whose chosen reward beats the rejected one (strictly) */
  'rewards/accuracies': number;
  'rewards/margins': number;
}

/** Batch means of the DPO reward diagnostics (as TRL / open-instruct log them). */
export function dpoMetrics(chosen: ArrayLike<number>, rejected: ArrayLike<number>): DpoMetrics {
  const n = chosen.length;
  if (n === 0 || rejected.length !== n) throw new Error(`dpoMetrics: need equal non-empty reward arrays, got ${n} and ${rejected.length}`);
  let c = 0;
  let r = 0;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    c += chosen[i];
    r += rejected[i];
    if (chosen[i] > rejected[i]) acc++;
  }
  return { 'rewards/chosen': c / n, 'rewards/rejected': r / n, 'rewards/accuracies': acc / n, 'rewards/margins': (c - r) / n };
}
