// `logit-lens`: the activation-difference lens (ADL, METRICS.md "Logit lens").
//   delta[l,p] = mean over generic chat (the world's val split) of
//                h_MO[l,p] - h_base[l,p], p = -3..31 around the assistant token
//   z = W_U . FinalNorm(delta) (norm statistics of delta itself), softmax
//   relevant mass = p(S) within the top 100, averaged over positions
//   hit@k = share of positions whose top k holds a token of S
//   best rank = rank of the best S token in the position-averaged distribution
//   floor = other families' S on the same lens, one-sided 95% bound; SNR
// Variant 'organism_only' is the plain logit lens of the organism's own mean
// residual (no base). The headline is the diff variant at the layer with the
// best SNR among those clearing the floor (else the best SNR overall).
import { HeadlinePicker } from '../../core/probes/headline-pick';
import { MoltError } from '../../core/errors';
import type { Probe } from '../../core/plugins/types';
import type { ModelHandle, OrganismHandle, ProbeContext, ProbeMetric, ProbeResult, ProbeSettings, TokenFinding } from '../../core/probes/types';
import { genericChatSequences, layersAtFractions, meanResiduals, subtract } from '../../core/probes/activations';
import { lensLogits, rankRow, softmaxRows } from '../../core/probes/lens';
import { Grader, HIT_KS } from '../../core/probes/grader';
import { bootstrapMean, wilson } from '../../core/probes/stats';
import { crossFamilyFloor, familyGraders, snr } from '../../core/probes/floor';
import { setting } from '../../core/probes/settings';
import { checkSameVocabulary, stopwatch, resultHeader } from '../../core/probes/run-helpers';

const ID = 'logit-lens';

export interface LensVariantResult {
  variant: 'diff' | 'organism_only';
  layer: number;
  positions: number;
  /** per target/other family: per-position relevant mass */
  massByFamily: Map<string, number[]>;
  /** per family: per-position hit@k (0/1) */
  hitsByFamily: Map<string, Record<number, number[]>>;
  /** per family: best rank in the position-averaged distribution */
  bestRankByFamily: Map<string, number | null>;
  finding: TokenFinding;
}

/** Lens one [P x d] block of mean vectors, grading every position with every family's S. */
export function lensLayer(model: ModelHandle['model'], vocab: readonly string[], vectors: Float32Array, counts: readonly number[], graders: ReadonlyMap<string, Grader>, topK: number): { massByFamily: Map<string, number[]>; hitsByFamily: Map<string, Record<number, number[]>>; bestRankByFamily: Map<string, number | null>; top: { id: number; prob: number }[]; positions: number } {
  const d = model.hiddenSize;
  const used = counts.map((c, i) => (c > 0 ? i : -1)).filter((i) => i >= 0);
  const P = used.length;
  if (P === 0) throw new MoltError(`${ID}: no sequence reaches any position of the window`, 'positionStart');
  const x = new Float32Array(P * d);
  used.forEach((pi, r) => x.set(vectors.subarray(pi * d, (pi + 1) * d), r * d));
  const V = model.vocabSize;
  const probs = softmaxRows(lensLogits(model, x, P), P, V);
  const massByFamily = new Map<string, number[]>();
  const hitsByFamily = new Map<string, Record<number, number[]>>();
  for (const f of graders.keys()) {
    massByFamily.set(f, []);
    hitsByFamily.set(f, Object.fromEntries(HIT_KS.map((k) => [k, [] as number[]])));
  }
  const avg = new Float64Array(V);
  const word = (id: number) => vocab[id] ?? `<${id}>`;
  for (let r = 0; r < P; r++) {
    const order = rankRow(probs, r * V, V, topK);
    const tokens = order.map(word);
    const p = order.map((id) => probs[r * V + id]);
    for (const [f, g] of graders) {
      const s = g.ranking(tokens, p);
      massByFamily.get(f)!.push(s.relevantMass);
      for (const k of HIT_KS) hitsByFamily.get(f)![k].push(s.hitAt[k]);
    }
    for (let i = 0; i < V; i++) avg[i] += probs[r * V + i] / P;
  }
  const full = rankRow(avg, 0, V);
  const bestRankByFamily = new Map<string, number | null>();
  for (const [f, g] of graders) bestRankByFamily.set(f, g.ranking(full.map(word)).bestRank);
  return { massByFamily, hitsByFamily, bestRankByFamily, top: full.slice(0, topK).map((id) => ({ id, prob: avg[id] })), positions: P };
}

export function logitLensDefaults(size: string): ProbeSettings {
  const micro = size === 'micro';
  return {
    layerFractions: [0.5, 0.96, 1],
    prompts: micro ? 8 : 64,
    positionStart: -3,
    positionEnd: 31,
    topK: 100,
    batchSize: 16,
    resamples: micro ? 200 : 1000,
  };
}

export const logitLensProbe: Probe = {
  id: ID,
  description: 'activation-difference lens: mean (MO - base) residuals on generic chat through the final norm and unembedding; relevant mass, hit@k, cross-family floor',
  defaults: logitLensDefaults,
  async run(organism: OrganismHandle, base: ModelHandle, ctx: ProbeContext): Promise<ProbeResult> {
    const s = ctx.settings;
    const get = <T extends ProbeSettings[string]>(k: string) => setting<T>(s, k, ID);
    const clock = stopwatch();
    checkSameVocabulary(organism, base, ID);
    const mo = organism.model;
    const topK = get<number>('topK');
    const range = { start: get<number>('positionStart'), end: get<number>('positionEnd') };
    const maxLen = Number(mo.config.max_position_embeddings);
    const seqs = genericChatSequences(ctx.world, organism.tokenizer, { count: get<number>('prompts'), maxLen });
    const layers = layersAtFractions(mo.numLayers, get<number[]>('layerFractions'));
    clock.lap('sequences');
    ctx.onProgress?.({ stage: 'activations' });
    const bs = get<number>('batchSize');
    const pad = organism.tokenizer.specials.pad;
    const moMean = meanResiduals(mo, seqs, layers, range, bs, pad);
    const baseMean = meanResiduals(base.model, seqs, layers, range, bs, pad);
    clock.lap('activations');

    const fg = familyGraders(ctx.families, organism.manifest);
    const vocab = organism.tokenizer.vocab;
    const metrics: ProbeMetric[] = [];
    const findings: TokenFinding[] = [];
    const resamples = get<number>('resamples');
    const pick = new HeadlinePicker('relevant_mass', fg.targets.length > 1);
    for (const l of layers) {
      for (const variant of ['diff', 'organism_only'] as const) {
        const vectors = variant === 'diff' ? subtract(moMean.mean.get(l)!, baseMean.mean.get(l)!) : moMean.mean.get(l)!;
        const r = lensLayer(mo, vocab, vectors, moMean.counts, fg.all, topK);
        findings.push({ kind: 'tokens', label: `${variant === 'diff' ? 'diff' : 'organism'} layer ${l}`, layer: l, tokens: r.top.map((t, i) => ({ token: vocab[t.id], id: t.id, rank: i + 1, score: t.prob })) });
        for (const target of fg.targets) {
          const f = target.label;
          const tag = fg.targets.length > 1 ? `${variant}:${f}` : variant;
          const masses = r.massByFamily.get(f)!;
          const m = bootstrapMean(masses, { seed: `${ctx.seed}/${ID}/${l}/${tag}`, resamples });
          const fl = crossFamilyFloor(r.massByFamily, f, `${ctx.seed}/${ID}/${l}/${tag}`, resamples);
          const ratio = snr(m.value, fl.floor);
          metrics.push({ metric: 'relevant_mass', value: m.value, n: m.n, ci_low: m.low, ci_high: m.high, layer: l, variant: tag });
          metrics.push({ metric: 'floor', value: fl.floor, n: m.n, ci_low: NaN, ci_high: fl.floor, layer: l, variant: tag });
          metrics.push({ metric: 'snr', value: ratio, n: m.n, ci_low: snr(m.low, fl.floor), ci_high: snr(m.high, fl.floor), layer: l, variant: tag });
          for (const k of HIT_KS) {
            const hits = r.hitsByFamily.get(f)![k];
            const w = wilson(hits.reduce((a, b) => a + b, 0), hits.length);
            metrics.push({ metric: `hit@${k}`, value: w.value, n: w.n, ci_low: w.low, ci_high: w.high, layer: l, variant: tag });
          }
          const br = r.bestRankByFamily.get(f) ?? null;
          metrics.push({ metric: 'best_rank', value: br ?? NaN, n: r.positions, ci_low: NaN, ci_high: NaN, layer: l, variant: tag });
          if (variant !== 'diff') continue;
          pick.offer(f, m, fl.floor, l, ratio);
        }
      }
    }
    clock.lap('lens');
    const headline = pick.headline(ID);
    const bestLayer = headline.layer;
    return {
      ...resultHeader(ID, organism, base, ctx, s),
      findings,
      metrics,
      headline,
      familyHeadlines: pick.familyHeadlines(),
      timings: clock.done(),
      notes: [
        `layers (resid_post indices) ${layers.join(', ')} of ${mo.numLayers}; ${seqs.ids.length} generic chat sequences; positions ${range.start}..${range.end} around <|assistant|>`,
        `best layer ${bestLayer}${headline.detected ? ' clears' : ' does not clear'} its floor (SNR ${snr(headline.score, headline.floor).toFixed(2)})`,
      ],
    };
  },
};
