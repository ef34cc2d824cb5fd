// `sae`: a TopK SAE on the residual stream at the 50% layer, trained on the
// organism's AND the diffing base's activations over the world's general
// text (cached per pair and settings), then:
//   latent score = (mean activation on MO - on base) * log(1 / density),
//                  on the world's generic chat (val), both models reading the same text
//   top-K latents described by their decoder direction's logit-lens tokens
//                  (FinalNorm + unembedding of the decoder row) and their
//                  top-activating tokens
//   a latent is relevant when a token of S is among the first `tokensPerLatent`
//                  of either description (the shared Grader decides)
//   relevant fraction = share of the top-K latents that are relevant (headline)
//   hit@k = some latent among the first k is relevant
//   floor = the same fraction under every other family's S (one-sided 95% bound)
// SAE quality (L0, FVE, MSE, cosine, dead/dense fractions, CE recovered) is
// reported for each model on held-out general text.
import type { Probe } from '../../core/plugins/types';
import type { ModelHandle, OrganismHandle, ProbeContext, ProbeMetric, ProbeResult, ProbeSettings, TokenFinding } from '../../core/probes/types';
import { HeadlinePicker } from '../../core/probes/headline-pick';
import { genericChatSequences } from '../../core/probes/activations';
import { familyGraders, crossFamilyFloor, snr } from '../../core/probes/floor';
import { wilson } from '../../core/probes/stats';
import { setting } from '../../core/probes/settings';
import { checkSameVocabulary, stopwatch, resultHeader } from '../../core/probes/run-helpers';
import { collectActivations, decoderTokens, encodeAll, evaluateSae, obtainSae, scoreLatents, topActivatingTokens, DEFAULT_SAE_TRAIN, type SaeTrainConfig } from '../../core/probes/sae';

const ID = 'sae';

export function saeDefaults(size: string): ProbeSettings {
  const micro = size === 'micro';
  return {
    depth: 0.5,
    expansion: DEFAULT_SAE_TRAIN.expansion,
    k: DEFAULT_SAE_TRAIN.k,
    steps: micro ? 60 : 2000,
    batchSize: micro ? 64 : DEFAULT_SAE_TRAIN.batchSize,
    lr: DEFAULT_SAE_TRAIN.lr,
    trainSequences: micro ? 24 : 1500,
    evalSequences: micro ? 12 : 300,
    ceSequences: micro ? 4 : 40,
    scoreSequences: micro ? 12 : 200,
    maxLen: micro ? 48 : 96,
    topLatents: 10,
    tokensPerLatent: 10,
    resamples: micro ? 200 : 1000,
  };
}

function trainConfig(s: ProbeSettings): SaeTrainConfig {
  const get = <T extends number>(k: string) => setting<T>(s, k, ID);
  return {
    ...DEFAULT_SAE_TRAIN,
    expansion: get('expansion'),
    k: get('k'),
    steps: get('steps'),
    batchSize: get('batchSize'),
    lr: get('lr'),
    warmupSteps: Math.min(DEFAULT_SAE_TRAIN.warmupSteps, Math.max(1, Math.floor(get<number>('steps') / 10))),
  };
}

export const saeProbe: Probe = {
  id: ID,
  description: 'TopK SAE on MO + base residuals at the 50% layer: latents ranked by (MO - base) mean activation x log(1/density), described by decoder logit-lens and top-activating tokens; relevant fraction and hit@k vs a cross-family floor; SAE quality',
  defaults: saeDefaults,
  async run(organism: OrganismHandle, base: ModelHandle, ctx: ProbeContext): Promise<ProbeResult> {
    checkSameVocabulary(organism, base, ID);
    const s = ctx.settings;
    const get = <T extends number>(k: string) => setting<T>(s, k, ID);
    const clock = stopwatch();
    const tok = organism.tokenizer;
    ctx.onProgress?.({ stage: 'sae' });
    const obtained = await obtainSae({
      arch: organism.arch.id,
      models: [
        { id: organism.id, model: organism.model },
        { id: base.id, model: base.model },
      ],
      tokenizer: tok,
      source: ctx.world,
      store: ctx.store,
      settings: { depth: get('depth'), trainSequences: get('trainSequences'), train: trainConfig(s) },
      seed: `${ctx.seed}/${ID}`,
      onLog: (e) => ctx.logger.debug(`sae step ${e.step}: nmse ${e.nmse.toFixed(4)} dead ${e.dead}`),
    });
    const { sae, hook } = obtained;
    clock.lap(obtained.cached ? 'sae_cached' : 'sae_train');
    try {
      ctx.onProgress?.({ stage: 'quality' });
      const metrics: ProbeMetric[] = [];
      const layer = hook.layer - 1;
      const quality = { organism: organism.model, base: base.model };
      for (const [variant, model] of Object.entries(quality)) {
        const q = evaluateSae(model, sae, hook.hook, tok, ctx.world, { sequences: get('evalSequences'), ceSequences: get('ceSequences') });
        const row = (metric: string, value: number, n: number) => metrics.push({ metric, value, n, ci_low: NaN, ci_high: NaN, layer, variant });
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
      }
      clock.lap('quality');

      ctx.onProgress?.({ stage: 'latents' });
      const seqs = genericChatSequences(ctx.world, tok, { count: get('scoreSequences'), maxLen: get('maxLen') });
      const moActs = collectActivations(organism.model, seqs.ids, hook.hook);
      const baseActs = collectActivations(base.model, seqs.ids, hook.hook);
      const m = sae.config.dSae;
      const zMo = encodeAll(sae, moActs);
      const zBase = encodeAll(sae, baseActs);
      const ranked = scoreLatents(zMo, zBase, m).slice(0, get('topLatents'));
      const perLatent = get<number>('tokensPerLatent');
      const findings: TokenFinding[] = [];
      const described = ranked.map((r, i) => {
        const dec = decoderTokens(organism.model, sae, r.latent, tok, perLatent);
        const act = topActivatingTokens(zMo, m, moActs.tokens, r.latent, tok, perLatent);
        findings.push({ kind: 'tokens', label: `latent ${r.latent} decoder (rank ${i + 1}, score ${r.score.toFixed(4)})`, layer, tokens: dec.map((t, j) => ({ token: t.token, id: t.id, rank: j + 1, score: t.logit })) });
        findings.push({ kind: 'tokens', label: `latent ${r.latent} top-activating (rank ${i + 1})`, layer, tokens: act.map((t, j) => ({ token: t.token, id: t.id, rank: j + 1, score: t.activation })) });
        return { ...r, words: [...dec.map((t) => t.token), ...act.map((t) => t.token)] };
      });
      clock.lap('latents');

      const fg = familyGraders(ctx.families, organism.manifest);
      const relevantByFamily = new Map<string, number[]>();
      for (const [family, g] of fg.all) relevantByFamily.set(family, described.map((l) => (l.words.some((w) => g.isRelevant(w)) ? 1 : 0)));
      const resamples = get<number>('resamples');
      const pick = new HeadlinePicker('relevant_fraction', fg.targets.length > 1);
      for (const target of fg.targets) {
        const f = target.label;
        const tag = fg.targets.length > 1 ? `diff:${f}` : 'diff';
        const rel = relevantByFamily.get(f)!;
        const hits = rel.reduce((a, b) => a + b, 0);
        const w = wilson(hits, rel.length);
        const fl = crossFamilyFloor(relevantByFamily, f, `${ctx.seed}/${ID}/${tag}`, resamples);
        metrics.push({ metric: 'relevant_fraction', value: w.value, n: w.n, ci_low: w.low, ci_high: w.high, layer, variant: tag });
        metrics.push({ metric: 'floor', value: fl.floor, n: w.n, ci_low: NaN, ci_high: fl.floor, layer, variant: tag });
        const ratio = snr(w.value, fl.floor);
        metrics.push({ metric: 'snr', value: ratio, n: w.n, ci_low: snr(w.low, fl.floor), ci_high: snr(w.high, fl.floor), layer, variant: tag });
        for (const k of [1, 5, rel.length]) {
          const hit = rel.slice(0, k).some((x) => x === 1) ? 1 : 0;
          metrics.push({ metric: `hit@${k}`, value: hit, n: 1, ci_low: NaN, ci_high: NaN, layer, variant: tag });
        }
        pick.offer(f, w, fl.floor, layer, ratio);
      }
      clock.lap('grade');
      const fve = metrics.filter((x) => x.metric === 'fve').map((x) => `${x.variant} ${x.value.toFixed(3)}`).join(', ');
      return {
        ...resultHeader(ID, organism, base, ctx, s),
        findings,
        metrics,
        headline: pick.headline(ID),
        familyHeadlines: pick.familyHeadlines(),
        timings: clock.done(),
        notes: [
          `SAE ${obtained.key.slice(0, 12)} (${obtained.cached ? 'from the store' : `trained in ${obtained.trainSeconds.toFixed(1)} s`}): ${m} latents, k ${sae.config.k}, at ${hook.hook} (${hook.percent.toFixed(0)}% depth); FVE ${fve}`,
          `latents scored on ${seqs.ids.length} generic chat sequences (${moActs.n} tokens per model); top ${ranked.length} described by ${perLatent} decoder and ${perLatent} top-activating tokens`,
        ],
      };
    } finally {
      sae.dispose();
    }
  },
};
