import { strict as assert } from 'assert';
import { existsSync, mkdtempSync, rmSync, readdirSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { tf } from '../../core/engine/tf';
import { initBackend } from '../../core/engine/backend';
import { Rng } from '../../core/engine/rng';
import type { CausalLM } from '../../core/model/types';
import { olmo2Architecture } from '../../plugins/architectures/olmo2';
import { collate, packDocuments, type LmExample } from '../../core/train/batching';
import { batchIndices, lossLimit, train, type Progress, type TrainConfig } from '../../core/train/loop';
import type { Objective } from '../../core/train/objectives';
import { computeReferenceLogProbs, dpoObjective, nextTokenObjective, type PreferenceExample } from '../../core/train/objectives';
import { DEFAULT_ADAMW } from '../../core/train/optimizer';

const VOCAB = 24;
function microModel(seed = 1): CausalLM {
  return olmo2Architecture.init(olmo2Architecture.config('micro', { vocabSize: VOCAB }), new Rng(seed));
}

/** counting sequences: <bos> k k+1 k+2 ... (mod 16, offset 7) <eos> */
function countingDocs(n: number, rng: Rng): number[][] {
  return Array.from({ length: n }, () => {
    const start = rng.int(16);
    return [2, ...Array.from({ length: 6 }, (_, i) => 7 + ((start + i) % 16)), 3];
  });
}

function config(over: Partial<TrainConfig> = {}): TrainConfig {
  return {
    steps: 30,
    batchSize: 8,
    schedule: { kind: 'constant', peakLr: 1e-2, warmupSteps: 2 },
    optimizer: { ...DEFAULT_ADAMW, weightDecay: 0.01 },
    seed: 7,
    logEvery: 5,
    checkpointEvery: 0,
    ...over,
  };
}

function snapshot(m: CausalLM): Map<string, number[]> {
  return new Map([...m.params].map(([k, v]) => [k, Array.from(v.dataSync())]));
}

describe('train/batching', () => {
  it('collate right-pads and shifts targets and weights by one', () => {
    const b = collate(
      [
        { ids: [2, 10, 11, 3], lossMask: [0, 0, 1, 1] },
        { ids: [2, 12], lossMask: [1, 1] },
      ],
      0,
      16,
    );
    assert.equal(b.length, 4);
    assert.deepEqual(Array.from(b.ids), [2, 10, 11, 3, 2, 12, 0, 0]);
    assert.deepEqual(Array.from(b.targets), [10, 11, 3, 0, 12, 0, 0, 0]);
    assert.deepEqual(Array.from(b.weights), [0, 1, 1, 0, 1, 0, 0, 0]);
    assert.equal(b.tokens, 6);
    assert.equal(b.targetTokens, 3);
  });

  it('collate truncates to the context', () => {
    const b = collate([{ ids: [1, 2, 3, 4, 5], lossMask: [1, 1, 1, 1, 1] }], 0, 3);
    assert.deepEqual(Array.from(b.ids), [1, 2, 3]);
    assert.deepEqual(Array.from(b.weights), [1, 1, 0]);
  });

  it('packDocuments cuts the concatenated stream into context windows', () => {
    const ex = packDocuments([[2, 5, 3], [2, 6, 6, 3], [2, 7, 3]], 4);
    assert.deepEqual(ex.map((e) => e.ids), [[2, 5, 3, 2], [6, 6, 3, 2], [7, 3]]);
    assert.ok(ex.every((e) => e.lossMask.every((m) => m === 1)));
  });

  it('batch order: each epoch a seeded permutation, a pure function of the step', () => {
    const epoch0 = [0, 1, 2].flatMap((s) => batchIndices(10, 3, 'x', s));
    assert.equal(new Set(epoch0).size, 9);
    assert.deepEqual(batchIndices(10, 3, 'x', 4), batchIndices(10, 3, 'x', 4));
    assert.notDeepEqual([3, 4, 5].flatMap((s) => batchIndices(10, 3, 'x', s)), epoch0);
    assert.notDeepEqual(batchIndices(10, 3, 'y', 0), batchIndices(10, 3, 'x', 0));
  });
});

describe('train/loop', () => {
  let dir: string;
  before(async () => {
    await initBackend('wasm');
    dir = mkdtempSync(path.join(tmpdir(), 'molt-loop-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const data = () => packDocuments(countingDocs(64, new Rng('docs')), 16);

  it('lowers the next-token loss on a tiny dataset and reports progress', async () => {
    const model = microModel();
    const reports: Progress[] = [];
    const res = await train(model, nextTokenObjective(data(), { padId: 0, maxLength: 64 }), config(), { onProgress: (p) => reports.push(p) });
    // a second run on the warmed-up model (lazy caches built) must not grow the tensor count
    const before = tf.memory().numTensors;
    await train(model, nextTokenObjective(data(), { padId: 0, maxLength: 64 }), config({ steps: 5 }));
    assert.equal(tf.memory().numTensors, before, 'no tensors leaked by the loop');
    assert.equal(res.steps, 30);
    assert.equal(reports.length, 6);
    assert.ok(reports.every((r) => r.tokensPerSec > 0 && r.etaSec >= 0 && r.lr > 0));
    assert.equal(reports[5].etaSec, 0);
    const first = res.log[0].loss;
    // starts near ln(24) = 3.18; the counting pattern is easy to learn
    assert.ok(first > 2.5, `first window loss ${first}`);
    assert.ok(res.finalLoss < first * 0.6, `loss ${first} -> ${res.finalLoss}`);
    model.dispose();
  });

  it('an interrupted run resumes to bit-identical weights', async () => {
    const objective = () => nextTokenObjective(data(), { padId: 0, maxLength: 64 });
    const cfg = config({ steps: 8, checkpointEvery: 2, logEvery: 1, schedule: { kind: 'cosine', peakLr: 1e-2, warmupSteps: 3 } });

    const straight = microModel();
    const a = await train(straight, objective(), cfg);

    const work = path.join(dir, 'resume');
    const crashed = microModel();
    await assert.rejects(
      train(crashed, objective(), cfg, {
        workDir: work,
        fingerprint: 'run-a',
        onProgress: (p) => {
          if (p.step === 5) throw new Error('simulated crash');
        },
      }),
      /simulated crash/,
    );
    crashed.dispose();
    assert.deepEqual(readdirSync(work).sort(), ['latest.json', 'state-00000004']);

    // a fresh process would build a fresh model: resume must overwrite it fully
    const resumed = microModel(99);
    const b = await train(resumed, objective(), cfg, { workDir: work, fingerprint: 'run-a' });
    assert.equal(b.resumedFrom, 4);
    assert.equal(b.steps, 8);
    const sa = snapshot(straight);
    for (const [k, v] of snapshot(resumed)) assert.deepEqual(v, sa.get(k), `parameter ${k} differs after resume`);
    assert.deepEqual(b.log.map((e) => e.loss), a.log.map((e) => e.loss));

    await assert.rejects(train(microModel(), objective(), cfg, { workDir: work, fingerprint: 'run-b' }), /another run/);
  });

  it('shouldStop ends a run early with its state saved; the next call finishes it', async () => {
    const work = path.join(dir, 'stop');
    const objective = nextTokenObjective(data(), { padId: 0, maxLength: 64 });
    const cfg = config({ steps: 6, checkpointEvery: 0, logEvery: 2 });
    const first = await train(microModel(), objective, cfg, { workDir: work, shouldStop: (s) => s === 3 });
    assert.equal(first.stopped, true);
    assert.equal(first.steps, 3);
    const second = await train(microModel(), objective, cfg, { workDir: work });
    assert.equal(second.resumedFrom, 3);
    assert.equal(second.steps, 6);
    assert.equal(second.stopped, false);
  });

  it('divergence: a step loss far above its running level, or weights broken by the last update, stop the run naming it and the step', async () => {
    // the limit: 4 x level + 10 nats; a small loss's relative noise never reaches it
    assert.equal(lossLimit(7.5), 40);
    assert.ok(Math.abs(lossLimit(0.05) - 10.2) < 1e-12);
    const work = path.join(dir, 'diverged');
    // a learning rate of 1e300: the first loss is read before the update, the weights after it, before any state is saved
    const one = config({ steps: 4, checkpointEvery: 1, schedule: { kind: 'constant', peakLr: 1e300, warmupSteps: 0 } });
    await assert.rejects(
      train(microModel(), nextTokenObjective(data(), { padId: 0, maxLength: 64 }), one, { label: 'test pretrain', workDir: work }),
      /^MoltError: test pretrain: training diverged at step 1: \d+ of \d+ weights are NaN or infinite \(first in \S+\) after its update \(learning rate 1e\+300\); stopped without saving/,
    );
    assert.ok(!existsSync(work), 'no state saved');
    // an objective whose fourth batch has a loss 1e6 times too high
    const inner = nextTokenObjective(data(), { padId: 0, maxLength: 64 });
    let batches = 0;
    const spiky: Objective<{ b: ReturnType<typeof inner.makeBatch>; n: number }> = {
      kind: 'spiky',
      size: inner.size,
      makeBatch: (idx) => ({ b: inner.makeBatch(idx), n: ++batches }),
      tokens: (x) => inner.tokens(x.b),
      loss: (m, x) => {
        const out = inner.loss(m, x.b);
        return x.n === 4 ? { ...out, loss: out.loss.mul(1e6) } : out;
      },
    };
    await assert.rejects(train(microModel(), spiky, config({ steps: 8 })), /^MoltError: spiky: training diverged at step 4: loss \S+ is far above its running level (\S+) \(limit \S+\)/);
  });

  it('DPO with cached reference log-probs raises the reward accuracy', async () => {
    // prompt "<bos> <|user|> k <|assistant|>"; chosen answers k+1, rejected k+2
    const rng = new Rng('pairs');
    const pairs: PreferenceExample[] = Array.from({ length: 32 }, () => {
      const k = 7 + rng.int(14);
      const ex = (answer: number): LmExample => ({ ids: [2, 4, k, 5, answer, 3], lossMask: [0, 0, 0, 0, 1, 1] });
      return { chosen: ex(k + 1), rejected: ex(k + 2) };
    });
    const model = microModel(3);
    const opts = { padId: 0, maxLength: 64, beta: 0.5, lossType: 'dpo_norm' as const };
    const ref = computeReferenceLogProbs(model, pairs, 16, opts);
    assert.ok(ref.chosen.every((x) => x < 0 && Number.isFinite(x)));
    const res = await train(model, dpoObjective(pairs, ref, opts), config({ steps: 24, logEvery: 4, schedule: { kind: 'constant', peakLr: 5e-3, warmupSteps: 0 } }));
    const first = res.log[0];
    const last = res.log[res.log.length - 1];
    assert.ok(Math.abs(first['rewards/margins']) < 0.5, `policy starts at the reference: margin ${first['rewards/margins']}`);
    assert.ok(last['rewards/accuracies'] > 0.9, `accuracy ${last['rewards/accuracies']}`);
    assert.ok(last.loss < first.loss, `loss ${first.loss} -> ${last.loss}`);
    assert.ok(last['rewards/margins'] > 0);
    model.dispose();
  });
});
