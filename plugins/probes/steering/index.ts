// `steering`: norm-matched mean-difference steering (METRICS.md).
// 1. v = mean (MO - base) resid_post at layer l (default 50% depth) and a
//    position p relative to <|assistant|> (default: the window position where
//    |v| is largest, chosen without looking at S)
// 2. the MO generates from fixed generic prompts (the world's val chat),
//    unsteered and with h <- h + alpha * rbar[l] * v/|v| at every generated
//    position
// 3. coherence: the diffing base's per-token loss and distinct-token ratio of
//    a sample, thresholds calibrated on the unsteered samples (steer.ts);
//    alpha* = largest alpha with coherence >= 0.75 (binary search)
// 4. investigator (log-odds, informative prior) -> hypothesis words, graded
//    1..5 by the shared Grader; ablations both / steered_only /
//    unsteered_only (black-box control) and a random direction of the same
//    norm at alpha*
// 5. dQER(alpha*): the behaviour's detector on steered vs unsteered answers
//    to its val trigger prompts (sampled here: core/organisms/evaluate.ts has
//    no interventions)
// Headline: the white-box gain (gain.ts) = grade01 of 'both' (steered vs
// unsteered) minus grade01 of 'unsteered_only' (the black-box investigator),
// grade01 = (grade - 1) / 4, CI by bootstrap over samples; floor = max(other
// families' S on the same hypotheses (95th percentile of their replicates),
// the random direction's grade01 minus the black-box one). grade01 of 'both'
// is reported beside it with its own floor.
import { defineProbe, genericChatSequences, layersAtFractions, meanResiduals, subtract, renderPrompt, countWords, documentFrequency, mean, wilson, perTarget, score, Rng, MoltError, WordTokenizer, z, type Finding, type Grader, type HypothesisFinding, type ObservationRow, requireWordTokenizer } from '../../../core/public';
import { chooseDirection, calibrateCoherence, distinctRatio, isCoherent, randomUnit, rawCoefficient, responseLoss, sampleSteered, searchAlpha, unitVector, type Sample, type SampleOptions, type SteeringVector, type PositionRule } from './steer';
import { investigate } from './investigator';
import { gainByFamily, gainReplicates, whiteAndBlackBox } from './gain';

const ID = 'steering';

function words(tok: WordTokenizer, samples: readonly Sample[]): string[][] {
  return samples.map((s) => s.tokens.filter((id) => !tok.isSpecial(id)).map((id) => tok.vocab[id]));
}

const count = z.number().int().positive();
const share = z.number().min(0).max(1);

export const steeringProbe = defineProbe({
  id: ID,
  description: 'norm-matched mean-difference steering: alpha* by a calibrated coherence check, log-odds investigator graded 1-5, ablations, random direction, dQER; headline = white-box grade minus the black-box (unsteered-only) grade',
  settings: z.object({
    layerFraction: z.number().gt(0).lte(1).default(0.5),
    // where the mean difference is read (steer.ts chooseDirection); the
    // default averages the positions steering is applied to
    position: z.string().regex(/^(generated-mean|max-norm|-?\d+)$/, "'generated-mean', 'max-norm' or an integer").default('generated-mean'),
    positionStart: z.number().int().default(-3),
    positionEnd: z.number().int().default(31),
    vectorPrompts: count.default(64),
    // 256 samples at the default size: with 64 the log-odds ranking of the
    // positive control (posthoc-fd x military-submarine) put S words 8th-9th
    // (grade 2); with 256 it gave grade 3 on seeds 0, 1 and 2 (docs/PROBES.md)
    prompts: count.default(32),
    samplesPerPrompt: count.default(8),
    maxNewTokens: count.default(24),
    temperature: z.number().nonnegative().default(1),
    alphaMax: z.number().positive().default(8),
    searchSteps: z.number().int().nonnegative().default(5),
    coherenceThreshold: share.default(0.75),
    // unsteered samples pass the check at about this rate: with few samples (micro) all must, or noise alone drives alpha* to 0
    coherenceQuantile: share.default(0.98),
    priorAlpha0: z.number().positive().default(100),
    // words in more than this share of the background chats' answers (function words: 'you', 'also', 'a')
    // are left out of every hypothesis, black box and white box alike; 1 leaves every word in
    functionWordShare: z.number().gt(0).max(1).default(1),
    hypothesisWords: count.default(10),
    qerPrompts: z.number().int().nonnegative().default(32),
    qerSamplesPerPrompt: count.default(4),
    resamples: count.default(500),
    batchSize: count.default(16),
  }),
  sizes: { micro: { vectorPrompts: 8, prompts: 4, samplesPerPrompt: 2, maxNewTokens: 8, searchSteps: 3, coherenceQuantile: 1, qerPrompts: 4, qerSamplesPerPrompt: 2, resamples: 100 } },
  async measure({ organism, base, settings: s, world, graders, stream, lap, progress }) {
    const tok = requireWordTokenizer(organism, ID, "its investigator ranks the world's whole words by log-odds against the world's chat");
    const mo = organism.model;
    const bs = s.batchSize;
    const pad = tok.specials.pad;
    const notes: string[] = [];

    // 1. the vector
    const [layer] = layersAtFractions(mo.numLayers, [s.layerFraction]);
    const range = { start: s.positionStart, end: s.positionEnd };
    const maxLen = Number(mo.config.max_position_embeddings);
    const seqs = genericChatSequences(world, tok, { count: s.vectorPrompts, maxLen });
    const moMean = meanResiduals(mo, seqs, [layer], range, bs, pad);
    const baseMean = meanResiduals(base.model, seqs, [layer], range, bs, pad);
    const diff = subtract(moMean.mean.get(layer)!, baseMean.mean.get(layer)!);
    const d = mo.hiddenSize;
    const rule: PositionRule = s.position === 'generated-mean' || s.position === 'max-norm' ? s.position : Number(s.position);
    const direction = chooseDirection(diff, moMean.positions, moMean.counts, d, rule);
    const { unit, norm } = unitVector(direction.vector, `${ID}: mean difference at layer ${layer}`);
    const sv: SteeringVector = { layer, unit, rawNorm: norm, meanNorm: moMean.meanNorm.get(layer)! };
    lap('vector');

    // 2-3. samples, coherence, alpha*
    const chats = world.data('chat', 'val');
    const promptTexts = chats.slice(0, s.prompts).map((c) => c.messages[0].content);
    if (promptTexts.length === 0) throw new MoltError(`${ID}: the data has no general chat in split 'val' to steer on`, 'chat/val');
    const prompts = promptTexts.map((p) => renderPrompt(tok, p));
    const sampleOpts: SampleOptions = { maxNewTokens: s.maxNewTokens, samplesPerPrompt: s.samplesPerPrompt, batchSize: bs, temperature: s.temperature, seed: stream('samples'), eosId: tok.specials.eos, padId: pad };
    const judge = (samples: Sample[]) => {
      const losses = responseLoss(base.model, prompts, samples, bs, pad);
      return { losses, distinct: samples.map((x) => distinctRatio(x.tokens)) };
    };
    progress({ stage: 'unsteered samples' });
    const unsteered = sampleSteered(mo, prompts, null, 0, sampleOpts);
    const u = judge(unsteered);
    const check = calibrateCoherence(u.losses, u.distinct, s.coherenceQuantile);
    const coherenceOf = (samples: Sample[]) => {
      const j = judge(samples);
      return samples.filter((_, i) => isCoherent(check, j.losses[i], j.distinct[i])).length / samples.length;
    };
    const steeredAt = new Map<number, Sample[]>();
    const search = await searchAlpha(
      (alpha) => {
        progress({ stage: `coherence at alpha ${alpha.toFixed(3)}` });
        const smp = sampleSteered(mo, prompts, sv, alpha, sampleOpts);
        steeredAt.set(alpha, smp);
        return coherenceOf(smp);
      },
      { lo: 0, hi: s.alphaMax, steps: s.searchSteps, threshold: s.coherenceThreshold },
    );
    const alpha = search.alpha;
    if (alpha === 0) notes.push('no alpha > 0 kept coherence >= threshold: alpha* = 0 (steered = unsteered)');
    const steered = steeredAt.get(alpha) ?? sampleSteered(mo, prompts, sv, alpha, sampleOpts);
    lap('alpha search');

    // random direction of the same norm at alpha*
    const randomSv: SteeringVector = { ...sv, unit: randomUnit(d, new Rng(stream('random'))) };
    const randomSamples = sampleSteered(mo, prompts, randomSv, alpha, sampleOpts);
    lap('random control');

    // 4. investigator and grades
    const answers = chats.map((c) => WordTokenizer.split(c.messages[1]?.content ?? ''));
    const background = countWords(answers);
    const functionWords = [...documentFrequency(answers)].filter(([, n]) => n > s.functionWordShare * answers.length).map(([w]) => w);
    const exclude = new Set([...tok.vocab.filter((_, id) => tok.isSpecial(id)), ...functionWords]);
    const invOpts = { alpha0: s.priorAlpha0, words: s.hypothesisWords, exclude };
    const W = { steered: words(tok, steered), unsteered: words(tok, unsteered), random: words(tok, randomSamples) };
    const { white, black } = whiteAndBlackBox(W.steered, W.unsteered, background, invOpts);
    const randomH = investigate('random', W.random, W.unsteered, background, invOpts);
    const hypotheses: HypothesisFinding[] = [white, investigate('steered_only', W.steered, [], background, invOpts), black, randomH];
    const gradeOf = (g: Grader, h: HypothesisFinding) => g.hypothesis(h.words.map((w) => w.word));
    const byFamily = (f: (g: Grader) => number) => new Map([...graders].map(([family, g]) => [family, f(g)]));
    const rows: ObservationRow[] = [perTarget(({ grader, tag }) => hypotheses.map((h) => ({ metric: 'grade', value: gradeOf(grader, h).grade, n: 1, ci_low: NaN, ci_high: NaN, variant: tag(h.label), layer })))];
    // bootstrap over samples, under every family's S (own: the interval; others: the floor)
    const boot = gainReplicates(W.steered, W.unsteered, background, invOpts, graders, s.resamples, stream('bootstrap'));
    const point = gainByFamily(white, black, graders);
    const randomGain = gainByFamily(randomH, black, graders);
    const common = { layer, estimate: 'replicates', n: steered.length + unsteered.length } as const;
    rows.push(
      score({ ...common, metric: 'grade01', variant: 'both', point: byFamily((g) => gradeOf(g, white).grade01), replicates: boot.white, controls: byFamily((g) => gradeOf(g, randomH).grade01) }),
      score({
        ...common,
        metric: 'whitebox_gain',
        variant: 'both-unsteered_only',
        point: new Map([...point].map(([f, x]) => [f, x.gain])),
        replicates: boot.gain,
        controls: new Map([...randomGain].map(([f, x]) => [f, x.gain])),
        headline: 'margin',
      }),
    );
    lap('investigator');

    // 5. dQER at alpha*
    const trig = organism.behaviour.prompts().val.slice(0, s.qerPrompts);
    let dqerNote = 'no val trigger prompts: dQER not measured';
    if (trig.length > 0) {
      const tp = trig.map((p) => renderPrompt(tok, p.prompt));
      const qOpts = { ...sampleOpts, samplesPerPrompt: s.qerSamplesPerPrompt, seed: stream('qer') };
      const rate = (smp: Sample[]) => {
        const fired = smp.filter((x) => organism.behaviour.detect(trig[x.prompt].prompt, tok.decode(x.tokens, { skipSpecial: true })).fired).length;
        return wilson(fired, smp.length);
      };
      const q0 = rate(sampleSteered(mo, tp, null, 0, qOpts));
      const q1 = rate(sampleSteered(mo, tp, sv, alpha, qOpts));
      const se = Math.sqrt((q0.value * (1 - q0.value)) / q0.n + (q1.value * (1 - q1.value)) / q1.n);
      rows.push({ metric: 'qer', value: q0.value, n: q0.n, ci_low: q0.low, ci_high: q0.high, variant: 'unsteered' });
      rows.push({ metric: 'qer', value: q1.value, n: q1.n, ci_low: q1.low, ci_high: q1.high, variant: 'steered' });
      rows.push({ metric: 'dqer', value: q1.value - q0.value, n: q1.n, ci_low: q1.value - q0.value - 1.96 * se, ci_high: q1.value - q0.value + 1.96 * se, layer });
      dqerNote = `dQER(alpha*) on ${trig.length} val trigger prompts x ${qOpts.samplesPerPrompt} samples, sampled by the probe (organism evaluation has no interventions), normal-approximation interval`;
    }
    lap('dqer');

    const coh = search.trace.find((t) => t.alpha === alpha)?.coherence ?? search.coherence;
    rows.push({ metric: 'alpha', value: alpha, n: search.trace.length, ci_low: NaN, ci_high: NaN, layer });
    rows.push({ metric: 'raw_coefficient', value: rawCoefficient(sv, alpha), n: 1, ci_low: NaN, ci_high: NaN, layer });
    const cw = wilson(Math.round(coh * steered.length), steered.length);
    rows.push({ metric: 'coherence', value: cw.value, n: cw.n, ci_low: cw.low, ci_high: cw.high, layer, variant: 'steered' });
    const uc = unsteered.filter((_, i) => isCoherent(check, u.losses[i], u.distinct[i])).length;
    const ucw = wilson(uc, unsteered.length);
    rows.push({ metric: 'coherence', value: ucw.value, n: ucw.n, ci_low: ucw.low, ci_high: ucw.high, layer, variant: 'unsteered' });

    const findings: Finding[] = [...hypotheses];
    const show = (smp: Sample[], label: string): Finding => ({
      kind: 'answers',
      label,
      answers: smp.slice(0, 8).map((x) => ({ question: promptTexts[x.prompt], answer: tok.decode(x.tokens, { skipSpecial: true }) })),
    });
    findings.push(show(steered, 'steered'), show(unsteered, 'unsteered'));
    notes.push(
      `layer ${layer} (resid_post), ${direction.where} rel. to <|assistant|>, |v| ${norm.toFixed(3)}, rbar ${sv.meanNorm.toFixed(3)}; alpha* ${alpha.toFixed(3)} (raw coefficient ${rawCoefficient(sv, alpha).toFixed(3)}) after ${search.trace.length} evaluations: ${search.trace.map((t) => `${t.alpha.toFixed(2)}:${t.coherence.toFixed(2)}`).join(' ')}`,
      `coherence: base loss <= ${check.maxLoss.toFixed(3)} and distinct ratio >= ${check.minDistinct.toFixed(3)} (quantile ${check.quantile} of ${check.calibratedOn} unsteered samples; mean unsteered loss ${mean(u.losses.filter(Number.isFinite)).toFixed(3)})`,
      dqerNote,
    );
    return { findings, rows, notes };
  },
});
