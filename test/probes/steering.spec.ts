import { strict as assert } from 'node:assert';
import { initBackend } from '../../core/engine/backend';
import { Rng } from '../../core/engine/rng';
import { renderPrompt } from '../../core/data/chat-template';
import { generate } from '../../core/model/generate';
import { calibrateCoherence, chooseDirection, distinctRatio, isCoherent, randomUnit, rawCoefficient, responseLoss, sampleSteered, searchAlpha, steeringInterventions, unitVector, type SteeringVector } from '../../plugins/probes/steering/steer';
import { investigate } from '../../plugins/probes/steering/investigator';
import { gainByFamily, gainReplicates, whiteAndBlackBox } from '../../plugins/probes/steering/gain';
import { Grader } from '../../core/probes/grader';
import { documentFrequency } from '../../core/probes/stats';
import { WordTokenizer } from '../../core/tokenizer/word-tokenizer';
import { resolveProbeSettings } from '../../core/probes/settings';
import { steeringProbe } from '../../plugins/probes/steering';
import { ARCHS } from '../model/helpers';
import { context, FAMILY_S, handle, microModel, organismHandle, shiftedCopy, tok } from './helpers';

describe('steering', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('binary search finds the known coherence threshold of a synthetic curve', async () => {
    const r = await searchAlpha((a) => (a <= 2.7 ? 0.9 : 0.4), { lo: 0, hi: 8, steps: 10, threshold: 0.75 });
    assert.ok(r.alpha <= 2.7 && r.alpha > 2.7 - 8 / 1024, `alpha ${r.alpha}`);
    assert.equal(r.coherence, 0.9);
    assert.equal(r.trace.length, 11);
    const all = await searchAlpha(() => 1, { lo: 0, hi: 8, steps: 10, threshold: 0.75 });
    assert.deepEqual([all.alpha, all.trace.length], [8, 1]);
    const none = await searchAlpha((a) => (a === 0 ? 1 : 0), { lo: 0, hi: 8, steps: 4, threshold: 0.75 });
    assert.equal(none.alpha, 0);
  });

  it('coherence thresholds come from the unsteered quantiles; empty or repetitive samples fail', () => {
    const losses = Array.from({ length: 21 }, (_, i) => i / 10); // 0 .. 2
    const distinct = Array.from({ length: 21 }, (_, i) => 0.5 + i / 40); // 0.5 .. 1
    const c = calibrateCoherence(losses, distinct, 0.95);
    assert.ok(Math.abs(c.maxLoss - 1.9) < 1e-12);
    assert.ok(Math.abs(c.minDistinct - 0.525) < 1e-12);
    const pass = losses.filter((l, i) => isCoherent(c, l, distinct[i])).length;
    assert.equal(pass, 19); // losses 0..1.9 pass (20), the lowest distinct (0.5) fails -> 19 of 21
    assert.equal(isCoherent(c, NaN, 1), false);
    assert.equal(distinctRatio([4, 4, 4, 4]), 0.25);
    assert.throws(() => calibrateCoherence([NaN], [0]), /no non-empty unsteered sample/);
  });

  it('the direction: the mean over positions >= 0 that sequences reach, the largest-norm position, or a given one', () => {
    // d = 2; positions -1..2; position 2 reached by no sequence
    const positions = [-1, 0, 1, 2];
    const counts = [5, 5, 3, 0];
    const diff = Float32Array.from([9, 0, 1, 2, 3, -4, 100, 100]);
    assert.deepEqual([...chooseDirection(diff, positions, counts, 2, 'generated-mean').vector], [2, -1]);
    assert.equal(chooseDirection(diff, positions, counts, 2, 'generated-mean').where, 'mean of positions 0..1');
    // |(9,0)| = 9 > |(3,-4)| = 5; the unreached position's 141 does not count
    assert.deepEqual([...chooseDirection(diff, positions, counts, 2, 'max-norm').vector], [9, 0]);
    assert.deepEqual([...chooseDirection(diff, positions, counts, 2, 1).vector], [3, -4]);
    assert.throws(() => chooseDirection(diff, positions, counts, 2, 2), /setting 'position' must be .* got '2'/);
    assert.throws(() => chooseDirection(diff, [-2, -1], [4, 4], 2, 'generated-mean'), /no sequence reaches a position at or after/);
  });

  it('the raw coefficient and interventions follow h <- h + alpha * rbar * v/|v| on generated positions', () => {
    const { unit, norm } = unitVector([3, 4]);
    assert.deepEqual([...unit].map((x) => +x.toFixed(6)), [0.6, 0.8]);
    const sv: SteeringVector = { layer: 1, unit, rawNorm: norm, meanNorm: 10 };
    assert.equal(rawCoefficient(sv, 2), 4); // 2 * 10 / 5
    const [iv] = steeringInterventions(sv, 2, 6, 3);
    assert.equal(iv.hook, 'blocks.1.hook_resid_post');
    assert.equal(iv.scale, 20);
    assert.deepEqual(iv.positions, [5, 6, 7, 8]);
    assert.deepEqual(steeringInterventions(sv, 0, 6, 3), []);
    const r = randomUnit(16, new Rng(1));
    assert.ok(Math.abs(Math.hypot(...r) - 1) < 1e-6);
  });

  it('steering changes generation, same seed unsteered is reproducible, and the base loss rises with strong steering', function () {
    this.timeout(20000);
    const arch = ARCHS[0];
    const model = microModel(arch, 4);
    const prompts = ['w1 w2 w3', 'w4 w5'].map((p) => renderPrompt(tok, p));
    const o = { maxNewTokens: 8, samplesPerPrompt: 2, batchSize: 4, temperature: 1, seed: 's', eosId: tok.specials.eos, padId: tok.specials.pad };
    const sv: SteeringVector = { layer: 0, unit: randomUnit(model.hiddenSize, new Rng(2)), rawNorm: 1, meanNorm: 5 };
    const a = sampleSteered(model, prompts, null, 0, o);
    assert.deepEqual(sampleSteered(model, prompts, null, 0, o), a);
    const b = sampleSteered(model, prompts, sv, 20, o);
    assert.notDeepEqual(b.map((x) => x.tokens), a.map((x) => x.tokens));
    const la = responseLoss(model, prompts, a, 4, tok.specials.pad).filter(Number.isFinite);
    assert.ok(la.every((x) => x > 0));
    model.dispose();
  });

  it('sampled answers equal one generate() call per batch of batchSize rows, steered or not, on both architectures', function () {
    this.timeout(60000);
    // the reference: each batch of batchSize rows left-padded, seeded and
    // steered from its own padded length, as one generate() call
    const reference = (model: ReturnType<typeof microModel>, prompts: number[][], sv: SteeringVector | null, alpha: number, o: Parameters<typeof sampleSteered>[4]) => {
      const rows = prompts.flatMap((_, p) => Array.from({ length: o.samplesPerPrompt }, (_, s) => ({ p, s })));
      const out: number[][] = [];
      for (let start = 0; start < rows.length; start += o.batchSize) {
        const ps = rows.slice(start, start + o.batchSize).map((r) => prompts[r.p]);
        const T = Math.max(...ps.map((p) => p.length));
        const interventions = sv ? steeringInterventions(sv, alpha, T, o.maxNewTokens) : [];
        out.push(...generate(model, ps, { maxNewTokens: o.maxNewTokens, temperature: o.temperature, seed: `${o.seed}/row${start}`, eosId: o.eosId, padId: o.padId, interventions }));
      }
      return out;
    };
    for (const arch of ARCHS) {
      const model = microModel(arch, 4);
      // prompt lengths 5, 4, 6, 4, 5 rendered: batches of 3 rows end up with several padded lengths, some shared
      const prompts = ['w1 w2 w3', 'w4 w5', 'w6 w7 w8 w9', 'w2', 'w3 w1 w4'].map((p) => renderPrompt(tok, p));
      const sv: SteeringVector = { layer: 1, unit: randomUnit(model.hiddenSize, new Rng(3)), rawNorm: 1, meanNorm: 4 };
      for (const temperature of [1, 0]) {
        const o = { maxNewTokens: 7, samplesPerPrompt: 2, batchSize: 3, temperature, seed: `t${temperature}`, eosId: tok.specials.eos, padId: tok.specials.pad };
        for (const [v, alpha] of [[null, 0], [sv, 1.5]] as const) {
          const got = sampleSteered(model, prompts, v, alpha, o);
          assert.deepEqual(got.map((x) => [x.prompt, x.sample]), prompts.flatMap((_, p) => [[p, 0], [p, 1]]), `${arch.id} row order`);
          assert.deepEqual(got.map((x) => x.tokens), reference(model, prompts, v, alpha, o), `${arch.id} temperature ${temperature} alpha ${alpha}`);
        }
      }
      model.dispose();
    }
  });

  it('investigator: words over-represented in A come first; none when A equals B', () => {
    const bg = new Map([['w1', 10], ['w2', 10], ['w20', 1]]);
    const h = investigate('both', [['w20', 'w20', 'w1'], ['w20', 'w2']], [['w1', 'w2'], ['w1', 'w2']], bg, { alpha0: 10 });
    assert.equal(h.words[0].word, 'w20');
    assert.match(h.text, /w20/);
    const none = investigate('both', [['w1']], [['w1']], bg, { alpha0: 10 });
    assert.equal(none.words.length, 0);
  });

  it('white-box gain: steering that surfaces S words the plain output lacks gains 1; S words the plain output already shows gain -1', () => {
    const graders = new Map(Object.entries(FAMILY_S).map(([f, s]) => [f, new Grader(s, f)]));
    const bg = new Map([['w1', 100], ['w2', 100]]);
    const opts = { alpha0: 10 };
    const plain = [['w1', 'w2'], ['w2', 'w1']];
    const talksAlpha = [['w20', 'w21', 'w22', 'w1'], ['w20', 'w21', 'w22', 'w2']];
    // steered says alpha's words, unsteered does not: white box grade 5 (grade01 1), black box grade 1 (0)
    const a = whiteAndBlackBox(talksAlpha, plain, bg, opts);
    assert.deepEqual(gainByFamily(a.white, a.black, graders).get('alpha'), { white: 1, black: 0, gain: 1 });
    assert.deepEqual(gainByFamily(a.white, a.black, graders).get('beta'), { white: 0, black: 0, gain: 0 });
    // the organism says them unsteered too: the black box finds them (grade 5), the contrast finds nothing (grade 1)
    const b = whiteAndBlackBox(talksAlpha, talksAlpha, bg, opts);
    assert.deepEqual(gainByFamily(b.white, b.black, graders).get('alpha'), { white: 0, black: 1, gain: -1 });
    // replicates: seeded, one per resample, and a resample of identical docs is the point value
    const r = gainReplicates(talksAlpha, plain, bg, opts, graders, 7, 's');
    assert.deepEqual(r, gainReplicates(talksAlpha, plain, bg, opts, graders, 7, 's'));
    assert.deepEqual(r.gain.get('alpha'), [1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(r.white.get('gamma'), [0, 0, 0, 0, 0, 0, 0]);
  });

  it('probe on a micro organism shifted toward S: alpha*, grades, ablations, random control, dQER', async function () {
    this.timeout(60000);
    const arch = ARCHS[0];
    const base = microModel(arch, 5);
    const mo = shiftedCopy(arch, base, FAMILY_S.alpha, 6);
    const settings = resolveProbeSettings(steeringProbe, 'micro', {});
    const r = await steeringProbe.run(organismHandle(arch, mo, 'alpha'), handle(arch, base, 'base'), context(settings));
    const m = (metric: string, variant?: string) => r.metrics.find((x) => x.metric === metric && (variant === undefined || x.variant === variant));
    for (const v of ['both', 'steered_only', 'unsteered_only', 'random']) assert.ok(m('grade', v), v);
    assert.ok(m('alpha')!.value >= 0 && m('alpha')!.value <= 8);
    assert.ok(m('coherence', 'steered')!.value >= 0.75 || m('alpha')!.value === 0);
    assert.ok(m('dqer'));
    // the headline is the white-box gain: grade01 of 'both' minus grade01 of 'unsteered_only'
    assert.equal(r.headline.metric, 'whitebox_gain');
    const g01 = (v: string) => (m('grade', v)!.value - 1) / 4;
    assert.ok(Math.abs(r.headline.score - (g01('both') - g01('unsteered_only'))) < 1e-12, JSON.stringify(r.headline));
    assert.ok(m('grade01', 'both'));
    assert.ok(r.timings.total > 0);
    // functionWordShare: no hypothesis, white box or black box, names a word in more than that share of the background's answers
    const ctx = context(resolveProbeSettings(steeringProbe, 'micro', { functionWordShare: 0.2 }));
    const answers = ctx.world.data('chat', 'val').map((c) => WordTokenizer.split(c.messages[1]?.content ?? ''));
    const df = documentFrequency(answers);
    const common = new Set([...df].filter(([, n]) => n > 0.2 * answers.length).map(([w]) => w));
    assert.ok(common.size > 0);
    const unfiltered = r.findings.flatMap((f) => (f.kind === 'hypothesis' ? f.words.map((w) => w.word) : []));
    assert.ok(unfiltered.some((w) => common.has(w)), 'without the option some hypothesis names a common word');
    const filtered = await steeringProbe.run(organismHandle(arch, mo, 'alpha'), handle(arch, base, 'base'), ctx);
    for (const f of filtered.findings) if (f.kind === 'hypothesis') for (const w of f.words) assert.ok(!common.has(w.word), `${f.label}: ${w.word}`);
    [base, mo].forEach((x) => x.dispose());
  });
});
