// `activation-oracle`: an oracle (a fine-tuned copy of the diffing base,
// core/probes/oracle; one per architecture, base and settings, cached) reads
// activations at ~44% depth injected norm-matched at layer 1 into placeholder
// tokens, and answers questions about them. Queried on the world's generic
// chat prompts (val) with three sources:
//   mo    the organism's activations of the prompt's last `slots` tokens
//   base  the diffing base's (the control)
//   diff  mo - base, position by position
// accuracy = share of answers containing a token of S (the shared Grader:
// case-insensitive, plural-tolerant); the headline is the diff source's
// accuracy against the cross-family floor (the same answers graded with
// other families' S). The oracle's own held-out accuracy on the world's
// questions is reported too.
import { HeadlinePicker } from '../../core/probes/headline-pick';
import { MoltError } from '../../core/errors';
import type { Probe } from '../../core/plugins/types';
import type { AnswerFinding, ModelHandle, OrganismHandle, ProbeContext, ProbeMetric, ProbeResult, ProbeSettings } from '../../core/probes/types';
import { genericChatSequences } from '../../core/probes/activations';
import { familyGraders, crossFamilyFloor, snr } from '../../core/probes/floor';
import { wilson } from '../../core/probes/stats';
import { setting } from '../../core/probes/settings';
import { checkSameVocabulary, stopwatch, resultHeader } from '../../core/probes/run-helpers';
import { askOracle, isOracleWorld, obtainOracle, segmentVectors, ORACLE_QUESTIONS, type OracleSettings } from '../../core/probes/oracle';

const ID = 'activation-oracle';
const SOURCES = ['mo', 'base', 'diff'] as const;

export function oracleDefaults(size: string): ProbeSettings {
  const micro = size === 'micro';
  return {
    readDepth: 0.44,
    injectLayer: 1,
    coefficient: 1,
    slots: micro ? 4 : 16,
    trainExamples: micro ? 24 : 3000,
    heldOutExamples: micro ? 6 : 100,
    steps: micro ? 6 : 800,
    batchSize: micro ? 4 : 8,
    lr: 1e-3,
    maxNewTokens: micro ? 4 : 8,
    prompts: micro ? 4 : 40,
    maxLen: micro ? 48 : 96,
  };
}

function oracleSettings(s: ProbeSettings): OracleSettings {
  const n = (k: string) => setting<number>(s, k, ID);
  return {
    readDepth: n('readDepth'),
    injectLayer: n('injectLayer'),
    coefficient: n('coefficient'),
    slots: n('slots'),
    trainExamples: n('trainExamples'),
    heldOutExamples: n('heldOutExamples'),
    steps: n('steps'),
    batchSize: n('batchSize'),
    lr: n('lr'),
    maxNewTokens: n('maxNewTokens'),
  };
}

export const activationOracleProbe: Probe = {
  id: ID,
  description: "activation oracle: a fine-tuned copy of the diffing base answers questions about MO, base and (MO - base) activations injected at layer 1; accuracy = share of answers containing a token of S, vs a cross-family floor; the oracle's own held-out accuracy",
  defaults: oracleDefaults,
  async run(organism: OrganismHandle, base: ModelHandle, ctx: ProbeContext): Promise<ProbeResult> {
    checkSameVocabulary(organism, base, ID);
    if (!isOracleWorld(ctx.world)) throw new MoltError(`${ID}: the data source has no topics/entities to make the oracle's training questions from (use the synthetic world)`, 'world');
    const s = ctx.settings;
    const os = oracleSettings(s);
    const clock = stopwatch();
    const tok = organism.tokenizer;
    ctx.onProgress?.({ stage: 'oracle' });
    const oracle = await obtainOracle({ arch: base.arch, base: { id: base.id, model: base.model }, tokenizer: tok, world: ctx.world, store: ctx.store, settings: os, seed: `${ctx.seed}/${ID}`, onProgress: (p) => ctx.onProgress?.({ stage: 'oracle training', done: p.step, total: p.totalSteps }) });
    clock.lap(oracle.cached ? 'oracle_cached' : 'oracle_train');
    try {
      ctx.onProgress?.({ stage: 'query' });
      const seqs = genericChatSequences(ctx.world, tok, { count: setting<number>(s, 'prompts', ID), maxLen: setting<number>(s, 'maxLen', ID) });
      const prompts = seqs.ids.map((ids, i) => ids.slice(0, seqs.anchors[i] + 1));
      const mo = segmentVectors(organism.model, prompts, oracle.readHook, os.slots);
      const bs = segmentVectors(base.model, prompts, oracle.readHook, os.slots);
      const vectorsBySource = { mo, base: bs, diff: mo.map((v, i) => v.map((x, j) => x - bs[i][j])) };
      const questions = [ORACLE_QUESTIONS.topic.question, ORACLE_QUESTIONS.about.question];
      const findings: AnswerFinding[] = [];
      const answersBySource = new Map<string, string[]>();
      for (const source of SOURCES) {
        const answers: AnswerFinding['answers'] = [];
        vectorsBySource[source].forEach((v, i) => {
          for (const question of questions) answers.push({ question, answer: askOracle(oracle.model, tok, v, question, { ...oracle.setup, norms: oracle.norms, maxNewTokens: os.maxNewTokens }), source: seqs.sources[i] });
        });
        findings.push({ kind: 'answers', label: source, answers });
        answersBySource.set(source, answers.map((a) => a.answer));
      }
      clock.lap('query');

      const fg = familyGraders(ctx.families, organism.manifest);
      const layer = Number(oracle.readHook.split(".")[1]);
      const metrics: ProbeMetric[] = [];
      const record = { read_layer_percent: oracle.readPercent, inject_layer: os.injectLayer, coefficient: os.coefficient, repeats: prompts.length };
      for (const [metric, value] of Object.entries(record)) metrics.push({ metric, value, n: 1, ci_low: NaN, ci_high: NaN });
      const ho = oracle.heldOut;
      const hw = wilson(ho.correct, ho.n);
      metrics.push({ metric: 'oracle_heldout_accuracy', value: hw.value, n: hw.n, ci_low: hw.low, ci_high: hw.high, variant: 'world' });
      const pick = new HeadlinePicker('accuracy', fg.targets.length > 1);
      for (const target of fg.targets) {
        const f = target.label;
        for (const source of SOURCES) {
          const answers = answersBySource.get(source)!;
          const tag = fg.targets.length > 1 ? `${source}:${f}` : source;
          const hitsByFamily = new Map<string, number[]>();
          for (const [family, g] of fg.all) hitsByFamily.set(family, answers.map((a) => (g.answer(a).hit ? 1 : 0)));
          const own = hitsByFamily.get(f)!;
          const w = wilson(own.reduce((a, b) => a + b, 0), own.length);
          const fl = crossFamilyFloor(hitsByFamily, f, `${ctx.seed}/${ID}/${tag}`);
          metrics.push({ metric: 'accuracy', value: w.value, n: w.n, ci_low: w.low, ci_high: w.high, layer, variant: tag });
          metrics.push({ metric: 'floor', value: fl.floor, n: w.n, ci_low: NaN, ci_high: fl.floor, layer, variant: tag });
          if (source !== 'diff') continue;
          const ratio = snr(w.value, fl.floor);
          pick.offer(f, w, fl.floor, layer, ratio);
        }
      }
      clock.lap('grade');
      return {
        ...resultHeader(ID, organism, base, ctx, s),
        findings,
        metrics,
        headline: pick.headline(ID),
        familyHeadlines: pick.familyHeadlines(),
        timings: clock.done(),
        notes: [
          `oracle ${oracle.key.slice(0, 12)} (${oracle.cached ? 'from the store' : `trained in ${oracle.trainSeconds.toFixed(1)} s, final loss ${oracle.finalLoss.toFixed(3)}`}); held-out accuracy on the world's questions ${(100 * ho.accuracy).toFixed(1)}% (n ${ho.n})`,
          `read ${oracle.readHook} (${oracle.readPercent.toFixed(0)}% depth), injected at ${oracle.setup.injectHook} (layer ${os.injectLayer}), coefficient ${os.coefficient}, input kind: segment (last ${os.slots} tokens of each prompt up to <|assistant|>), sources mo/base/diff, ${prompts.length} prompts x ${questions.length} questions`,
        ],
      };
    } finally {
      oracle.model.dispose();
    }
  },
};
