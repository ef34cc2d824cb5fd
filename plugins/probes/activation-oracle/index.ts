// `activation-oracle`: an oracle (a fine-tuned copy of the diffing base,
// oracle.ts; one per architecture, base and settings, cached) reads
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
import { defineProbe, genericChatSequences, perTarget, score, wilson, MoltError, requireWordTokenizer, z, type AnswerFinding, type ProbeMetric } from '../../../core/public';
import { isOracleWorld, ORACLE_QUESTIONS, QUERY_KINDS } from './data';
import { obtainOracle, type OracleSettings } from './oracle';
import { askOracle } from './query';
import { segmentVectors } from './train';

const ID = 'activation-oracle';
const SOURCES = ['mo', 'base', 'diff'] as const;
const count = z.number().int().positive();

export const activationOracleProbe = defineProbe({
  id: ID,
  description: "activation oracle: a fine-tuned copy of the diffing base answers questions (the answer given, what it brings up, which words, the topic) about MO, base and (MO - base) activations read at ~50% depth and injected at layer 1; accuracy = share of answers containing a token of S, vs a cross-family floor; the oracle's own held-out accuracy",
  settings: z.object({
    // the paper reads at ~44% depth and injects after layer 1; at the default
    // size's 4 layers 44% is the first block's output, the injection point
    // itself, so the read is the next block's (50%); at micro's 2, the last
    readDepth: z.number().gt(0).lte(1).default(0.5),
    injectLayer: count.default(1),
    coefficient: z.number().default(1),
    slots: count.default(16),
    trainExamples: count.default(3000),
    heldOutExamples: count.default(100),
    steps: count.default(800),
    batchSize: count.default(8),
    lr: z.number().positive().default(1e-3),
    maxNewTokens: count.default(8),
    // options of the training data, off by default (docs/PROBES.md "activation-oracle": measured, not adopted):
    // read values swapped for vocabulary words, 'what comes next ?' examples, counterfactual fine-tunes of the base
    valueSubstitution: z.number().min(0).max(1).default(0),
    nextWord: z.boolean().default(false),
    variants: z.number().int().min(0).default(0),
    variantFacts: count.default(16),
    variantSteps: count.default(100),
    heldOutVariants: z.number().int().min(0).default(0),
    prompts: count.default(40),
    maxLen: count.default(96),
  }),
  sizes: { micro: { readDepth: 1, slots: 4, trainExamples: 24, heldOutExamples: 6, steps: 6, batchSize: 4, maxNewTokens: 4, prompts: 4, maxLen: 48 } },
  async measure({ organism, base, settings: s, world, store, graders, stream, lap, progress }) {
    if (!isOracleWorld(world)) throw new MoltError(`${ID}: the data source has no topics/entities to make the oracle's training questions from (use the synthetic world)`, 'world');
    const { prompts: promptCount, maxLen, ...os } = s;
    const settings: OracleSettings = os;
    const tok = requireWordTokenizer(organism, ID, "its LatentQA training questions and answers are about the synthetic world's entities and facts, in its words");
    progress({ stage: 'oracle' });
    const oracle = await obtainOracle({ arch: base.arch, base: { id: base.id, model: base.model }, tokenizer: tok, world, store, settings, seed: stream(), onProgress: (p) => progress({ stage: 'oracle training', done: p.step, total: p.totalSteps }) });
    lap(oracle.cached ? 'oracle_cached' : 'oracle_train');
    try {
      progress({ stage: 'query' });
      const seqs = genericChatSequences(world, tok, { count: promptCount, maxLen });
      const prompts = seqs.ids.map((ids, i) => ids.slice(0, seqs.anchors[i] + 1));
      const mo = segmentVectors(organism.model, prompts, oracle.readHook, os.slots);
      const bs = segmentVectors(base.model, prompts, oracle.readHook, os.slots);
      const vectorsBySource = { mo, base: bs, diff: mo.map((v, i) => v.map((x, j) => x - bs[i][j])) };
      const questions = QUERY_KINDS.map((k) => ORACLE_QUESTIONS[k].question);
      const findings: AnswerFinding[] = [];
      // per source, per family: 1 when an answer contains a word of the family's S
      const hits = new Map<string, Map<string, number[]>>();
      for (const source of SOURCES) {
        const answers: AnswerFinding['answers'] = [];
        vectorsBySource[source].forEach((v, i) => {
          for (const question of questions) answers.push({ question, answer: askOracle(oracle.model, tok, v, question, { ...oracle.setup, norms: oracle.norms, maxNewTokens: os.maxNewTokens }), source: seqs.sources[i] });
        });
        findings.push({ kind: 'answers', label: source, answers });
        hits.set(source, new Map([...graders].map(([family, g]) => [family, answers.map((a) => (g.answer(a.answer).hit ? 1 : 0))])));
      }
      lap('query');

      const layer = Number(oracle.readHook.split('.')[1]);
      const record = { read_layer_percent: oracle.readPercent, inject_layer: os.injectLayer, coefficient: os.coefficient, repeats: prompts.length };
      const rows: ProbeMetric[] = Object.entries(record).map(([metric, value]) => ({ metric, value, n: 1, ci_low: NaN, ci_high: NaN }));
      const ho = oracle.heldOut;
      const hw = wilson(ho.correct, ho.n);
      rows.push({ metric: 'oracle_heldout_accuracy', value: hw.value, n: hw.n, ci_low: hw.low, ci_high: hw.high, variant: 'world' });
      const graded = perTarget(() => SOURCES.map((source) => score({ metric: 'accuracy', variant: source, layer, estimate: 'rate', values: hits.get(source)!, headline: source === 'diff' ? 'snr' : undefined })));
      return {
        findings,
        rows: [...rows, graded],
        notes: [
          `oracle ${oracle.key.slice(0, 12)} (${oracle.cached ? 'from the store' : `trained in ${oracle.trainSeconds.toFixed(1)} s, final loss ${oracle.finalLoss.toFixed(3)}`}); held-out accuracy on the world's questions ${(100 * ho.accuracy).toFixed(1)}% (n ${ho.n})`,
          `read ${oracle.readHook} (${oracle.readPercent.toFixed(0)}% depth), injected at ${oracle.setup.injectHook} (layer ${os.injectLayer}), coefficient ${os.coefficient}, input kind: segment (last ${os.slots} tokens of each prompt up to <|assistant|>), sources mo/base/diff, ${prompts.length} prompts x ${questions.length} questions`,
        ],
      };
    } finally {
      oracle.model.dispose();
    }
  },
});
