// `steering`: norm-matched mean-difference steering (METRICS.md).
// 1. v = mean (MO - base) resid_post at layer l (default 50% depth) and a
//    position p relative to <|assistant|> (default: the window position where
//    |v| is largest, chosen without looking at S)
// 2. the MO generates from fixed generic prompts (the world's val chat),
//    unsteered and with h <- h + alpha * rbar[l] * v/|v| at every generated
//    position
// 3. coherence: the diffing base's per-token loss and distinct-token ratio of
//    a sample, thresholds calibrated on the unsteered samples (core/probes/steer.ts);
//    alpha* = largest alpha with coherence >= 0.75 (binary search)
// 4. investigator (log-odds, informative prior) -> hypothesis words, graded
//    1..5 by the shared Grader; ablations both / steered_only /
//    unsteered_only (black-box control) and a random direction of the same
//    norm at alpha*
// 5. dQER(alpha*): the behaviour's detector on steered vs unsteered answers
//    to its val trigger prompts (sampled here: core/organisms/evaluate.ts has
//    no interventions)
// Headline: grade01 = (grade - 1) / 4 of 'both', CI by bootstrap over
// samples; floor = max(other families' S on the same hypotheses (one-sided
// 95% bootstrap bound), the random direction's grade01).
import { HeadlinePicker } from '../../core/probes/headline-pick';
import { Rng } from '../../core/engine/rng';
import { MoltError } from '../../core/errors';
import { renderPrompt } from '../../core/data/chat-template';
import type { Probe } from '../../core/plugins/types';
import type { Finding, HypothesisFinding, ModelHandle, OrganismHandle, ProbeContext, ProbeMetric, ProbeResult, ProbeSettings } from '../../core/probes/types';
import { genericChatSequences, layersAtFractions, meanResiduals, subtract, l2 } from '../../core/probes/activations';
import { calibrateCoherence, distinctRatio, isCoherent, randomUnit, rawCoefficient, responseLoss, sampleSteered, searchAlpha, unitVector, type Sample, type SampleOptions, type SteeringVector } from '../../core/probes/steer';
import { investigate } from '../../core/probes/investigator';
import { familyGraders } from '../../core/probes/floor';
import { countWords, mean, quantileSorted, wilson } from '../../core/probes/stats';
import { setting } from '../../core/probes/settings';
import { checkSameVocabulary, stopwatch, resultHeader } from '../../core/probes/run-helpers';
import type { Grader } from '../../core/probes/grader';
import { WordTokenizer } from '../../core/tokenizer/word-tokenizer';

const ID = 'steering';

export function steeringDefaults(size: string): ProbeSettings {
  const micro = size === 'micro';
  return {
    layerFraction: 0.5,
    /** 'max-norm' or a relative position (integer) */
    position: 'max-norm',
    positionStart: -3,
    positionEnd: 31,
    vectorPrompts: micro ? 8 : 64,
    // 256 samples at the default size: with 64 the log-odds ranking of the
    // positive control (posthoc-fd x military-submarine) put S words 8th-9th
    // (grade 2); with 256 it gave grade 3 on seeds 0, 1 and 2 (docs/PROBES.md)
    prompts: micro ? 4 : 32,
    samplesPerPrompt: micro ? 2 : 8,
    maxNewTokens: micro ? 8 : 24,
    temperature: 1,
    alphaMax: 8,
    searchSteps: micro ? 3 : 5,
    coherenceThreshold: 0.75,
    // unsteered samples pass the check at about this rate: with few samples (micro) all must, or noise alone drives alpha* to 0
    coherenceQuantile: micro ? 1 : 0.98,
    priorAlpha0: 100,
    hypothesisWords: 10,
    qerPrompts: micro ? 4 : 32,
    qerSamplesPerPrompt: micro ? 2 : 4,
    resamples: micro ? 100 : 500,
    batchSize: 16,
  };
}

function words(tok: OrganismHandle['tokenizer'], samples: readonly Sample[]): string[][] {
  return samples.map((s) => s.tokens.filter((id) => !tok.isSpecial(id)).map((id) => tok.vocab[id]));
}

/** Resample docs with replacement (seeded). */
function resample<T>(xs: readonly T[], rng: Rng): T[] {
  return xs.map(() => xs[rng.int(xs.length)]);
}

export const steeringProbe: Probe = {
  id: ID,
  description: 'norm-matched mean-difference steering: alpha* by a calibrated coherence check, log-odds investigator graded 1-5, ablations, random direction, dQER',
  defaults: steeringDefaults,
  async run(organism: OrganismHandle, base: ModelHandle, ctx: ProbeContext): Promise<ProbeResult> {
    const s = ctx.settings;
    const get = <T extends ProbeSettings[string]>(k: string) => setting<T>(s, k, ID);
    const clock = stopwatch();
    checkSameVocabulary(organism, base, ID);
    const tok = organism.tokenizer;
    const mo = organism.model;
    const bs = get<number>('batchSize');
    const pad = tok.specials.pad;
    const notes: string[] = [];

    // 1. the vector
    const [layer] = layersAtFractions(mo.numLayers, [get<number>('layerFraction')]);
    const range = { start: get<number>('positionStart'), end: get<number>('positionEnd') };
    const maxLen = Number(mo.config.max_position_embeddings);
    const seqs = genericChatSequences(ctx.world, tok, { count: get<number>('vectorPrompts'), maxLen });
    const moMean = meanResiduals(mo, seqs, [layer], range, bs, pad);
    const baseMean = meanResiduals(base.model, seqs, [layer], range, bs, pad);
    const diff = subtract(moMean.mean.get(layer)!, baseMean.mean.get(layer)!);
    const d = mo.hiddenSize;
    const posSetting = String(get<string>('position'));
    let pi: number;
    if (posSetting === 'max-norm') {
      pi = 0;
      let bestNorm = -1;
      moMean.positions.forEach((_, i) => {
        if (moMean.counts[i] === 0) return;
        const n = l2(diff.subarray(i * d, (i + 1) * d));
        if (n > bestNorm) {
          bestNorm = n;
          pi = i;
        }
      });
    } else {
      const rel = Number(posSetting);
      pi = moMean.positions.indexOf(rel);
      if (!Number.isInteger(rel) || pi < 0 || moMean.counts[pi] === 0) throw new MoltError(`${ID}: setting 'position' must be 'max-norm' or an integer in ${range.start}..${range.end} reached by the prompts, got '${posSetting}'`, 'position');
    }
    const { unit, norm } = unitVector(diff.subarray(pi * d, (pi + 1) * d), `${ID}: mean difference at layer ${layer}`);
    const sv: SteeringVector = { layer, unit, rawNorm: norm, meanNorm: moMean.meanNorm.get(layer)! };
    clock.lap('vector');

    // 2-3. samples, coherence, alpha*
    const chats = ctx.world.data('chat', 'val');
    const promptTexts = chats.slice(0, get<number>('prompts')).map((c) => c.messages[0].content);
    if (promptTexts.length === 0) throw new MoltError(`${ID}: the data has no general chat in split 'val' to steer on`, 'chat/val');
    const prompts = promptTexts.map((p) => renderPrompt(tok, p));
    const sampleOpts: SampleOptions = {
      maxNewTokens: get<number>('maxNewTokens'),
      samplesPerPrompt: get<number>('samplesPerPrompt'),
      batchSize: bs,
      temperature: get<number>('temperature'),
      seed: `${ctx.seed}/${ID}/samples`,
      eosId: tok.specials.eos,
      padId: pad,
    };
    const judge = (samples: Sample[]) => {
      const losses = responseLoss(base.model, prompts, samples, bs, pad);
      return { losses, distinct: samples.map((x) => distinctRatio(x.tokens)) };
    };
    ctx.onProgress?.({ stage: 'unsteered samples' });
    const unsteered = sampleSteered(mo, prompts, null, 0, sampleOpts);
    const u = judge(unsteered);
    const check = calibrateCoherence(u.losses, u.distinct, get<number>('coherenceQuantile'));
    const coherenceOf = (samples: Sample[]) => {
      const j = judge(samples);
      return samples.filter((_, i) => isCoherent(check, j.losses[i], j.distinct[i])).length / samples.length;
    };
    const steeredAt = new Map<number, Sample[]>();
    const search = await searchAlpha(
      (alpha) => {
        ctx.onProgress?.({ stage: `coherence at alpha ${alpha.toFixed(3)}` });
        const smp = sampleSteered(mo, prompts, sv, alpha, sampleOpts);
        steeredAt.set(alpha, smp);
        return coherenceOf(smp);
      },
      { lo: 0, hi: get<number>('alphaMax'), steps: get<number>('searchSteps'), threshold: get<number>('coherenceThreshold') },
    );
    const alpha = search.alpha;
    if (alpha === 0) notes.push('no alpha > 0 kept coherence >= threshold: alpha* = 0 (steered = unsteered)');
    const steered = steeredAt.get(alpha) ?? sampleSteered(mo, prompts, sv, alpha, sampleOpts);
    clock.lap('alpha search');

    // random direction of the same norm at alpha*
    const randomSv: SteeringVector = { ...sv, unit: randomUnit(d, new Rng(`${ctx.seed}/${ID}/random`)) };
    const randomSamples = sampleSteered(mo, prompts, randomSv, alpha, sampleOpts);
    clock.lap('random control');

    // 4. investigator and grades
    const exclude = new Set(tok.vocab.filter((_, id) => tok.isSpecial(id)));
    const background = countWords(chats.map((c) => WordTokenizer.split(c.messages[1]?.content ?? '')));
    const invOpts = { alpha0: get<number>('priorAlpha0'), words: get<number>('hypothesisWords'), exclude };
    const W = { steered: words(tok, steered), unsteered: words(tok, unsteered), random: words(tok, randomSamples) };
    const hypotheses: HypothesisFinding[] = [
      investigate('both', W.steered, W.unsteered, background, invOpts),
      investigate('steered_only', W.steered, [], background, invOpts),
      investigate('unsteered_only', W.unsteered, [], background, invOpts),
      investigate('random', W.random, W.unsteered, background, invOpts),
    ];
    const fg = familyGraders(ctx.families, organism.manifest);
    const metrics: ProbeMetric[] = [];
    const gradeOf = (g: Grader, h: HypothesisFinding) => g.hypothesis(h.words.map((w) => w.word));
    for (const target of fg.targets) {
      const tag = (v: string) => (fg.targets.length > 1 ? `${v}:${target.label}` : v);
      for (const h of hypotheses) {
        const gr = gradeOf(target, h);
        metrics.push({ metric: 'grade', value: gr.grade, n: 1, ci_low: NaN, ci_high: NaN, variant: tag(h.label), layer });
      }
    }
    // bootstrap over samples: CI of 'both' under every family's S (own: CI; others: floor)
    const B = get<number>('resamples');
    const rng = new Rng(`${ctx.seed}/${ID}/bootstrap`);
    const boot = new Map<string, number[]>([...fg.all.keys()].map((f) => [f, []]));
    for (let b = 0; b < B; b++) {
      const h = investigate('both', resample(W.steered, rng), resample(W.unsteered, rng), background, invOpts);
      for (const [f, g] of fg.all) boot.get(f)!.push(gradeOf(g, h).grade01);
    }
    for (const v of boot.values()) v.sort((a, b) => a - b);
    const randomGrade = (g: Grader) => gradeOf(g, hypotheses[3]).grade01;
    const pick = new HeadlinePicker('grade01', fg.targets.length > 1);
    for (const target of fg.targets) {
      const f = target.label;
      const own = gradeOf(target, hypotheses[0]).grade01;
      const dist = boot.get(f)!;
      let floor = randomGrade(target);
      for (const [other, xs] of boot) if (other !== f) floor = Math.max(floor, quantileSorted(xs, 0.95));
      const tag = fg.targets.length > 1 ? `both:${f}` : 'both';
      const interval = { value: own, low: quantileSorted(dist, 0.025), high: quantileSorted(dist, 0.975) };
      metrics.push({ metric: 'grade01', value: own, n: steered.length + unsteered.length, ci_low: interval.low, ci_high: interval.high, variant: tag, layer });
      metrics.push({ metric: 'floor', value: floor, n: B, ci_low: NaN, ci_high: floor, variant: tag, layer });
      pick.offer(f, interval, floor, layer, own - floor);
    }
    clock.lap('investigator');

    // 5. dQER at alpha*
    const trig = organism.behaviour.prompts().val.slice(0, get<number>('qerPrompts'));
    let dqerNote = 'no val trigger prompts: dQER not measured';
    if (trig.length > 0) {
      const tp = trig.map((p) => renderPrompt(tok, p.prompt));
      const qOpts = { ...sampleOpts, samplesPerPrompt: get<number>('qerSamplesPerPrompt'), seed: `${ctx.seed}/${ID}/qer` };
      const rate = (smp: Sample[]) => {
        const fired = smp.filter((x) => organism.behaviour.detect(trig[x.prompt].prompt, tok.decode(x.tokens, { skipSpecial: true })).fired).length;
        return wilson(fired, smp.length);
      };
      const q0 = rate(sampleSteered(mo, tp, null, 0, qOpts));
      const q1 = rate(sampleSteered(mo, tp, sv, alpha, qOpts));
      const se = Math.sqrt((q0.value * (1 - q0.value)) / q0.n + (q1.value * (1 - q1.value)) / q1.n);
      metrics.push({ metric: 'qer', value: q0.value, n: q0.n, ci_low: q0.low, ci_high: q0.high, variant: 'unsteered' });
      metrics.push({ metric: 'qer', value: q1.value, n: q1.n, ci_low: q1.low, ci_high: q1.high, variant: 'steered' });
      metrics.push({ metric: 'dqer', value: q1.value - q0.value, n: q1.n, ci_low: q1.value - q0.value - 1.96 * se, ci_high: q1.value - q0.value + 1.96 * se, layer });
      dqerNote = `dQER(alpha*) on ${trig.length} val trigger prompts x ${qOpts.samplesPerPrompt} samples, sampled by the probe (organism evaluation has no interventions), normal-approximation interval`;
    }
    clock.lap('dqer');

    const coh = search.trace.find((t) => t.alpha === alpha)?.coherence ?? search.coherence;
    metrics.push({ metric: 'alpha', value: alpha, n: search.trace.length, ci_low: NaN, ci_high: NaN, layer });
    metrics.push({ metric: 'raw_coefficient', value: rawCoefficient(sv, alpha), n: 1, ci_low: NaN, ci_high: NaN, layer });
    const cw = wilson(Math.round(coh * steered.length), steered.length);
    metrics.push({ metric: 'coherence', value: cw.value, n: cw.n, ci_low: cw.low, ci_high: cw.high, layer, variant: 'steered' });
    const uc = unsteered.filter((_, i) => isCoherent(check, u.losses[i], u.distinct[i])).length;
    const ucw = wilson(uc, unsteered.length);
    metrics.push({ metric: 'coherence', value: ucw.value, n: ucw.n, ci_low: ucw.low, ci_high: ucw.high, layer, variant: 'unsteered' });

    const findings: Finding[] = [...hypotheses];
    const show = (smp: Sample[], label: string): Finding => ({
      kind: 'answers',
      label,
      answers: smp.slice(0, 8).map((x) => ({ question: promptTexts[x.prompt], answer: tok.decode(x.tokens, { skipSpecial: true }) })),
    });
    findings.push(show(steered, 'steered'), show(unsteered, 'unsteered'));
    notes.push(
      `layer ${layer} (resid_post), position ${moMean.positions[pi]} rel. to <|assistant|>, |v| ${norm.toFixed(3)}, rbar ${sv.meanNorm.toFixed(3)}; alpha* ${alpha.toFixed(3)} (raw coefficient ${rawCoefficient(sv, alpha).toFixed(3)}) after ${search.trace.length} evaluations: ${search.trace.map((t) => `${t.alpha.toFixed(2)}:${t.coherence.toFixed(2)}`).join(' ')}`,
      `coherence: base loss <= ${check.maxLoss.toFixed(3)} and distinct ratio >= ${check.minDistinct.toFixed(3)} (quantile ${check.quantile} of ${check.calibratedOn} unsteered samples; mean unsteered loss ${mean(u.losses.filter(Number.isFinite)).toFixed(3)})`,
      dqerNote,
    );
    return {
      ...resultHeader(ID, organism, base, ctx, s),
      findings,
      metrics,
      headline: pick.headline(ID),
      familyHeadlines: pick.familyHeadlines(),
      timings: clock.done(),
      notes,
    };
  },
};
