import { strict as assert } from 'node:assert';
import { initBackend, backendInfo, explainBackendError } from '../../core/engine/backend';
import { tf } from '../../core/engine/tf';
import { linear, matmul } from '../../core/engine/ops';
import { Rng } from '../../core/engine/rng';

describe('engine', () => {
  after(async () => {
    await initBackend('wasm'); // leave the fast backend for the specs that follow
  });

  it('auto skips the native packages that cannot load here and names why', async () => {
    const info = await initBackend('auto');
    assert.equal(info.requested, 'auto');
    assert.ok(['tensorflow', 'wasm'].includes(info.name));
    if (info.name === 'wasm') {
      assert.equal(info.skipped.length, 2);
      assert.match(info.skipped[0], /^tensorflow-gpu: /);
      assert.match(info.skipped[1], /^tensorflow: /);
    }
    assert.equal(backendInfo(), info);
  });

  it('an explicit native backend that cannot load is a clear error; cpu and wasm load', async () => {
    let nativeLoads = true;
    try {
      require.resolve('@tensorflow/tfjs-node');
    } catch {
      nativeLoads = false;
    }
    if (!nativeLoads) {
      await assert.rejects(initBackend('tensorflow'), /backend 'tensorflow' could not be loaded: tensorflow: @tensorflow\/tfjs-node is not installed \(it is optional: `npm install @tensorflow\/tfjs-node` in molt's folder\)$/);
    }
    await assert.rejects(initBackend('tpu' as never), /unknown backend 'tpu'; valid: auto, wasm, cpu, tensorflow, tensorflow-gpu/);
    assert.equal((await initBackend('cpu')).name, 'cpu');
    assert.equal((await initBackend('wasm')).name, 'wasm');
  });

  it('linear and matmul have the values and gradients of the plain products (explicit-transpose paths)', async () => {
    await initBackend('wasm');
    const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const w = tf.tensor2d([[1, 0, -1], [2, 1, 0]]); // [out 2, in 3]
    assert.deepEqual(await linear(x, w).array(), [[-2, 4], [-2, 13]]);
    const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => linear(a, b).square().sum())([x, w]);
    const [ex, ew] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, false, true).square().sum())([x, w]);
    assert.deepEqual(await gx.array(), await ex.array());
    assert.deepEqual(await gw.array(), await ew.array());
    const a = tf.tensor3d([[[1, 2], [3, 4]]]);
    const b = tf.tensor3d([[[0, 1], [1, 0]]]);
    assert.deepEqual(await matmul(a, b).array(), [[[2, 1], [4, 3]]]);
    const [ga, gb] = tf.grads((p: tf.Tensor, q: tf.Tensor) => matmul(p, q).mul(tf.tensor3d([[[1, 2], [3, 4]]])).sum())([a, b]);
    // d/da sum(G * (a b)) = G b^T ; d/db = a^T G
    assert.deepEqual(await ga.array(), [[[2, 1], [4, 3]]]);
    assert.deepEqual(await gb.array(), [[[10, 14], [14, 20]]]);
  });

  it('Rng streams are reproducible and independent by name', () => {
    const a = new Rng(5).fork('init');
    const b = new Rng(5).fork('init');
    const c = new Rng(5).fork('data');
    const xa = Array.from({ length: 5 }, () => a.next());
    assert.deepEqual(xa, Array.from({ length: 5 }, () => b.next()));
    assert.notDeepEqual(xa, Array.from({ length: 5 }, () => c.next()));
    assert.deepEqual(new Rng(1).shuffle([1, 2, 3, 4, 5, 6]), new Rng(1).shuffle([1, 2, 3, 4, 5, 6]));
    assert.deepEqual([...new Rng(1).shuffle([1, 2, 3, 4, 5, 6])].sort(), [1, 2, 3, 4, 5, 6]);
  });
});

describe('explainBackendError', () => {
  it("turns the wasm module's bare Aborted() into one line naming the likely cause and the way out; other messages pass unchanged", () => {
    for (const raw of ['Aborted(). Build with -sASSERTIONS for more info.', 'RuntimeError: Aborted(). Build with -sASSERTIONS for more info.', 'Aborted(OOM)']) {
      const msg = explainBackendError(raw);
      assert.match(msg, /^the wasm backend aborted \(Aborted\([^)]*\)\), most often because its memory \(at most 4 GiB/);
      assert.match(msg, /use --backend cpu/);
      assert.ok(!msg.includes('\n') && !msg.includes('ASSERTIONS'), msg);
    }
    for (const raw of ['TypeError: x is not a function', 'shape mismatch: Aborted() later in the text']) assert.equal(explainBackendError(raw), raw);
  });
});
