import { strict as assert } from 'assert';
import { tf } from '../../core/engine/tf';
import { initBackend } from '../../core/engine/backend';
import { dpoLoss, dpoMetrics, maskedCrossEntropy, sequenceLogProbs, targetLogProbs } from '../../core/train/losses';

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

describe('train/losses', () => {
  before(async () => {
    await initBackend('wasm');
  });

  // logits row 0 = [0, 0] -> p = [1/2, 1/2]; row 1 = [ln 3, 0] -> p = [3/4, 1/4]
  const logits = () => tf.tensor3d([[[0, 0], [Math.log(3), 0]]]);
  const targets = () => tf.tensor2d([[1, 0]], [1, 2], 'int32');

  it('target log-probs pick the target under a log-softmax', () => {
    const lp = targetLogProbs(logits(), targets()).dataSync();
    close(lp[0], Math.log(0.5));
    close(lp[1], Math.log(0.75));
  });

  it('masked cross-entropy is the mean NLL over weighted targets', () => {
    // (ln 2 - ln 3/4) / 2
    close(maskedCrossEntropy(logits(), targets(), tf.tensor2d([[1, 1]])).dataSync()[0], 0.4904146265);
    // the second position masked out: only -ln(1/2)
    close(maskedCrossEntropy(logits(), targets(), tf.tensor2d([[1, 0]])).dataSync()[0], Math.LN2);
    // nothing to predict: 0, not NaN
    close(maskedCrossEntropy(logits(), targets(), tf.tensor2d([[0, 0]])).dataSync()[0], 0, 0);
  });

  it('cross-entropy gradient is (softmax - onehot) * weight / count', () => {
    const g = tf.grad((x: tf.Tensor) => maskedCrossEntropy(x as tf.Tensor3D, targets(), tf.tensor2d([[1, 1]])))(logits());
    const d = Array.from(g.dataSync());
    // row 0: ([1/2, 1/2] - [0, 1]) / 2; row 1: ([3/4, 1/4] - [1, 0]) / 2
    [0.25, -0.25, -0.125, 0.125].forEach((v, i) => close(d[i], v));
  });

  it('sequence log-probs sum response tokens per row and count them', () => {
    const lg = tf.tensor3d([
      [[0, 0], [Math.log(3), 0]],
      [[Math.log(3), 0], [0, 0]],
    ]);
    const tg = tf.tensor2d([[1, 0], [0, 1]], [2, 2], 'int32');
    const w = tf.tensor2d([[1, 1], [0, 1]]);
    const s = sequenceLogProbs(lg, tg, w);
    const sum = s.sum.dataSync();
    close(sum[0], Math.log(0.5) + Math.log(0.75));
    close(sum[1], Math.log(0.5));
    assert.deepEqual(Array.from(s.count.dataSync()), [2, 1]);
  });

  const seq = (sum: number[], count: number[]) => ({ sum: tf.tensor1d(sum), count: tf.tensor1d(count) });
  // pair 1: (pi_c - ref_c) - (pi_r - ref_r) = (-2 + 2.5) - (-3 + 2.5) = 1 -> logit 0.5
  // pair 2: (-1 + 0.5) - (-1 + 2) = -1.5 -> logit -0.75
  const twoPairs = () => ({
    policyChosen: seq([-2, -1], [2, 2]),
    policyRejected: seq([-3, -1], [4, 1]),
    refChosen: tf.tensor1d([-2.5, -0.5]),
    refRejected: tf.tensor1d([-2.5, -2]),
    beta: 0.5,
    lossType: 'sigmoid' as const,
  });

  it('DPO sigmoid loss, rewards and accuracies on two pairs', () => {
    const out = dpoLoss(twoPairs());
    // (ln(1 + e^-0.5) + ln(1 + e^0.75)) / 2
    close(out.loss.dataSync()[0], 0.805473995);
    const c = out.chosenRewards.dataSync();
    const r = out.rejectedRewards.dataSync();
    [0.25, -0.25].forEach((v, i) => close(c[i], v));
    [-0.25, 0.5].forEach((v, i) => close(r[i], v));
    const m = dpoMetrics(c, r);
    close(m['rewards/chosen'], 0);
    close(m['rewards/rejected'], 0.125);
    close(m['rewards/accuracies'], 0.5);
    close(m['rewards/margins'], -0.125);
  });

  it('dpo_norm divides policy and reference log-probs by the response length', () => {
    // chosen: (-2 + 2.5) / 2 = 0.25; rejected: (-3 + 2.5) / 4 = -0.125
    // logit = 0.5 * 0.375 = 0.1875 -> ln(1 + e^-0.1875)
    const out = dpoLoss({
      policyChosen: seq([-2], [2]),
      policyRejected: seq([-3], [4]),
      refChosen: tf.tensor1d([-2.5]),
      refRejected: tf.tensor1d([-2.5]),
      beta: 0.5,
      lossType: 'dpo_norm',
    });
    close(out.loss.dataSync()[0], 0.6037852896);
    close(out.chosenRewards.dataSync()[0], 0.125);
    close(out.rejectedRewards.dataSync()[0], -0.0625);
  });

  it('rpoAlpha adds alpha x the mean NLL per chosen token (RPO)', () => {
    // the two-pair example above: DPO 0.805473995; chosen sums -2, -1 over 2 + 2 tokens -> NLL 3/4
    const out = dpoLoss({ ...twoPairs(), rpoAlpha: 2 });
    close(out.loss.dataSync()[0], 0.805473995 + 2 * 0.75);
  });

  it('DPO gradient flows to the policy log-probs only', () => {
    // d/dpc of -log sigmoid(beta (pc - pr - k)) = -beta * sigmoid(-logit); logit 0.5
    const g = tf.grad((pc: tf.Tensor) =>
      dpoLoss({
        policyChosen: { sum: pc as tf.Tensor1D, count: tf.tensor1d([2]) },
        policyRejected: seq([-3], [4]),
        refChosen: tf.tensor1d([-2.5]),
        refRejected: tf.tensor1d([-2.5]),
        beta: 0.5,
        lossType: 'sigmoid',
      }).loss,
    )(tf.tensor1d([-2]));
    close(g.dataSync()[0], -0.5 / (1 + Math.exp(0.5)));
  });
});
