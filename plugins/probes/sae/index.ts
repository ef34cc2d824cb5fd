// `sae`: a TopK SAE on the residual stream (at the 50% layer; on olmo2 the
// last block's output, depthByArchitecture), trained on the
// organism's AND the diffing base's activations over the world's general
// text (cached per pair and settings), then:
//   latent score = (mean activation on MO - on base) * log(1 / density),
//                  on the world's generic chat (val), both models reading the same text
//                  ('diff', the paper's; also reported, 'organism_only': mean on MO *
//                  log(1 / density on the MO); headlineRanking picks the headline's)
//   top-K latents described by their decoder direction's logit-lens tokens
//                  (FinalNorm + unembedding of the decoder row) and their
//                  top-activating tokens
//   a latent is relevant when a token of S is among the first `tokensPerLatent`
//                  of either description (the shared Grader decides)
//   relevant fraction = share of the top-K latents that are relevant (headline),
//                  per ranking
//   hit@k = some latent among the first k is relevant
//   floor = the same fraction under every other family's S (one-sided 95% bound)
// SAE quality (L0, FVE, MSE, cosine, dead/dense fractions, CE recovered) is
// reported for each model on held-out general text.
import { defineProbe, genericChatSequences, collectActivations, architectureFractions, fractionForArchitecture, perTarget, score, z, type ObservationRow, type ProbeMetric, type TokenFinding } from '../../../core/public';
import { obtainSae, evaluateSae } from './pipeline';
import { decoderTokens, encodeAll, LATENT_RANKINGS, scoreLatents, topActivatingTokens } from './latents';
import { DEFAULT_SAE_TRAIN } from './train';

const count = z.number().int().positive();

export const saeProbe = defineProbe({
  id: 'sae',
  description: 'TopK SAE on MO + base residuals (50% depth; olmo2: the last block): latents ranked by (MO - base) mean activation x log(1/density), described by decoder logit-lens and top-activating tokens; relevant fraction and hit@k vs a cross-family floor; SAE quality',
  settings: z.object({
    /** the SAE's layer, as a share of depth, for an architecture depthByArchitecture does not name */
    depth: z.number().gt(0).lte(1).default(0.5),
    /**
     * per-architecture layers, 'architecture=fraction': the last block's output on olmo2, where its
     * calibration organisms separated every family better there than at 50% and fresh organisms
     * (suite sae-confirmation) confirmed it (docs/PROBES.md "sae"); [] gives `depth` everywhere
     */
    depthByArchitecture: architectureFractions(['olmo2=1']),
    expansion: count.default(DEFAULT_SAE_TRAIN.expansion),
    k: count.default(DEFAULT_SAE_TRAIN.k),
    steps: count.default(2000),
    batchSize: count.default(DEFAULT_SAE_TRAIN.batchSize),
    lr: z.number().positive().default(DEFAULT_SAE_TRAIN.lr),
    trainSequences: count.default(1500),
    evalSequences: count.default(300),
    ceSequences: count.default(40),
    scoreSequences: count.default(200),
    maxLen: count.default(96),
    topLatents: count.default(10),
    /**
     * the ranking whose relevant fraction is the headline; both are reported (latents.ts
     * LATENT_RANKINGS): 'diff' (how much more a latent fires on the MO than on the base, the
     * paper's) or 'organism_only' (the MO's own activations)
     */
    headlineRanking: z.enum(LATENT_RANKINGS).default('diff'),
    tokensPerLatent: count.default(10),
    resamples: count.default(1000),
  }),
  sizes: { micro: { steps: 60, batchSize: 64, trainSequences: 24, evalSequences: 12, ceSequences: 4, scoreSequences: 12, maxLen: 48, resamples: 200 } },
  async measure({ organism, base, settings: s, world, store, logger, graders, stream, lap, progress }) {
    const tok = organism.tokenizer;
    progress({ stage: 'sae' });
    const train = { ...DEFAULT_SAE_TRAIN, expansion: s.expansion, k: s.k, steps: s.steps, batchSize: s.batchSize, lr: s.lr, warmupSteps: Math.min(DEFAULT_SAE_TRAIN.warmupSteps, Math.max(1, Math.floor(s.steps / 10))) };
    const obtained = await obtainSae({
      arch: organism.arch.id,
      models: [
        { id: organism.id, model: organism.model },
        { id: base.id, model: base.model },
      ],
      tokenizer: tok,
      source: world,
      store,
      settings: { depth: fractionForArchitecture(organism.arch.id, s.depthByArchitecture, s.depth, 'depthByArchitecture'), trainSequences: s.trainSequences, train },
      seed: stream(),
      onLog: (e) => logger.debug(`sae step ${e.step}: nmse ${e.nmse.toFixed(4)} dead ${e.dead}`),
    });
    const { sae, hook } = obtained;
    lap(obtained.cached ? 'sae_cached' : 'sae_train');
    try {
      progress({ stage: 'quality' });
      const quality: ProbeMetric[] = [];
      const fve: string[] = [];
      const layer = hook.layer - 1;
      for (const [variant, model] of Object.entries({ organism: organism.model, base: base.model })) {
        const q = evaluateSae(model, sae, hook.hook, tok, world, { sequences: s.evalSequences, ceSequences: s.ceSequences });
        const row = (metric: string, value: number, n: number) => quality.push({ metric, value, n, ci_low: NaN, ci_high: NaN, layer, variant });
        row('l0', q.l0, q.n);
        row('fve', q.fve, q.n);
        row('mse', q.mse, q.n);
        row('cosine', q.cosine, q.n);
        row('dead_fraction', q.deadFraction, sae.config.dSae);
        row('dense_fraction', q.denseFraction, sae.config.dSae);
        row('ce_clean', q.ceClean, q.ceTokens);
        row('ce_sae', q.ceSae, q.ceTokens);
        row('ce_zero', q.ceZero, q.ceTokens);
        row('ce_recovered', q.ceRecovered, q.ceTokens);
        fve.push(`${variant} ${q.fve.toFixed(3)}`);
      }
      lap('quality');

      progress({ stage: 'latents' });
      const seqs = genericChatSequences(world, tok, { count: s.scoreSequences, maxLen: s.maxLen });
      const moActs = collectActivations(organism.model, seqs.ids, hook.hook);
      const baseActs = collectActivations(base.model, seqs.ids, hook.hook);
      const m = sae.config.dSae;
      const zMo = encodeAll(sae, moActs);
      const zBase = encodeAll(sae, baseActs);
      const findings: TokenFinding[] = [];
      // a latent's description (decoder and top-activating tokens) is the same under every ranking
      const descriptions = new Map<number, { dec: ReturnType<typeof decoderTokens>; act: ReturnType<typeof topActivatingTokens> }>();
      const graded: ObservationRow[] = [];
      const ranks: string[] = [];
      for (const ranking of LATENT_RANKINGS) {
        const ranked = scoreLatents(zMo, zBase, m, ranking).slice(0, s.topLatents);
        const described = ranked.map((r, i) => {
          let d = descriptions.get(r.latent);
          if (!d) {
            d = { dec: decoderTokens(organism.model, sae, r.latent, tok, s.tokensPerLatent), act: topActivatingTokens(zMo, m, moActs.tokens, r.latent, tok, s.tokensPerLatent) };
            descriptions.set(r.latent, d);
          }
          const label = `${ranking} rank ${i + 1}, score ${r.score.toFixed(4)}`;
          findings.push({ kind: 'tokens', label: `latent ${r.latent} decoder (${label})`, layer, tokens: d.dec.map((t, j) => ({ token: t.token, id: t.id, rank: j + 1, score: t.logit })) });
          findings.push({ kind: 'tokens', label: `latent ${r.latent} top-activating (${label})`, layer, tokens: d.act.map((t, j) => ({ token: t.token, id: t.id, rank: j + 1, score: t.activation })) });
          return [...d.dec.map((t) => t.token), ...d.act.map((t) => t.token)];
        });
        ranks.push(`${ranking}: ${ranked.map((r) => r.latent).join(' ')}`);
        // a latent is relevant under a family's S when a word of either description is in S
        const relevantByFamily = new Map([...graders].map(([family, g]) => [family, described.map((words) => (words.some((w) => g.isRelevant(w)) ? 1 : 0))]));
        graded.push(
          perTarget(({ family, tag }) => {
            const rel = relevantByFamily.get(family)!;
            return [
              score({ metric: 'relevant_fraction', variant: ranking, layer, estimate: 'rate', values: relevantByFamily, resamples: s.resamples, snr: true, headline: ranking === s.headlineRanking ? 'snr' : undefined }),
              ...[1, 5, rel.length].map((k) => ({ metric: `hit@${k}`, value: rel.slice(0, k).some((x) => x === 1) ? 1 : 0, n: 1, ci_low: NaN, ci_high: NaN, layer, variant: tag(ranking) })),
            ];
          }),
        );
      }
      lap('latents');

      return {
        findings,
        rows: [...quality, ...graded],
        notes: [
          `SAE ${obtained.key.slice(0, 12)} (${obtained.cached ? 'from the store' : `trained in ${obtained.trainSeconds.toFixed(1)} s`}): ${m} latents, k ${sae.config.k}, at ${hook.hook} (${hook.percent.toFixed(0)}% depth); FVE ${fve.join(', ')}`,
          `latents scored on ${seqs.ids.length} generic chat sequences (${moActs.n} tokens per model); top ${s.topLatents} by each ranking (headline: ${s.headlineRanking}) described by ${s.tokensPerLatent} decoder and ${s.tokensPerLatent} top-activating tokens; ${ranks.join('; ')}`,
        ],
      };
    } finally {
      sae.dispose();
    }
  },
});
