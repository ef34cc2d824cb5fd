// Known answers for the building blocks (values computed by hand / on paper).
import { strict as assert } from 'assert';
import { initBackend } from '../../core/engine/backend';
import { tf } from '../../core/engine/tf';
import { Rng } from '../../core/engine/rng';
import { geluTanh, silu } from '../../core/nn/activations';
import { attentionBiasValues, groupedQueryAttention, MASKED } from '../../core/nn/attention';
import { embedTokens } from '../../core/nn/embedding';
import { rmsNorm, rmsNormOnePlus } from '../../core/nn/rms-norm';
import { applyRope, ropeInvFreq, ropeTables, rotateHalf } from '../../core/nn/rope';
import { positionsFromMask } from '../../core/model/decoder';
import { sampleToken, samplingDistribution } from '../../core/model/sampling';

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  assert.equal(actual.length, expected.length, 'length');
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `[${i}] ${actual[i]} vs ${expected[i]}`);
  }
}

describe('nn building blocks', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('RMSNorm: w * x / sqrt(mean(x^2) + eps)', () => {
    // mean(x^2) = 30/4 = 7.5; with eps 2.5 the divisor is sqrt(10) = 3.16227766
    const y = rmsNorm(tf.tensor1d([1, 2, 3, 4]), tf.tensor1d([1, 1, 2, 0.5]), 2.5);
    close(y.dataSync(), [0.3162278, 0.6324555, 1.8973666, 0.6324555]);
  });

  it('Gemma RMSNorm scales by (1 + w)', () => {
    const y = rmsNormOnePlus(tf.tensor1d([1, 2, 3, 4]), tf.tensor1d([0, 0, 1, -0.5]), 2.5);
    close(y.dataSync(), [0.3162278, 0.6324555, 1.8973666, 0.6324555]);
    // zero weights: plain normalisation, eps tiny: x / sqrt(7.5)
    const z = rmsNormOnePlus(tf.tensor2d([[1, 2, 3, 4]]), tf.zeros([4]), 1e-12);
    close(z.dataSync(), [0.3651484, 0.7302967, 1.0954451, 1.4605935]);
  });

  it('RoPE: inv_freq and rotate_half on a tiny vector', () => {
    // dim 4, theta 100: inv_freq = [1, 100^-0.5] = [1, 0.1]
    close(ropeInvFreq(4, 100), [1, 0.1], 1e-7);
    // position 2: angles [2, 0.2]; x = [1, 2, 3, 4], rotate_half(x) = [-3, -4, 1, 2]
    // out = x cos + rotate_half(x) sin
    const tables = ropeTables([[0, 2]], 4, 100);
    const x = tf.tensor4d([1, 2, 3, 4, 1, 2, 3, 4], [1, 1, 2, 4]);
    const y = applyRope(x, tables).dataSync();
    close(y.slice(0, 4), [1, 2, 3, 4]); // position 0 is the identity
    close(y.slice(4), [-3.1440391, 1.1654558, -0.3391431, 4.317605]);
  });

  it('rotate_half and its gradient', () => {
    const x = tf.variable(tf.tensor2d([[1, 2, 3, 4]]));
    assert.deepEqual(rotateHalf(x).arraySync(), [[-3, -4, 1, 2]]);
    // sum(rotate_half(x) * [1, 2, 3, 4]) = -x3 - 2 x4 + 3 x1 + 4 x2
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(rotateHalf(x), tf.tensor2d([[1, 2, 3, 4]]))) as tf.Scalar, [x]);
    assert.deepEqual(Object.values(grads)[0].arraySync(), [[3, 4, -1, -2]]);
    x.dispose();
  });

  it('tanh-GELU and SiLU', () => {
    close(geluTanh(tf.tensor1d([1, -1, 2, 0.5, -3, 0])).dataSync(), [0.841192, -0.158808, 1.9545977, 0.345714, -0.0036374, 0]);
    close(silu(tf.tensor1d([1, -2, 0.5])).dataSync(), [0.7310586, -0.2384058, 0.3112297]);
  });

  it('sliding-window + causal + padding mask: exactly `window` keys, own position included', () => {
    const bias = attentionBiasValues({ keyValid: [[1, 1, 1, 1, 1], [0, 1, 1, 1, 1]], keyStart: 0, queryStart: 0, queryLen: 5, window: 3 });
    const allowed = Array.from(bias, (v) => (v === 0 ? 1 : 0));
    // row 0: no padding
    assert.deepEqual(allowed.slice(0, 25), [
      1, 0, 0, 0, 0,
      1, 1, 0, 0, 0,
      1, 1, 1, 0, 0,
      0, 1, 1, 1, 0,
      0, 0, 1, 1, 1,
    ]);
    // row 1: key 0 is padding
    assert.deepEqual(allowed.slice(25), [
      0, 0, 0, 0, 0,
      0, 1, 0, 0, 0,
      0, 1, 1, 0, 0,
      0, 1, 1, 1, 0,
      0, 0, 1, 1, 1,
    ]);
    assert.ok(bias.every((v) => v === 0 || v === MASKED));
    // global layer, queries 3..4 against keys 2..4 (a cache that starts at 2)
    const g = attentionBiasValues({ keyValid: [[1, 1, 1]], keyStart: 2, queryStart: 3, queryLen: 2, window: null });
    assert.deepEqual(Array.from(g, (v) => (v === 0 ? 1 : 0)), [1, 1, 0, 1, 1, 1]);
  });

  it('attention known answer with two query heads sharing one key/value head', () => {
    // head 0: q = [1, 1]; head 1: q = [0, 2]; k = [0, 1]; v = [1, 3]; D = 1, scale 1
    // q1 of head 0: softmax([0, 1]) = [0.268941, 0.731059] -> 2.462117
    // q1 of head 1: softmax([0, 2]) = [0.119203, 0.880797] -> 2.761594
    const q = tf.tensor4d([1, 1, 0, 2], [1, 2, 2, 1]);
    const k = tf.tensor4d([0, 1], [1, 1, 2, 1]);
    const v = tf.tensor4d([1, 3], [1, 1, 2, 1]);
    const spec = { keyValid: [[1, 1]], keyStart: 0, queryStart: 0, queryLen: 2, window: null };
    const bias = tf.tensor4d(attentionBiasValues(spec, 2), [1, 1, 4, 2]);
    const out = groupedQueryAttention(q, k, v, bias, 1);
    assert.deepEqual(out.shape, [1, 2, 2]);
    close(out.dataSync(), [1, 1, 2.4621172, 2.7615942]);
  });

  it('grouped-query attention equals multi-head attention with repeated k/v (HF repeat_kv)', () => {
    const rng = new Rng('gqa');
    const [B, H, KV, T, D] = [2, 4, 2, 3, 4];
    const rand = (n: number) => Array.from({ length: n }, () => rng.normal());
    const qv = rand(B * H * T * D);
    const kv = rand(B * KV * T * D);
    const vv = rand(B * KV * T * D);
    // repeat_kv: head h reads kv head floor(h / (H / KV))
    const repeat = (x: number[]) => {
      const out: number[] = [];
      for (let b = 0; b < B; b++)
        for (let h = 0; h < H; h++) {
          const src = (b * KV + Math.floor(h / (H / KV))) * T * D;
          out.push(...x.slice(src, src + T * D));
        }
      return out;
    };
    const spec = { keyValid: [[1, 1, 1], [0, 1, 1]], keyStart: 0, queryStart: 0, queryLen: T, window: 2 };
    const grouped = groupedQueryAttention(
      tf.tensor4d(qv, [B, H, T, D]),
      tf.tensor4d(kv, [B, KV, T, D]),
      tf.tensor4d(vv, [B, KV, T, D]),
      tf.tensor4d(attentionBiasValues(spec, H / KV), [B, 1, (H / KV) * T, T]),
      0.5,
    );
    const full = groupedQueryAttention(
      tf.tensor4d(qv, [B, H, T, D]),
      tf.tensor4d(repeat(kv), [B, H, T, D]),
      tf.tensor4d(repeat(vv), [B, H, T, D]),
      tf.tensor4d(attentionBiasValues(spec, 1), [B, 1, T, T]),
      0.5,
    );
    close(grouped.dataSync(), full.dataSync(), 1e-6);
  });

  it('embedding: rows gathered, gradient scattered back to the rows used', () => {
    const w = tf.variable(tf.tensor2d([[1, 2], [3, 4], [5, 6]]));
    const ids = tf.tensor2d([[0, 2, 2]], [1, 3], 'int32');
    const upstream = tf.tensor3d([[[1, 10], [100, 1000], [1, 1]]]);
    assert.deepEqual(embedTokens(ids, w).arraySync(), [[[1, 2], [5, 6], [5, 6]]]);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(embedTokens(ids, w), upstream)) as tf.Scalar, [w]);
    // row 0 gets [1, 10]; row 2 gets [100 + 1, 1000 + 1]; row 1 unused
    assert.deepEqual(Object.values(grads)[0].arraySync(), [[1, 10], [0, 0], [101, 1001]]);
    // with padding_idx 2, row 2 gets nothing
    const padded = tf.variableGrads(() => tf.sum(tf.mul(embedTokens(ids, w, 2), upstream)) as tf.Scalar, [w]);
    assert.deepEqual(Object.values(padded.grads)[0].arraySync(), [[1, 10], [0, 0], [0, 0]]);
    w.dispose();
  });

  it('RoPE positions from a left-padding mask: cumsum - 1, clamped at 0', () => {
    assert.deepEqual(positionsFromMask([0, 0, 1, 1, 1]), [0, 0, 0, 1, 2]);
    assert.deepEqual(positionsFromMask([1, 1], 3), [3, 4]);
  });

  it('sampling distribution: temperature, top-k, top-p', () => {
    const logits = [0, Math.log(2), Math.log(3), Math.log(4)];
    close(samplingDistribution(logits, { temperature: 1 }), [0.1, 0.2, 0.3, 0.4], 1e-12);
    close(samplingDistribution(logits, { temperature: 0.5 }), [1 / 30, 4 / 30, 9 / 30, 16 / 30], 1e-12);
    close(samplingDistribution(logits, { temperature: 1, topK: 2 }), [0, 0, 3 / 7, 4 / 7], 1e-12);
    close(samplingDistribution(logits, { temperature: 1, topP: 0.6 }), [0, 0, 3 / 7, 4 / 7], 1e-12);
    close(samplingDistribution(logits, { temperature: 1, topP: 0.4 }), [0, 0, 0, 1], 1e-12);
    assert.equal(sampleToken(logits, { temperature: 1, greedy: true }, new Rng(1)), 3);
    assert.equal(sampleToken(logits, { temperature: 0 }, new Rng(1)), 3);
  });

  it('sampling draws follow the distribution (fixed seed)', () => {
    const rng = new Rng('draws');
    const counts = [0, 0, 0, 0];
    const n = 4000;
    for (let i = 0; i < n; i++) counts[sampleToken([0, Math.log(2), Math.log(3), Math.log(4)], { temperature: 1 }, rng)]++;
    close(counts.map((c) => c / n), [0.1, 0.2, 0.3, 0.4], 0.03);
  });
});
