// generateBatches runs several generate() batches in one pass over the model
// (batches of equal padded length share it, a prompt's repeats share one
// prefill, finished rows leave the pass); it must give what generate() gives
// for each batch alone, token for token and logits bit for bit.
import { strict as assert } from 'assert';
import { initBackend } from '../../core/engine/backend';
import { Rng } from '../../core/engine/rng';
import { tf } from '../../core/engine/tf';
import { generate, generateBatches, generateDetailed, type PromptBatch } from '../../core/model/generate';
import { samplingDistribution, sampleToken } from '../../core/model/sampling';
import { hookName } from '../../core/model/types';
import { ARCHS, microModel, VOCAB } from './helpers';

const LONG = Array.from({ length: 26 }, (_, i) => (i === 0 ? 2 : 4 + ((i * 7) % 33)));
// Padded lengths 5, 7, 5, 3, 7, 20, 20, 26: batches 0 and 2 (1 and 4, 5 and 6)
// share passes; repeated prompts share a prefill; batches 3 and 7 are alone.
const BATCHES: PromptBatch[] = [
  { prompts: [[2, 11, 5, 17, 23], [2, 8], [2, 11, 5, 17, 23], [2, 8], [2, 9, 9]], seed: 's/0' },
  { prompts: [[2, 30, 12, 9, 14, 21, 6], [2, 4], [2, 4], [2, 30, 12, 9, 14, 21, 6]], seed: 's/1' },
  { prompts: [[2, 6, 6, 7, 8], [2, 6, 6, 7, 8], [2, 6, 6, 7, 8]], seed: 's/2' },
  { prompts: [[2, 3, 19], [2, 19]], seed: 's/3' },
  { prompts: [[2, 8], [2, 5, 5, 5, 5, 5, 5]], seed: 's/4' },
  // long enough (with the answers) for the attention's 16-lane row sums
  { prompts: [LONG.slice(0, 20), LONG.slice(3, 9), LONG.slice(1, 20)], seed: 's/5' },
  { prompts: [LONG.slice(5, 25), LONG.slice(0, 12)], seed: 's/6' },
  { prompts: [LONG.slice(2, 26), LONG.slice(0, 26)], seed: 's/7' },
];

/** Logits bit for bit (NaN-safe, -0 distinguished). */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const [ua, ub] = [new Uint32Array(a.buffer, a.byteOffset, a.length), new Uint32Array(b.buffer, b.byteOffset, b.length)];
  return ua.every((x, i) => x === ub[i]);
}

/** A token most rows draw somewhere in the middle of their answer: as eos, rows stop at different steps. */
function commonToken(outs: number[][][]): number {
  const counts = new Map<number, number>();
  for (const rows of outs) for (const row of rows) for (const t of row.slice(1, 6)) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts].sort((x, y) => y[1] - x[1] || x[0] - y[0])[0][0];
}

for (const arch of ARCHS) {
  describe(`${arch.id} generateBatches`, () => {
    before(async () => {
      await initBackend('wasm');
    });

    for (const [label, sampling] of [
      ['temperature 1', { temperature: 1 }],
      ['temperature 0.7', { temperature: 0.7 }],
      ['greedy', { temperature: 0, greedy: true }],
    ] as const) {
      it(`equals generate() per batch, tokens and logits bit for bit, with rows stopping at eos (${label})`, () => {
        const m = microModel(arch);
        // 10 new tokens: longer than Gemma3 micro's window of 4, so local caches get trimmed
        const base = { ...sampling, maxNewTokens: 10 };
        const eosId = commonToken(BATCHES.map((b) => generate(m, b.prompts, { ...base, seed: b.seed, eosId: -1 })));
        const before = tf.memory().numTensors;
        for (const maxRows of [512, 4]) {
          const together = generateBatches(m, BATCHES, { ...base, eosId, maxRows, recordLogits: true });
          let stopped = 0;
          BATCHES.forEach((b, i) => {
            const alone = generateDetailed(m, b.prompts, { ...base, seed: b.seed, eosId, recordLogits: true });
            assert.deepEqual(together[i].tokens, alone.tokens, `batch ${i} tokens (maxRows ${maxRows})`);
            assert.deepEqual(together[i].finished, alone.finished, `batch ${i} finished`);
            const V = m.vocabSize;
            b.prompts.forEach((_, r) => {
              const drawn = alone.tokens[r].length + (alone.finished[r] ? 1 : 0);
              assert.equal(together[i].rowLogits[r].length, drawn, `batch ${i} row ${r}: one logits row per token drawn`);
              together[i].rowLogits[r].forEach((l, step) =>
                assert.ok(sameBits(l, alone.stepLogits[step].subarray(r * V, (r + 1) * V)), `batch ${i} row ${r} step ${step}: logits differ`),
              );
              if (alone.finished[r]) stopped++;
            });
          });
          assert.ok(stopped >= 3, `only ${stopped} rows stopped at eos: the test would not exercise finished rows leaving a pass`);
        }
        assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
        m.dispose();
      });
    }

    it('equals generate() with a steering intervention at every position', () => {
      const m = microModel(arch);
      const vector = Array.from({ length: m.hiddenSize }, (_, i) => Math.cos(i));
      const opts = { maxNewTokens: 6, temperature: 1, eosId: -1, interventions: [{ hook: hookName(0, 'hook_resid_post'), vector, scale: 2, positions: 'all' as const }] };
      const together = generateBatches(m, BATCHES, opts);
      BATCHES.forEach((b, i) => assert.deepEqual(together[i].tokens, generate(m, b.prompts, { ...opts, seed: b.seed }), `batch ${i}`));
      m.dispose();
    });

    it('an end id (endIds: a chat model\'s end of turn) ends a row exactly as eos does, in generate() and generateBatches()', () => {
      const m = microModel(arch);
      const base = { temperature: 1, maxNewTokens: 10 };
      const stop = commonToken(BATCHES.map((b) => generate(m, b.prompts, { ...base, seed: b.seed, eosId: -1 })));
      const asEos = generateBatches(m, BATCHES, { ...base, eosId: stop });
      const asEnd = generateBatches(m, BATCHES, { ...base, eosId: -1, endIds: [VOCAB + 7, stop] });
      BATCHES.forEach((b, i) => {
        assert.deepEqual(asEnd[i].tokens, asEos[i].tokens, `batch ${i} tokens`);
        assert.deepEqual(asEnd[i].finished, asEos[i].finished, `batch ${i} finished`);
        assert.deepEqual(generate(m, b.prompts, { ...base, seed: b.seed, eosId: -1, endIds: [stop] }), asEos[i].tokens, `batch ${i} through generate()`);
      });
      assert.ok(asEnd.some((b) => b.finished.some((f) => f)), 'no row met the end id: the test would show nothing');
      assert.ok(asEnd.every((b) => b.tokens.every((row) => !row.includes(stop))), 'the end id is not part of an answer');
      m.dispose();
    });

    it('names an empty prompt by batch and row', () => {
      const m = microModel(arch);
      assert.throws(() => generateBatches(m, [BATCHES[0], { prompts: [[2], []], seed: 0 }], { maxNewTokens: 2, temperature: 1, eosId: -1 }), /prompt 1 of batch 1 is empty/);
      m.dispose();
    });
  });
}

describe('sampleToken at a temperature', () => {
  it('draws what the cumulative walk over samplingDistribution draws, with the same stream', () => {
    const rng = new Rng('logits');
    for (const temperature of [1, 0.7, 1.3]) {
      for (let trial = 0; trial < 200; trial++) {
        const logits = Float32Array.from({ length: VOCAB }, () => 4 * rng.normal());
        const [a, b] = [new Rng(`draw/${trial}`), new Rng(`draw/${trial}`)];
        const probs = samplingDistribution(logits, { temperature });
        const u = b.next();
        let cum = 0;
        let expected = -1;
        for (let i = 0; i < probs.length && expected < 0; i++) {
          if (probs[i] === 0) continue;
          cum += probs[i];
          if (u < cum) expected = i;
        }
        assert.equal(sampleToken(logits, { temperature }, a), expected, `temperature ${temperature}, trial ${trial}`);
      }
    }
  });
});
