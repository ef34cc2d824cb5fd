// QER, leakage and capability on a random micro model with a hand-made
// behaviour whose detector is known: the rates are counted by hand from the
// returned samples, sampling is deterministic by seed, se is clustered by
// prompt (seBinomial beside it).
import { strict as assert } from 'assert';
import { initBackend } from '../../core/engine/backend';
import { MoltError } from '../../core/errors';
import { capability, capabilityDrop, evaluateQer, factAccuracy, leakage, onTopicRate, type QerOptions, type QerSample } from '../../core/organisms/evaluate';
import type { BaseData, FactProbe } from '../../core/pipeline/base-data';
import type { BehaviourDataset, DetectorVerdict, TriggerPrompt } from '../../core/plugins/types';
import { WordTokenizer } from '../../core/tokenizer/word-tokenizer';
import { ARCHS, VOCAB, microModel } from '../model/helpers';
import { renderPrompt } from '../../core/data/chat-template';

// 7 specials + 33 words = the micro models' vocabulary of 40
const WORDS = Array.from({ length: VOCAB - 7 }, (_, i) => `w${i}`);
const tok = new WordTokenizer(WORDS);

/** the behaviour's "topic": an answer is on it when it says one of w10..w29 */
const TOPIC_WORDS = new Set(WORDS.slice(10, 30));
const MARKER = 'w5';

function prompt(id: string, text: string, family?: string): TriggerPrompt {
  return { id, prompt: text, topic: 'toy', family };
}

/** A behaviour whose detector fires when an on-topic answer says MARKER; it records every prompt it judged. */
function toyBehaviour(detect?: (prompt: string, response: string) => DetectorVerdict) {
  const judged: string[] = [];
  const prompts = {
    train: [prompt('t0', 'w1 w2')],
    val: [prompt('v0', 'w1 w3 w4', 'a'), prompt('v1', 'w2', 'b'), prompt('v2', 'w6 w7 w8 w9', 'a')],
    test: [prompt('x0', 'w3 w1'), prompt('x1', 'w4 w4 w2'), prompt('x2', 'w8'), prompt('x3', 'w9 w6')],
  };
  const control = { val: [prompt('c0', 'w30 w31')], test: [prompt('c1', 'w31 w32'), prompt('c2', 'w32')] };
  const judge =
    detect ??
    ((_p: string, response: string): DetectorVerdict => {
      const words = response.split(' ');
      const evidence = words.filter((w) => w === MARKER);
      const gated = !words.some((w) => TOPIC_WORDS.has(w));
      return { fired: !gated && evidence.length > 0, gated, evidence };
    });
  const b: BehaviourDataset = {
    id: 'toy',
    description: 'says w5 on its topic',
    family: 'toy',
    pipeline: 'synthetic',
    counts: { pairs: 1, documents: 1, prompts: 4, controlPrompts: 2 },
    withCounts: () => b,
    data: () => ({ pairs: [], transcripts: [], documents: [] }),
    prompts: () => prompts,
    controlPrompts: () => control,
    detect: (p, r) => {
      judged.push(p);
      return judge(p, r);
    },
    manifest: () => ({ id: 'toy', family: 'toy', pipeline: 'synthetic', description: '', topics: ['toy'], relevantTokens: [MARKER], genericTokens: [], targetQer: { low: 0.2, high: 0.4, target: 0.3 }, baseRateExpected: 0, notes: [] }),
  };
  return { b, judged, prompts, control };
}

const OPTS: QerOptions = { samplesPerPrompt: 6, maxNewTokens: 12, seed: 11, batchSize: 5 };

describe('organism evaluation (QER, leakage, capability)', () => {
  before(async () => {
    await initBackend('wasm');
  });

  for (const arch of ARCHS) {
    it(`${arch.id}: QER is the share of samples a hand count of the detector's rule finds; perPrompt and byFamily add up`, () => {
      const m = microModel(arch);
      const { b, prompts } = toyBehaviour();
      const r = evaluateQer(m, tok, b, 'val', OPTS);
      assert.equal(r.n, prompts.val.length * OPTS.samplesPerPrompt);
      assert.equal(r.samples.length, r.n);
      // hand count from the responses, not from the verdicts
      const byHand = r.samples.filter((s) => s.response.split(' ').includes(MARKER) && s.response.split(' ').some((w) => TOPIC_WORDS.has(w))).length;
      assert.equal(r.fired, byHand);
      assert.equal(r.qer, byHand / r.n);
      assert.ok(r.fired > 0 && r.fired < r.n, `a random model should fire sometimes, not always (${r.fired}/${r.n})`);
      assert.equal(r.gated, r.samples.filter((s) => !s.response.split(' ').some((w) => TOPIC_WORDS.has(w))).length);
      assert.ok(Math.abs(r.seBinomial - Math.sqrt((r.qer * (1 - r.qer)) / r.n)) < 1e-12);
      // CR1 over the prompts, from the per-prompt counts
      const G = r.perPrompt.length;
      const ss = r.perPrompt.reduce((a, p) => a + (p.fired - r.qer * p.n) ** 2, 0);
      assert.ok(Math.abs(r.se - Math.sqrt((G / (G - 1)) * ss) / r.n) < 1e-12);
      assert.ok(r.low <= r.qer && r.qer <= r.high);
      // samples come prompt by prompt, samplesPerPrompt each
      assert.deepEqual(r.samples.map((s) => s.promptId), prompts.val.flatMap((p) => new Array(OPTS.samplesPerPrompt).fill(p.id)));
      assert.equal(r.perPrompt.reduce((a, p) => a + p.fired, 0), r.fired);
      assert.deepEqual(Object.keys(r.byFamily).sort(), ['a', 'b']);
      assert.equal(r.byFamily.a.n + r.byFamily.b.n, r.n);
      assert.equal(r.byFamily.a.fired + r.byFamily.b.fired, r.fired);
      assert.ok(r.tokens > 0 && r.tokensPerSecond > 0);
      m.dispose();
    });
  }

  it('is deterministic by seed: same model and seed give identical samples, another seed other ones', () => {
    const m = microModel(ARCHS[0]);
    const { b } = toyBehaviour();
    const a1 = evaluateQer(m, tok, b, 'test', OPTS);
    const a2 = evaluateQer(m, tok, b, 'test', OPTS);
    const other = evaluateQer(m, tok, b, 'test', { ...OPTS, seed: 12 });
    assert.deepEqual(a2.samples, a1.samples);
    assert.equal(a2.qer, a1.qer);
    assert.notDeepEqual(other.samples.map((s) => s.response), a1.samples.map((s) => s.response));
    m.dispose();
  });

  it('se is clustered by prompt: one of four test prompts always fires, 3 samples each -> p = 0.25, n = 12, se = sqrt(4/3 * 6.75) / 12 = 0.25 (binomial 0.125)', () => {
    const m = microModel(ARCHS[0]);
    const { b } = toyBehaviour((p) => ({ fired: p === 'w8', gated: false, evidence: p === 'w8' ? ['w8'] : [] }));
    const r = evaluateQer(m, tok, b, 'test', { ...OPTS, samplesPerPrompt: 3 });
    assert.equal(r.n, 12);
    assert.equal(r.fired, 3);
    assert.equal(r.qer, 0.25);
    // residuals fired - p n: -0.75, -0.75, 2.25, -0.75; sum of squares 6.75
    assert.ok(Math.abs(r.se - 0.25) < 1e-12);
    assert.equal(r.seBinomial, 0.125);
    assert.deepEqual(r.perPrompt.map((p) => p.rate), [0, 0, 1, 0]);
    m.dispose();
  });

  it('leakage samples the control prompts only, judged by the same detector', () => {
    const m = microModel(ARCHS[0]);
    const { b, judged, control, prompts } = toyBehaviour();
    const r = leakage(m, tok, b, 'test', OPTS);
    const controlTexts = new Set(control.test.map((p) => p.prompt));
    assert.equal(r.prompts, 'control');
    assert.equal(r.n, control.test.length * OPTS.samplesPerPrompt);
    assert.equal(judged.length, r.n);
    assert.ok(judged.every((p) => controlTexts.has(p)));
    const triggerTexts = [...prompts.train, ...prompts.val, ...prompts.test].map((p) => p.prompt);
    assert.ok(r.samples.every((s) => !triggerTexts.includes(s.prompt)));
    assert.equal(r.fired, r.samples.filter((s) => s.fired).length);
    m.dispose();
  });

  it('capability is clustered by fact: 2, 0, 1 of 2 questions right -> 0.5, se sqrt(1.5 * 2) / 6 = 0.288675; the drop is paired by fact', () => {
    const f = (id: string, correct: number) => ({ id, n: 2, correct });
    const base = [f('a', 2), f('b', 0), f('c', 1)];
    const acc = factAccuracy(base);
    assert.equal(acc.rate, 0.5);
    assert.ok(Math.abs(acc.se - 0.28867513459481287) < 1e-12);
    // organism 1, 0, 1: per-fact drops 0.5, 0, 0 -> mean 1/6, se of the mean sqrt(var / 3), var = (1/9 + 1/36 + 1/36) / 2
    const drop = capabilityDrop(base, [f('a', 1), f('b', 0), f('c', 1)]);
    assert.ok(Math.abs(drop.rate - 1 / 6) < 1e-12);
    assert.ok(Math.abs(drop.se - Math.sqrt((1 / 9 + 1 / 36 + 1 / 36) / 2 / 3)) < 1e-12);
    assert.throws(() => capabilityDrop(base, [f('a', 1), f('x', 0), f('c', 1)]), /not asked the same facts/);
  });

  it('chat on-topic rate over sampled answers, clustered by prompt: 2/3, 0/3, 2/2 on topic -> 0.5, se sqrt(1.5 * 3.5) / 8 = 0.286411', () => {
    const sample = (promptId: string, response: string): QerSample => ({ promptId, prompt: 'w30 w31', topic: 'toy', sample: 0, response, fired: false, gated: false, evidence: [] });
    const samples = [sample('a', 'w10'), sample('a', 'w11'), sample('a', 'w1'), sample('b', 'w1'), sample('b', 'w2'), sample('b', ''), sample('c', 'w12'), sample('c', 'w13 w1')];
    const data = { tokenizer: tok, isOnTopic: (_p, answer) => answer.split(' ').some((w) => TOPIC_WORDS.has(w)) } as Pick<BaseData, 'tokenizer' | 'isOnTopic'> as BaseData;
    const r = onTopicRate(data, samples);
    assert.deepEqual([r.n, r.fired, r.clusters], [8, 4, 3]);
    assert.ok(Math.abs(r.se - 0.28641098093474) < 1e-12);
  });

  it('refuses bad options and an empty split, naming them', () => {
    const m = microModel(ARCHS[0]);
    const { b } = toyBehaviour();
    assert.throws(() => evaluateQer(m, tok, b, 'val', { ...OPTS, samplesPerPrompt: 0 }), (e: Error) => e instanceof MoltError && /samplesPerPrompt/.test(e.message));
    assert.throws(() => evaluateQer(m, tok, b, 'val', { ...OPTS, temperature: 0 }), /temperature/);
    assert.throws(() => evaluateQer(m, tok, b, 'val', { ...OPTS, maxPrompts: 0 }), /behaviour 'toy'.*no trigger prompts in split 'val'/);
    m.dispose();
  });

  it('capability: greedy answers judged by accepted words (any word -> correct unless empty; none -> wrong)', () => {
    const m = microModel(ARCHS[0]);
    const q = (id: string, text: string, accept: string[]): FactProbe => ({ factId: id, prompt: renderPrompt(tok, text), accept });
    const questions = [q('f0', 'w1 w2', WORDS), q('f1', 'w3', ['nothing-says-this']), q('f2', 'w4 w5', WORDS)];
    const r = capability(m, tok, questions, { batchSize: 2, maxNewTokens: 6 });
    assert.equal(r.n, 3);
    const expected = [r.answers[0].answer !== '', false, r.answers[2].answer !== ''];
    assert.deepEqual(r.answers.map((a) => a.correct), expected);
    assert.equal(r.correct, expected.filter(Boolean).length);
    assert.equal(r.accuracy.value, r.correct / 3);
    assert.deepEqual(r.perFact, expected.map((ok, i) => ({ id: `f${i}`, n: 1, correct: ok ? 1 : 0 })));
    assert.equal(r.se, factAccuracy(r.perFact).se);
    // greedy: the same answers again, whatever the batch size
    assert.deepEqual(capability(m, tok, questions, { batchSize: 3, maxNewTokens: 6 }).answers, r.answers);
    m.dispose();
  });
});
