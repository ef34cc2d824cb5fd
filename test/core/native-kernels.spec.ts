// The native matmul (native/, core/engine/native-kernels.ts) against hand
// values and against the wasm backend's own kernel, gradients included.
// Where the addon is not built these skip and say why, unless
// MOLT_REQUIRE_NATIVE=1 (set by .ci/run), where a missing addon fails.
import { strict as assert } from 'node:assert';
import { backendInfo, initBackend } from '../../core/engine/backend';
import { tf } from '../../core/engine/tf';
import { Rng } from '../../core/engine/rng';
import { disableNativeKernels, enableNativeKernels, loadNativeAddon, nativeKernelsActive, nativeThreads, nativeUnavailableReason } from '../../core/engine/native-kernels';
import { maskedCrossEntropy, targetLogProbs } from '../../core/train/losses';
import { AdamW } from '../../core/train/optimizer';
import { rmsNorm, rmsNormOnePlus } from '../../core/nn/rms-norm';
import { gatedProduct } from '../../core/nn/mlp';
import { attentionBias, groupedQueryAttention } from '../../core/nn/attention';
import { embedTokens } from '../../core/nn/embedding';
import { ARCHS, maxAbsDiff, microModel } from '../model/helpers';

function randomTensor(rng: Rng, shape: number[]): tf.Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rng.normal()), shape);
}

/** The same computation with the wasm kernel and with the native one. */
function bothPaths<T>(f: () => T): { wasm: T; native: T } {
  disableNativeKernels();
  assert.equal(nativeKernelsActive(), false);
  const wasm = f();
  assert.ok(enableNativeKernels());
  assert.equal(nativeKernelsActive(), true);
  return { wasm, native: f() };
}

describe('native kernels', () => {
  before(async function () {
    await initBackend('wasm');
    if (!loadNativeAddon()) {
      if (process.env.MOLT_REQUIRE_NATIVE === '1') throw new Error(`MOLT_REQUIRE_NATIVE=1 but the native addon is unavailable: ${nativeUnavailableReason()}`);
      this.skip();
    }
  });
  after(() => enableNativeKernels());

  it('the wasm backend runs with them and says so in its id', () => {
    assert.match(backendInfo().id, /^wasm\+native-[0-9a-f]{8}$/); // built by scripts/build-native.js, which records the sources' hash
    assert.equal(backendInfo().nativeSkipped, null);
    assert.ok(nativeKernelsActive());
  });

  it('matMul known answers with every transpose flag', () => {
    // a = [[1,2,3],[4,5,6]], b = [[1,0],[0,1],[2,-1]]: a @ b = [[7,-1],[16,-1]]
    const a = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const b = tf.tensor2d([[1, 0], [0, 1], [2, -1]]);
    const expected = [7, -1, 16, -1];
    assert.deepEqual([...tf.matMul(a, b).dataSync()], expected);
    assert.deepEqual([...tf.matMul(a.transpose(), b, true, false).dataSync()], expected);
    assert.deepEqual([...tf.matMul(a, b.transpose(), false, true).dataSync()], expected);
    assert.deepEqual([...tf.matMul(a.transpose(), b.transpose(), true, true).dataSync()], expected);
    // a batch of two with b broadcast: the second item is 2a
    const batched = tf.matMul(tf.stack([a, a.mul(2)]), b);
    assert.deepEqual(batched.shape, [2, 2, 2]);
    assert.deepEqual([...batched.dataSync()], [7, -1, 16, -1, 14, -2, 32, -2]);
    // an empty inner dimension gives zeros, as in the wasm kernel
    assert.deepEqual([...tf.matMul(tf.zeros([2, 0]), tf.zeros([0, 3])).dataSync()], [0, 0, 0, 0, 0, 0]);
  });

  it('equals the wasm kernel on shapes that cross every block edge, transposes and batch broadcasts', () => {
    const rng = new Rng('native-gemm');
    // m, n, k around the micro-kernel (6 x 16) and cache block (72, 512, 256) sizes
    const cases: [number[], number[]][] = [
      [[1, 1], [1, 1]],
      [[7, 5], [5, 17]],
      [[73, 257], [257, 33]],
      [[3, 70, 20], [3, 20, 515]],
      [[2, 3, 13, 9], [2, 3, 9, 16]],
      [[4, 6, 31], [31, 12]],
      [[1, 6, 31], [5, 31, 12]],
    ];
    for (const [sa, sb] of cases) {
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
        const a = randomTensor(rng, sa);
        const b = randomTensor(rng, sb);
        const aIn = ta ? a.rank === 2 ? a.transpose() : a.transpose([...Array(a.rank - 2).keys(), a.rank - 1, a.rank - 2]) : a;
        const bIn = tb ? b.rank === 2 ? b.transpose() : b.transpose([...Array(b.rank - 2).keys(), b.rank - 1, b.rank - 2]) : b;
        const { wasm, native } = bothPaths(() => tf.matMul(aIn, bIn, ta, tb));
        assert.deepEqual(native.shape, wasm.shape);
        const d = maxAbsDiff(native.dataSync(), wasm.dataSync());
        assert.ok(d <= 1e-4 * Math.sqrt(sa[sa.length - 1]), `[${sa}] x [${sb}] transposeA=${ta} transposeB=${tb}: max diff ${d}`);
      }
    }
  });

  it('the fused target log-probs: known answer, and the values and gradients of the wasm path', () => {
    // row [0, ln 3]: lse = ln 4; target 1 -> ln 3 - ln 4, target 0 -> -ln 4; an out-of-range target is -lse
    const x = tf.tensor3d([[[0, Math.log(3)], [0, Math.log(3)], [0, Math.log(3)]]]);
    const lp = targetLogProbs(x as tf.Tensor3D, tf.tensor2d([[1, 0, 5]], [1, 3], 'int32'));
    const near = (a: number, b: number) => Math.abs(a - b) < 1e-6;
    const [v1, v0, vOut] = lp.dataSync();
    assert.ok(near(v1, Math.log(3 / 4)) && near(v0, -Math.log(4)) && near(vOut, -Math.log(4)), `${[v1, v0, vOut]}`);
    // d/dx of sum(lp * dy): dy * (onehot - softmax), softmax = [1/4, 3/4]
    const dy = tf.tensor2d([[2, 1, 1]]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(targetLogProbs(t as tf.Tensor3D, tf.tensor2d([[1, 0, 5]], [1, 3], 'int32')), dy)))(x).dataSync();
    const expected = [-0.5, 0.5, 0.75, -0.75, -0.25, -0.75];
    assert.ok(maxAbsDiff(g, expected) < 1e-6, `${[...g]}`);
    // large random logits, including a vocab that is not a multiple of the kernel's 16 lanes, and float targets
    const rng = new Rng('xent');
    const logits = randomTensor(rng, [3, 5, 37]).mul(8) as tf.Tensor3D;
    const targets = tf.tensor2d(Float32Array.from({ length: 15 }, () => rng.int(37)), [3, 5]);
    const weights = tf.tensor2d(Float32Array.from({ length: 15 }, (_, i) => i % 4 === 0 ? 0 : 1), [3, 5]);
    const run = () => {
      const { value, grads } = tf.variableGrads(() => maskedCrossEntropy(logitsVar as tf.Tensor3D, targets as tf.Tensor2D, weights as tf.Tensor2D), [logitsVar]);
      return { loss: value.dataSync()[0], grad: Object.values(grads)[0].dataSync(), lp: targetLogProbs(logits, targets as tf.Tensor2D).dataSync() };
    };
    const logitsVar = tf.variable(logits);
    const { wasm, native } = bothPaths(run);
    assert.ok(Math.abs(native.loss - wasm.loss) < 1e-5, `loss ${native.loss} vs ${wasm.loss}`);
    assert.ok(maxAbsDiff(native.lp, wasm.lp) < 1e-5, 'log-probs');
    assert.ok(maxAbsDiff(native.grad, wasm.grad) < 1e-6, 'gradient');
    logitsVar.dispose();
  });

  it('the fused AdamW step equals the tfjs chain: decay on matrices only, clipping folded in', () => {
    const run = () => {
      const rng = new Rng('adamw');
      const params = new Map<string, tf.Variable>([
        ['layer.weight', tf.variable(randomTensor(rng, [5, 7]))],
        ['norm.weight', tf.variable(randomTensor(rng, [7]))],
      ]);
      const opt = new AdamW(params, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, maxGradNorm: 1 });
      const clips: number[] = [];
      for (let step = 0; step < 3; step++) {
        // step 0 is clipped (norm ~ 3 x 6 > 1); later steps are not
        const scale = step === 0 ? 3 : 0.01;
        const grads = new Map([...params].map(([k, p]) => [k, randomTensor(rng, p.shape).mul(scale)] as [string, tf.Tensor]));
        clips.push(opt.apply(grads, 0.01).scale);
      }
      const state = opt.exportState();
      return { clips, params: [...params.values()].map((p) => p.dataSync()), m: [...state.m.values()], v: [...state.v.values()] };
    };
    const { wasm, native } = bothPaths(run);
    assert.ok(native.clips[0] < 1 && native.clips[1] === 1, `clip scales ${native.clips}`);
    assert.deepEqual(native.clips.map((c) => c.toFixed(6)), wasm.clips.map((c) => c.toFixed(6)));
    for (const key of ['params', 'm', 'v'] as const) {
      native[key].forEach((a, i) => assert.ok(maxAbsDiff(a, wasm[key][i]) < 1e-6, `${key}[${i}]: ${maxAbsDiff(a, wasm[key][i])}`));
    }
  });

  it('the fused RMSNorm: values and the gradients of x and w equal the tfjs chain, both norm kinds', () => {
    const rng = new Rng('rms');
    const x = randomTensor(rng, [3, 4, 10]).mul(3);
    const w = randomTensor(rng, [10]);
    const dy = randomTensor(rng, [3, 4, 10]);
    for (const norm of [rmsNorm, rmsNormOnePlus]) {
      const run = () => {
        const y = norm(x, w, 1e-6).dataSync();
        const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(norm(a, b, 1e-6), dy)))([x, w]);
        return { y, dx: dx.dataSync(), dw: dw.dataSync() };
      };
      const { wasm, native } = bothPaths(run);
      for (const key of ['y', 'dx', 'dw'] as const) {
        assert.ok(maxAbsDiff(native[key], wasm[key]) < 2e-5, `${norm.name} ${key}: ${maxAbsDiff(native[key], wasm[key])}`);
      }
    }
    // known answer (the nn spec's): mean(x^2) = 7.5, eps 2.5 -> divisor sqrt(10)
    const y = rmsNorm(tf.tensor2d([[1, 2, 3, 4]]), tf.tensor1d([1, 1, 2, 0.5]), 2.5).dataSync();
    assert.ok(maxAbsDiff(y, [0.3162278, 0.6324555, 1.8973666, 0.6324555]) < 1e-6);
  });

  it('the fused gated product act(g) * u: SiLU and tanh-GELU values and gradients equal the tfjs ops', () => {
    const rng = new Rng('glu');
    // wide range: large |g| exercises both branches of the sigmoid and the saturated tanh
    const g = randomTensor(rng, [4, 33]).mul(6);
    const u = randomTensor(rng, [4, 33]);
    const dh = randomTensor(rng, [4, 33]);
    for (const act of ['silu', 'gelu_pytorch_tanh'] as const) {
      const run = () => {
        const h = gatedProduct(g, u, act).dataSync();
        const [dg, du] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(gatedProduct(a, b, act), dh)))([g, u]);
        return { h, dg: dg.dataSync(), du: du.dataSync() };
      };
      const { wasm, native } = bothPaths(run);
      for (const key of ['h', 'dg', 'du'] as const) {
        assert.ok(maxAbsDiff(native[key], wasm[key]) < 1e-5, `${act} ${key}: ${maxAbsDiff(native[key], wasm[key])}`);
      }
    }
    // known answers: silu(0) = 0, silu'(0) = 1/2; gelu(0) = 0, gelu'(0) = 1/2; silu(2) = 2 / (1 + e^-2)
    const dh1 = tf.ones([3]);
    const [dgS] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(gatedProduct(a, tf.ones([3]), 'silu'), dh1)))([tf.tensor1d([0, 0, 0])]);
    assert.ok(maxAbsDiff(dgS.dataSync(), [0.5, 0.5, 0.5]) < 1e-7);
    assert.ok(Math.abs(gatedProduct(tf.tensor1d([2]), tf.tensor1d([1]), 'silu').dataSync()[0] - 2 / (1 + Math.exp(-2))) < 1e-6);
    const [dgG] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(gatedProduct(a, tf.ones([3]), 'gelu_pytorch_tanh'), dh1)))([tf.tensor1d([0, 0, 0])]);
    assert.ok(maxAbsDiff(dgG.dataSync(), [0.5, 0.5, 0.5]) < 1e-7);
  });

  it('the fused attention: grouped heads, a cache offset, padding and a window give the values and gradients of the tfjs ops', () => {
    const rng = new Rng('attention');
    // B 2, H 4 over KV 2 (rep 2), 3 new queries after 2 cached keys (S 5), D 6; row 1 left-padded, window 3
    const [B, H, KV, T, S, D] = [2, 4, 2, 3, 5, 6];
    const q = randomTensor(rng, [B, H, T, D]);
    const k = randomTensor(rng, [B, KV, S, D]);
    const v = randomTensor(rng, [B, KV, S, D]);
    const dout = randomTensor(rng, [B, T, H * D]);
    const bias = attentionBias({ keyValid: [[1, 1, 1, 1, 1], [0, 1, 1, 1, 1]], queryLen: T, queryStart: 2, keyStart: 0, window: 3 }, H / KV);
    const run = () => {
      const out = groupedQueryAttention(q, k, v, bias, 0.37).dataSync();
      const [dq, dk, dv] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(groupedQueryAttention(a, b, c, bias, 0.37), dout)))([q, k, v]);
      return { out, dq: dq.dataSync(), dk: dk.dataSync(), dv: dv.dataSync() };
    };
    const { wasm, native } = bothPaths(run);
    for (const key of ['out', 'dq', 'dk', 'dv'] as const) {
      assert.ok(maxAbsDiff(native[key], wasm[key]) < 1e-5, `${key}: ${maxAbsDiff(native[key], wasm[key])}`);
    }
    // known answer: one query, two keys with equal scores -> the mean of the two values
    const one = groupedQueryAttention(tf.zeros([1, 1, 1, 2]), tf.tensor4d([[[[1, 0], [0, 1]]]]), tf.tensor4d([[[[2, 4], [6, 8]]]]), tf.zeros([1, 1, 1, 2]), 1);
    assert.deepEqual([...one.dataSync()], [4, 6]);
  });

  it('the native embedding: rows, and a scatter-add gradient that skips the padding row, as the one-hot path', () => {
    const rng = new Rng('embed');
    const w = randomTensor(rng, [7, 3]);
    const ids = tf.tensor2d([[1, 0, 4], [4, 6, 0]], [2, 3], 'int32');
    const dy = randomTensor(rng, [2, 3, 3]);
    for (const padId of [null, 0]) {
      const run = () => {
        const y = embedTokens(ids, w, padId).dataSync();
        const [dw] = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(embedTokens(ids, t, padId), dy)))([w]);
        return { y, dw: dw.dataSync() };
      };
      const { wasm, native } = bothPaths(run);
      assert.deepEqual([...native.y], [...wasm.y]);
      assert.ok(maxAbsDiff(native.dw, wasm.dw) < 1e-6, `pad ${padId}: ${maxAbsDiff(native.dw, wasm.dw)}`);
      // token 4 appears twice: its row is the sum of both dy rows; row 0 is zero when it is the pad
      const d = dy.dataSync();
      for (let j = 0; j < 3; j++) assert.ok(Math.abs(native.dw[4 * 3 + j] - (d[2 * 3 + j] + d[3 * 3 + j])) < 1e-6);
      if (padId === 0) assert.deepEqual([...native.dw.slice(0, 3)], [0, 0, 0]);
    }
  });

  it('a micro model gives the same logits, loss and every gradient on both paths', () => {
    for (const arch of ARCHS) {
      const model = microModel(arch, 11);
      const rng = new Rng(`native/${arch.id}`);
      const ids = tf.tensor2d(Int32Array.from({ length: 3 * 9 }, () => rng.int(model.vocabSize)), [3, 9], 'int32');
      const targets = tf.tensor2d(Int32Array.from({ length: 3 * 9 }, () => rng.int(model.vocabSize)), [3, 9], 'int32');
      const weights = tf.ones([3, 9]) as tf.Tensor2D;
      const vars = [...model.params.values()];
      const run = () => {
        const logits = model.forward(ids).logits;
        const { value, grads } = tf.variableGrads(() => maskedCrossEntropy(model.forward(ids).logits, targets, weights), vars);
        return { logits: logits.dataSync(), loss: value.dataSync()[0], grads: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.dataSync()])) };
      };
      const { wasm, native } = bothPaths(run);
      assert.ok(maxAbsDiff(native.logits, wasm.logits) < 1e-5, `${arch.id} logits`);
      assert.ok(Math.abs(native.loss - wasm.loss) < 1e-6, `${arch.id} loss ${native.loss} vs ${wasm.loss}`);
      assert.deepEqual(Object.keys(native.grads).sort(), Object.keys(wasm.grads).sort());
      for (const name of Object.keys(wasm.grads)) {
        const d = maxAbsDiff(native.grads[name], wasm.grads[name]);
        assert.ok(d < 1e-5, `${arch.id} gradient of ${name}: max diff ${d}`);
      }
    }
  });

  it('the result does not depend on the thread count', () => {
    const addon = loadNativeAddon()!;
    const [m, n, k] = [300, 200, 100];
    const run = (threads: number) => {
      const mem = new Float32Array(m * k + k * n + m * n);
      const r = new Rng('threads-data');
      for (let i = 0; i < m * k + k * n; i++) mem[i] = r.normal();
      addon.gemm(mem.buffer, 0, m * k * 4, (m * k + k * n) * 4, [1, 1, 1, m, n, k, 0, 1], threads);
      return mem.slice(m * k + k * n);
    };
    const one = run(1);
    assert.deepEqual(run(2), one);
    assert.deepEqual(run(3), one);
  });

  it('the kept worker threads give the 1-thread result call after call, across shapes, batches and thread counts', () => {
    const addon = loadNativeAddon()!;
    const r = new Rng('pool-shapes');
    const counts = [2, 4, 3, 2, 1, 5];
    for (let call = 0; call < 60; call++) {
      const batch = 1 + r.int(4);
      const [m, n, k] = [64 + r.int(400), 16 + r.int(200), 8 + r.int(160)];
      const ta = r.int(2), tb = r.int(2);
      const size = batch * (m * k + k * n + m * n);
      const data = Float32Array.from({ length: batch * (m * k + k * n) }, () => r.normal());
      const run = (threads: number) => {
        const mem = new Float32Array(size);
        mem.set(data);
        addon.gemm(mem.buffer, 0, batch * m * k * 4, batch * (m * k + k * n) * 4, [batch, batch, batch, m, n, k, ta, tb], threads);
        return mem.slice(batch * (m * k + k * n));
      };
      assert.deepEqual(run(counts[call % counts.length]), run(1), `call ${call}: ${batch} x ${m}x${n}x${k}`);
    }
  });

  it('MOLT_THREADS: default 1, a positive integer, anything else refused naming the variable', () => {
    const saved = process.env.MOLT_THREADS;
    try {
      delete process.env.MOLT_THREADS;
      assert.equal(nativeThreads(), 1);
      process.env.MOLT_THREADS = '3';
      assert.equal(nativeThreads(), 3);
      for (const bad of ['0', '-2', '1.5', 'two']) {
        process.env.MOLT_THREADS = bad;
        assert.throws(() => nativeThreads(), new RegExp(`MOLT_THREADS must be a positive integer, got '${bad}'`));
      }
    } finally {
      if (saved === undefined) delete process.env.MOLT_THREADS;
      else process.env.MOLT_THREADS = saved;
    }
  });

  it('refuses operands that run past the memory or a malformed shape, instead of touching it', () => {
    const addon = loadNativeAddon()!;
    const mem = new Float32Array(10);
    assert.throws(() => addon.gemm(mem.buffer, 0, 16, 28, [1, 1, 1, 2, 2, 2, 0, 0], 1), /operand c runs past the end of memory/);
    assert.throws(() => addon.gemm(mem.buffer, 2, 0, 0, [1, 1, 1, 1, 1, 1, 0, 0], 1), /offsets must be non-negative multiples of 4/);
    assert.throws(() => addon.gemm(mem.buffer, 0, 0, 0, [1, 1, 1], 1), /shape must be \[batch, batchA, batchB, m, n, k, transA, transB\]/);
    assert.throws(() => addon.gemm(mem.buffer, 0, 0, 0, [2, 3, 1, 1, 1, 1, 0, 0], 1), /batchA and batchB must be 1 or batch/);
    assert.throws(() => addon.gemm(mem.buffer, 0, 0, 0, [1, 1, 1, 1, 1, 1, 0, 0], 0), /threads must be a positive integer/);
  });

  it('every offset-array kernel refuses malformed arguments (TypeError naming its signature) and operands past the memory (RangeError)', () => {
    const addon = loadNativeAddon()!;
    const m = new Float32Array(10).buffer; // 40 bytes
    const z = (k: number) => Array.from({ length: k }, () => 0);
    const shape = [1, 1, 1, 2, 2, 2];
    const cases: [string, () => void, () => void, () => void][] = [
      // name, a call that fits, one with an odd offset, one that runs past the end
      ['adamwStep', () => addon.adamwStep(m, z(7), 2, z(10)), () => addon.adamwStep(m, [2, ...z(6)], 2, z(10)), () => addon.adamwStep(m, [32, ...z(6)], 3, z(10))],
      ['rmsNorm', () => addon.rmsNorm(m, z(4), 2, 2, 1e-6, false), () => addon.rmsNorm(m, [0, 0, 6, 0], 2, 2, 1e-6, false), () => addon.rmsNorm(m, [0, 0, 28, 0], 2, 2, 1e-6, false)],
      ['rmsNormGrad', () => addon.rmsNormGrad(m, z(6), 2, 2, true), () => addon.rmsNormGrad(m, [1, ...z(5)], 2, 2, true), () => addon.rmsNormGrad(m, [...z(5), 36], 2, 2, true)],
      ['glu', () => addon.glu(m, z(3), 4, 0), () => addon.glu(m, z(3), 4, 2), () => addon.glu(m, [0, 0, 28], 4, 1)],
      ['gluGrad', () => addon.gluGrad(m, z(5), 4, 1), () => addon.gluGrad(m, z(4), 4, 1), () => addon.gluGrad(m, [24, ...z(4)], 5, 0)],
      ['attention', () => addon.attention(m, z(6), [1, 1, 1, 1, 1, 2], 1), () => addon.attention(m, z(6), [1, 1, 1], 1), () => addon.attention(m, [...z(4), 32, 0], shape, 1)],
      ['attentionGrad', () => addon.attentionGrad(m, z(8), [1, 1, 1, 1, 1, 2], 1), () => addon.attentionGrad(m, z(7), shape, 1), () => addon.attentionGrad(m, [...z(7), 32], shape, 1)],
      ['embeddingGather', () => addon.embeddingGather(m, z(3), 2, 2, 2), () => addon.embeddingGather(m, z(3), 2, -1, 2), () => addon.embeddingGather(m, [0, 0, 28], 2, 2, 2)],
      ['embeddingScatterAdd', () => addon.embeddingScatterAdd(m, z(3), 2, 2, 2, -1), () => addon.embeddingScatterAdd(m, z(3), 2, 2, 2.5, -1), () => addon.embeddingScatterAdd(m, [0, 0, 28], 2, 2, 2, -1)],
    ];
    for (const [name, fits, malformed, past] of cases) {
      assert.doesNotThrow(fits, name);
      assert.throws(malformed, (e: Error) => e instanceof TypeError && e.message.startsWith(`${name}(memory, offsets[`) && e.message.endsWith('bad arguments'), name);
      assert.throws(past, (e: Error) => e instanceof RangeError && e.message === `${name}: an operand runs past the end of memory`, name);
    }
  });
});
