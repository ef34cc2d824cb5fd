// `logit-lens`: the activation-difference lens (ADL, METRICS.md "Logit lens").
//   delta[l,p] = mean over generic chat (the world's val split) of
//                h_MO[l,p] - h_base[l,p], p = -3..31 around the assistant token
//   z = W_U . FinalNorm(delta) (norm statistics of delta itself), softmax
//   relevant mass = p(S) within the top 100, averaged over positions
//   hit@k = share of positions whose top k holds a token of S
//   best rank = rank of the best S token in the position-averaged distribution
// Variant 'organism_only' is the plain logit lens of the organism's own mean
// residual (no base). The harness adds the cross-family floor and SNR; the
// headline is the relevant mass of ONE variant at ONE layer, both named by the
// settings before any scored organism is looked at: headlineVariant
// (organism_only; the paper's ADL headline is diff) and the layer
// (headlineLayerByArchitecture, else headlineLayerFraction; the paper's ADL
// layer is 50%), chosen on calibration organisms no scored suite uses
// (docs/PROBES.md "logit-lens"); the other layers and variant are reported,
// never picked from.
import { defineProbe, chatFormat, tokenStrings, genericChatSequences, layersAtFractions, architectureFractions, fractionForArchitecture, meanResiduals, subtract, perTarget, score, wilson, HIT_KS, z, type ObservationRow, type TokenFinding } from '../../../core/public';
import { lensLayer } from './lens-layer';

export const logitLensProbe = defineProbe({
  id: 'logit-lens',
  description: "logit lens of the MO's mean residuals and of their difference from the base's (ADL) on generic chat; relevant mass, hit@k, cross-family floor; headline: the MO's own lens (headlineVariant; the paper's is the difference)",
  settings: z.object({
    layerFractions: z.array(z.number().gt(0).lte(1)).default([0.5, 0.96, 1]),
    /**
     * the headline's layer, as a share of depth (lensed even when layerFractions leaves it out), for an
     * architecture headlineLayerByArchitecture does not name: 1, the last block's output, the best
     * worst-family AUROC over both architectures' calibration organisms; the paper's ADL layer is 0.5
     */
    headlineLayerFraction: z.number().gt(0).lte(1).default(1),
    /**
     * per-architecture headline layers, 'architecture=fraction': 75% on olmo2 and 50% on gemma3, each
     * architecture's best worst-family AUROC on its calibration organisms, preferred to one layer for
     * both on the fresh organisms of suite lens-confirmation (docs/PROBES.md "logit-lens"); [] gives
     * headlineLayerFraction everywhere
     */
    headlineLayerByArchitecture: architectureFractions(['olmo2=0.75', 'gemma3=0.5']),
    /**
     * the headline's variant: 'organism_only' (the plain lens of the MO's mean residual), chosen on the
     * calibration organisms (suite lens-calibration, docs/PROBES.md) where 'diff', the paper's ADL,
     * ranked every valid cake organism below its null; 'diff' is the paper's
     */
    headlineVariant: z.enum(['diff', 'organism_only']).default('organism_only'),
    prompts: z.number().int().positive().default(64),
    positionStart: z.number().int().default(-3),
    positionEnd: z.number().int().default(31),
    topK: z.number().int().positive().default(100),
    batchSize: z.number().int().positive().default(16),
    resamples: z.number().int().positive().default(1000),
  }),
  sizes: { micro: { prompts: 8, resamples: 200 } },
  measure({ organism, base, settings: s, world, graders, lap, progress }) {
    const mo = organism.model;
    const range = { start: s.positionStart, end: s.positionEnd };
    const seqs = genericChatSequences(world, organism.tokenizer, { count: s.prompts, maxLen: Number(mo.config.max_position_embeddings) });
    const fraction = fractionForArchitecture(organism.arch.id, s.headlineLayerByArchitecture, s.headlineLayerFraction, 'headlineLayerByArchitecture');
    const [headlineLayer] = layersAtFractions(mo.numLayers, [fraction]);
    const layers = layersAtFractions(mo.numLayers, [...s.layerFractions, fraction]);
    lap('sequences');
    progress({ stage: 'activations' });
    const pad = chatFormat(organism.tokenizer).padId;
    const moMean = meanResiduals(mo, seqs, layers, range, s.batchSize, pad);
    const baseMean = meanResiduals(base.model, seqs, layers, range, s.batchSize, pad);
    lap('activations');

    const vocab = tokenStrings(organism.tokenizer);
    const findings: TokenFinding[] = [];
    const rows: ObservationRow[] = [];
    for (const l of layers) {
      for (const variant of ['diff', 'organism_only'] as const) {
        const vectors = variant === 'diff' ? subtract(moMean.mean.get(l)!, baseMean.mean.get(l)!) : moMean.mean.get(l)!;
        const r = lensLayer(mo, vocab, vectors, moMean.counts, graders, s.topK);
        findings.push({ kind: 'tokens', label: `${variant === 'diff' ? 'diff' : 'organism'} layer ${l}`, layer: l, tokens: r.top.map((t, i) => ({ token: vocab[t.id], id: t.id, rank: i + 1, score: t.prob })) });
        rows.push(
          perTarget(({ family, tag }) => [
            score({ metric: 'relevant_mass', variant, layer: l, estimate: 'mean', values: r.massByFamily, resamples: s.resamples, stream: l, snr: true, headline: variant === s.headlineVariant && l === headlineLayer ? 'snr' : undefined }),
            ...HIT_KS.map((k) => {
              const hits = r.hitsByFamily.get(family)![k];
              const w = wilson(hits.reduce((a, b) => a + b, 0), hits.length);
              return { metric: `hit@${k}`, value: w.value, n: w.n, ci_low: w.low, ci_high: w.high, layer: l, variant: tag(variant) };
            }),
            { metric: 'best_rank', value: r.bestRankByFamily.get(family) ?? NaN, n: r.positions, ci_low: NaN, ci_high: NaN, layer: l, variant: tag(variant) },
          ]),
        );
      }
    }
    return { findings, rows, notes: [`layers (resid_post indices) ${layers.join(', ')} of ${mo.numLayers}, headline at layer ${headlineLayer}; ${seqs.ids.length} generic chat sequences; positions ${range.start}..${range.end} around the assistant header`] };
  },
});
