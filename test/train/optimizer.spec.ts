import { strict as assert } from 'assert';
import { tf } from '../../core/engine/tf';
import { initBackend } from '../../core/engine/backend';
import { AdamW, clipByGlobalNorm, decays } from '../../core/train/optimizer';
import { lrAt } from '../../core/train/schedule';

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

function params(): Map<string, tf.Variable> {
  return new Map<string, tf.Variable>([
    ['model.layers.0.mlp.up_proj.weight', tf.variable(tf.tensor2d([[1, -2]]))],
    ['model.layers.0.input_layernorm.weight', tf.variable(tf.tensor1d([1, -2]))],
    ['model.embed_tokens.weight', tf.variable(tf.tensor2d([[1, -2]]))],
  ]);
}

function gradsLike(ps: Map<string, tf.Variable>, g: number[]): Map<string, tf.Tensor> {
  return new Map([...ps].map(([k, p]) => [k, tf.tensor(g, p.shape)]));
}

describe('train/optimizer', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('decays weight matrices only, not norms or embeddings', () => {
    assert.equal(decays('model.layers.0.mlp.up_proj.weight', [4, 2]), true);
    assert.equal(decays('model.layers.0.input_layernorm.weight', [4]), false);
    assert.equal(decays('model.embed_tokens.weight', [10, 4]), false);
  });

  it('AdamW: two steps match hand-computed values', () => {
    // lr 0.1, wd 0.1, b1 0.9, b2 0.999; p = [1, -2]; g1 = [0.5, 1], g2 = [-1, 1]
    // step 1: mhat = g, vhat = g^2 -> update = sign(g) = [1, 1]
    //   decayed p = p - 0.01 p - 0.1 = [0.89, -2.08]; plain p = [0.9, -2.1]
    // step 2, elem 0: m = 0.9*0.05 - 0.1 = -0.055, v = 0.999*0.00025 + 0.001 = 0.00124975
    //   mhat = -0.055/0.19, vhat = 0.00124975/0.001999 -> update = -0.3661035
    // step 2, elem 1: m = 0.19, v = 0.001999 -> mhat = vhat = 1 -> update = 1
    const ps = params();
    const opt = new AdamW(ps, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, maxGradNorm: 0 });
    for (const g of [[0.5, 1], [-1, 1]]) {
      const grads = gradsLike(ps, g);
      opt.apply(grads, 0.1);
      grads.forEach((t) => t.dispose());
    }
    assert.equal(opt.step, 2);
    const w = ps.get('model.layers.0.mlp.up_proj.weight')!.dataSync();
    close(w[0], 0.89 - 0.0089 + 0.03661035);
    close(w[1], -2.08 + 0.0208 - 0.1);
    for (const name of ['model.layers.0.input_layernorm.weight', 'model.embed_tokens.weight']) {
      const p = ps.get(name)!.dataSync();
      close(p[0], 0.9 + 0.03661035);
      close(p[1], -2.1 - 0.1);
    }
    opt.dispose();
  });

  it('clips by global norm like clip_grad_norm_', () => {
    // norm of [3] and [4] is 5; to max 1 -> scale 1 / (5 + 1e-6)
    const g = new Map([['a', tf.tensor1d([3])], ['b', tf.tensor1d([4])]]);
    const { grads, clip } = clipByGlobalNorm(g, 1);
    close(clip.norm, 5);
    close(grads.get('a')!.dataSync()[0], 0.59999988);
    close(grads.get('b')!.dataSync()[0], 0.79999984);
    const none = clipByGlobalNorm(g, 10);
    assert.equal(none.clip.scale, 1);
    assert.equal(none.grads.get('b')!.dataSync()[0], 4);
  });

  it('state export/import resumes identically', () => {
    const a = params();
    const b = params();
    const cfg = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, maxGradNorm: 1 };
    const oa = new AdamW(a, cfg);
    const gs = [[0.5, 1], [-1, 1], [2, -3]];
    for (const g of gs) oa.apply(gradsLike(a, g), 0.05);
    // b: one step, export, new optimizer, import, two more steps
    const ob = new AdamW(b, cfg);
    ob.apply(gradsLike(b, gs[0]), 0.05);
    const state = ob.exportState();
    ob.dispose();
    const ob2 = new AdamW(b, cfg);
    ob2.importState(state);
    for (const g of gs.slice(1)) ob2.apply(gradsLike(b, g), 0.05);
    for (const [k, p] of a) assert.deepEqual(Array.from(b.get(k)!.dataSync()), Array.from(p.dataSync()), k);
  });

  it('optimizer steps do not leak tensors', () => {
    const ps = params();
    const opt = new AdamW(ps, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, maxGradNorm: 1 });
    const g = gradsLike(ps, [3, 4]);
    opt.apply(g, 0.1);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) opt.apply(g, 0.1);
    assert.equal(tf.memory().numTensors, before);
  });

  it('schedules: warmup, cosine, linear, constant', () => {
    const base = { peakLr: 1, warmupSteps: 2, totalSteps: 6, minLrRatio: 0 };
    // warmup: (step + 1) / 2
    close(lrAt({ ...base, kind: 'cosine' }, 0), 0.5);
    close(lrAt({ ...base, kind: 'cosine' }, 1), 1);
    // after warmup p = (step - 2) / 4: cosine 0.5 (1 + cos(pi p))
    close(lrAt({ ...base, kind: 'cosine' }, 2), 1);
    close(lrAt({ ...base, kind: 'cosine' }, 4), 0.5);
    close(lrAt({ ...base, kind: 'cosine' }, 5), 0.5 * (1 + Math.cos((Math.PI * 3) / 4)));
    close(lrAt({ ...base, kind: 'cosine', minLrRatio: 0.1 }, 4), 0.1 + 0.9 * 0.5);
    close(lrAt({ ...base, kind: 'linear' }, 5), 0.25);
    close(lrAt({ ...base, kind: 'constant' }, 5), 1);
    close(lrAt({ ...base, kind: 'constant' }, 0), 0.5);
  });
});
