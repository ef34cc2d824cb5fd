// Generation: the KV cache reproduces naive re-running of the full forward,
// sampling is seeded, rows stop at eos.
import { strict as assert } from 'assert';
import { initBackend } from '../../core/engine/backend';
import { tf } from '../../core/engine/tf';
import { generate, generateDetailed } from '../../core/model/generate';
import { hookName } from '../../core/model/types';
import { ARCHS, maxAbsDiff, microModel } from './helpers';

// different lengths, so rows are left-padded differently
const PROMPTS = [
  [2, 11, 5, 17, 23],
  [2, 8],
  [2, 30, 12, 9, 14, 21, 6],
];

for (const arch of ARCHS) {
  describe(`${arch.id} generation`, () => {
    before(async () => {
      await initBackend('wasm');
    });

    it('KV-cache greedy decoding equals naive re-running of the forward (tokens and logits)', () => {
      const m = microModel(arch);
      // 10 new tokens: longer than Gemma3 micro's window of 4, so local caches get trimmed
      const opts = { maxNewTokens: 10, temperature: 1, greedy: true, seed: 1, eosId: -1, recordLogits: true };
      const cached = generateDetailed(m, PROMPTS, opts);
      const naive = generateDetailed(m, PROMPTS, { ...opts, useCache: false });
      assert.deepEqual(cached.tokens, naive.tokens);
      assert.equal(cached.stepLogits.length, 10);
      cached.stepLogits.forEach((l, i) => assert.ok(maxAbsDiff(l, naive.stepLogits[i]) < 1e-5, `step ${i}`));
      assert.ok(cached.tokens.every((t) => t.length === 10));
      m.dispose();
    });

    it('forwardStep in chunks (left-padded first chunk) gives the logits of one full forward', () => {
      const m = microModel(arch);
      const ids = [[0, 0, 2, 11, 5, 17, 23, 8, 30, 12], [2, 30, 12, 9, 14, 21, 6, 4, 19, 25]];
      const mask = [[0, 0, 1, 1, 1, 1, 1, 1, 1, 1], new Array(10).fill(1)];
      const full = m.forward(tf.tensor2d(ids, [2, 10], 'int32'), { attentionMask: tf.tensor2d(mask, [2, 10]) }).logits;
      const cache = m.initCache(2);
      const parts: tf.Tensor[] = [];
      for (const [a, b] of [[0, 3], [3, 5], [5, 6], [6, 10]]) {
        const chunk = (rows: number[][]) => rows.map((r) => r.slice(a, b));
        parts.push(m.forwardStep(tf.tensor2d(chunk(ids), [2, b - a], 'int32'), cache, { attentionMask: tf.tensor2d(chunk(mask), [2, b - a]) }).logits);
      }
      assert.equal(cache.length, 10);
      const stepped = tf.concat(parts, 1);
      // compare real positions only (padded queries attend to nothing real)
      const f = full.arraySync() as number[][][];
      const s = stepped.arraySync() as number[][][];
      for (let b = 0; b < 2; b++)
        for (let t = 0; t < 10; t++) if (mask[b][t]) assert.ok(maxAbsDiff(f[b][t], s[b][t]) < 1e-5, `row ${b} pos ${t}`);
      cache.dispose();
      m.dispose();
    });

    it('KV-cache equals naive with a steering intervention at every position', () => {
      const m = microModel(arch);
      const vector = Array.from({ length: m.hiddenSize }, (_, i) => Math.sin(i));
      const opts = {
        maxNewTokens: 6, temperature: 1, greedy: true, seed: 1, eosId: -1, recordLogits: true,
        interventions: [{ hook: hookName(1, 'hook_resid_pre'), vector, scale: 3, positions: 'all' as const }],
      };
      const cached = generateDetailed(m, PROMPTS, opts);
      const naive = generateDetailed(m, PROMPTS, { ...opts, useCache: false });
      const plain = generateDetailed(m, PROMPTS, { ...opts, interventions: [] });
      assert.deepEqual(cached.tokens, naive.tokens);
      cached.stepLogits.forEach((l, i) => assert.ok(maxAbsDiff(l, naive.stepLogits[i]) < 1e-5, `step ${i}`));
      assert.ok(maxAbsDiff(cached.stepLogits[0], plain.stepLogits[0]) > 1e-3, 'the intervention has an effect');
      m.dispose();
    });

    it('a row generates the same alone as inside a padded batch', () => {
      const m = microModel(arch);
      const opts = { maxNewTokens: 6, temperature: 1, seed: 9, eosId: -1 };
      const batch = generate(m, PROMPTS, opts);
      const alone = generate(m, [PROMPTS[0]], opts);
      assert.deepEqual(alone[0], batch[0]);
      m.dispose();
    });

    it('sampling is deterministic for a seed and differs for another seed (temperature 1)', () => {
      const m = microModel(arch);
      const opts = { maxNewTokens: 8, temperature: 1, eosId: -1 };
      const a = generate(m, PROMPTS, { ...opts, seed: 1 });
      const b = generate(m, PROMPTS, { ...opts, seed: 1 });
      const c = generate(m, PROMPTS, { ...opts, seed: 2 });
      assert.deepEqual(a, b);
      assert.notDeepEqual(a, c);
      m.dispose();
    });

    it('each row stops at eos (eos not returned) and leaks no tensors', () => {
      const m = microModel(arch);
      const greedy = { maxNewTokens: 5, temperature: 1, greedy: true, seed: 1, eosId: -1 };
      const free = generate(m, PROMPTS, greedy);
      const before = tf.memory().numTensors;
      // make row 1's third greedy token the eos
      const eos = free[1][2];
      const r = generateDetailed(m, PROMPTS, { ...greedy, eosId: eos });
      assert.deepEqual(r.tokens[1], free[1].slice(0, free[1].indexOf(eos)));
      assert.equal(r.finished[1], true);
      for (const b of [0, 2]) {
        const stop = free[b].indexOf(eos);
        assert.deepEqual(r.tokens[b], stop >= 0 ? free[b].slice(0, stop) : free[b]);
      }
      assert.equal(tf.memory().numTensors, before);
      m.dispose();
    });
  });
}
