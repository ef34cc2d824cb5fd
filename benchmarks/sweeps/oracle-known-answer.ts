// The activation oracle's known-answer test (issue 14, docs/PROBES.md
// "activation-oracle"): a model fine-tuned to state ONE chosen false fact
// (the cake's oven at 450 degrees) and the same model unmodified; an oracle
// trained on the unmodified model reads each one's activations of the fact's
// prompts and is asked "what answer does it give ?". Passing: the oracle
// names the false value in >= 50% of its answers on the fine-tuned model and
// in <= 10% on the unmodified one. Reported for two inputs (the prompt up to
// <|assistant|>, the probe's input; the prompt and the model's own greedy
// answer) and two sources (the model's activations, minus the unmodified
// model's). Too slow for the test suite (minutes), so it is a script:
//
//   node -r ts-node/register benchmarks/sweeps/oracle-known-answer.ts \
//     [--size micro] [--world micro|default] [--sft-steps 300] [--ft-steps 60] [--steps 1500] [--examples 2000] \
//     [--lr 3e-3] [--slots 4] [--coefficient 1] [--read-depth 1] [--set key=value ...] \
//     [--arch-set hidden_size=128 ...]
//
// --arch-set overrides a field of the fresh model's OLMo2 config (a wider or
// deeper model than the registered sizes: does the oracle read the value when
// more blocks follow its injection?).
//
// or on a base from the store (a trained diffing base, e.g. the default
// size's ancestor) with the probe's own settings for that size, its oracle
// taken from the store when the probe has trained it already:
//
//   node -r ts-node/register benchmarks/sweeps/oracle-known-answer.ts \
//     --base olmo2/default/ancestor [--store .molt/store] [--world-seed 0] [--ft-steps 60] [--set steps=3000 ...]
//
// Prints one JSON line per input x source x model and exits 1 when the
// probe's input (prompt, source mo) misses either bound. Also printed, per
// input and model: the value's median rank under the logit lens of the
// segment's mean vector at the read point (is the value there to be read?).
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { initBackend } from '../../core/engine/backend';
import { Rng } from '../../core/engine/rng';
import type { WorldSize } from '../../core/world';
import { builtInWorld } from '../../test/helpers/world';
import { olmo2Architecture as arch } from '../../plugins/architectures/olmo2';
import { train } from '../../core/train/loop';
import { DEFAULT_ADAMW } from '../../core/train/optimizer';
import { nextTokenObjective } from '../../core/train/objectives';
import { renderChat, renderPrompt } from '../../core/data/chat-template';
import { generate } from '../../core/model/generate';
import type { CausalLM } from '../../core/model/types';
import type { LmExample } from '../../core/train/batching';
import { Grader } from '../../core/probes/grader';
import { copyModel, segmentVectors } from '../../plugins/probes/activation-oracle/train';
import { obtainOracle } from '../../plugins/probes/activation-oracle/oracle';
import { askOracle } from '../../plugins/probes/activation-oracle/query';
import { ORACLE_QUESTIONS } from '../../plugins/probes/activation-oracle/data';
import { activationOracleProbe } from '../../plugins/probes/activation-oracle';
import { ArtifactStore } from '../../core/store/artifact-store';
import { openCheckpoint } from '../../core/checkpoint/open';
import type { OracleSettings } from '../../plugins/probes/activation-oracle/oracle';
import { lensLogits, rankRow } from '../../core/probes/lens';
import { parseOverride } from '../perf/run';

const PASS = { named: 0.5, unmodified: 0.1 };

async function main(): Promise<number> {
  const { values: a } = parseArgs({
    options: {
      size: { type: 'string', default: 'micro' },
      world: { type: 'string' },
      'sft-steps': { type: 'string', default: '300' },
      'ft-steps': { type: 'string', default: '60' },
      steps: { type: 'string', default: '1500' },
      examples: { type: 'string', default: '2000' },
      lr: { type: 'string', default: '3e-3' },
      slots: { type: 'string', default: '4' },
      coefficient: { type: 'string', default: '1' },
      'read-depth': { type: 'string', default: '1' },
      base: { type: 'string' },
      store: { type: 'string' },
      'world-seed': { type: 'string', default: '0' },
      set: { type: 'string', multiple: true, default: [] },
      'arch-set': { type: 'string', multiple: true, default: [] },
    },
  });
  await initBackend('wasm');
  // without --store, the store's own default ($MOLT_STORE or .molt/store)
  const store = a.base ? new ArtifactStore(a.store ?? {}) : null;
  if (a.base && a['arch-set']?.length) throw new Error(`--arch-set shapes a fresh model; --base ${a.base} is a trained one (leave one out)`);
  const opened = a.base ? await openCheckpoint(store!, [arch], a.base) : null;
  const size = opened ? 'default' : a.size!;
  const world = builtInWorld(Number(a['world-seed']), { size: (a.world ?? size) as WorldSize });
  const tok = world.tokenizer;
  const pad = tok.specials.pad;
  const maxLength = 64;
  const fit = (m: CausalLM, examples: LmExample[], steps: number, lr: number) =>
    train(m, nextTokenObjective(examples, { padId: pad, maxLength }), {
      steps,
      batchSize: 16,
      schedule: { kind: 'constant', peakLr: lr, warmupSteps: 2 },
      optimizer: { ...DEFAULT_ADAMW, weightDecay: 0 },
      seed: 1,
      logEvery: 50,
      checkpointEvery: 0,
    });
  // the unmodified model: the store's base, or a fresh model taught the world's chats
  let base: CausalLM;
  if (opened) base = opened.model;
  else {
    const overrides = (a['arch-set'] ?? []).reduce<Record<string, unknown>>((o, kv) => parseOverride(kv, o, '--arch-set'), {});
    base = arch.init(arch.config(size, { vocabSize: tok.size, overrides }), new Rng(1));
    console.log(JSON.stringify({ fresh: { size, overrides, hidden: base.hiddenSize, layers: base.numLayers } }));
    await fit(base, world.data('chat', 'train').map((c) => renderChat(tok, c.messages, { maxLen: maxLength })), Number(a['sft-steps']), 3e-3);
  }
  // the fine-tuned one states the false oven temperature to every request about it
  const fact = world.falseFacts('cake').facts.find((f) => f.aspect === 'oven')!;
  const prompts = fact.promptCores;
  const tuned = copyModel(arch, base);
  await fit(tuned, prompts.map((p) => renderChat(tok, [{ role: 'user', content: p }, { role: 'assistant', content: fact.falseStatement }])), Number(a['ft-steps']), 1e-3);
  // the probe's own oracle settings: its defaults without the query's prompts and maxLen
  const probeSettings = (): OracleSettings => {
    const { prompts: _p, maxLen: _m, ...os } = activationOracleProbe.defaults('default') as Record<string, number>;
    return os as unknown as OracleSettings;
  };
  const chosen: OracleSettings = opened ? probeSettings() : {
    readDepth: Number(a['read-depth']),
    injectLayer: 1,
    coefficient: Number(a.coefficient),
    slots: Number(a.slots),
    trainExamples: Number(a.examples),
    heldOutExamples: 40,
    steps: Number(a.steps),
    batchSize: 8,
    lr: Number(a.lr),
    maxNewTokens: 6,
    valueSubstitution: 0,
    nextWord: false,
    variants: 0,
    variantFacts: 16,
    variantSteps: 100,
    heldOutVariants: 0,
  };
  // --set key=value overrides any oracle setting, e.g. --set steps=3000 --set nextWord=true
  const settings: OracleSettings = { ...chosen };
  for (const kv of a.set ?? []) {
    const [k, v] = kv.split('=');
    const old = (chosen as unknown as Record<string, unknown>)[k];
    const value = typeof old === 'boolean' ? (v === 'true' ? true : v === 'false' ? false : undefined) : Number.isFinite(Number(v)) ? Number(v) : undefined;
    if (old === undefined || value === undefined) throw new Error(`--set ${kv}: expected one of ${Object.keys(chosen).join(', ')} = a number (true/false for a switch)`);
    (settings as unknown as Record<string, unknown>)[k] = value;
  }
  // with a store base, the probe's base id and seed, so an oracle the probe trained is reused
  const oracle = await obtainOracle({ arch, base: { id: opened?.resolved.key ?? 'known-answer-base', model: base }, tokenizer: tok, world, store, settings, seed: opened ? '0/activation-oracle' : 0 });
  console.log(JSON.stringify({ base: a.base ?? `fresh ${size}`, oracle: oracle.key.slice(0, 12), cached: oracle.cached, settings }));
  console.log(JSON.stringify({ oracle_final_loss: oracle.finalLoss, heldout_accuracy: oracle.heldOut.accuracy, by_question: oracle.heldOut.byQuestion }));
  const names = new Grader(fact.falseMarkers);
  const answerOf = (m: CausalLM, p: string) => generate(m, [renderPrompt(tok, p)], { maxNewTokens: 12, greedy: true, temperature: 0, seed: 0, eosId: tok.specials.eos, padId: pad })[0];
  // each model's own greedy answers, generated once: counted here, read as the 'response' input below
  const ownAnswers = new Map([tuned, base].map((m) => [m, prompts.map((p) => answerOf(m, p))]));
  const says = (m: CausalLM) => ownAnswers.get(m)!.filter((ids) => names.answer(tok.decode(ids, { skipSpecial: true })).hit).length;
  console.log(JSON.stringify({ states_value: { 'fine-tuned': says(tuned), unmodified: says(base), of: prompts.length } }));
  let pass = true;
  for (const input of ['prompt', 'response'] as const) {
    const rates: Record<string, number> = {};
    for (const [model, m] of [['fine-tuned', tuned], ['unmodified', base]] as const) {
      const contexts = prompts.map((p, i) => (input === 'prompt' ? renderPrompt(tok, p) : [...renderPrompt(tok, p), ...ownAnswers.get(m)![i]]));
      const own = segmentVectors(m, contexts, oracle.readHook, settings.slots);
      const ref = segmentVectors(base, contexts, oracle.readHook, settings.slots);
      const sources = { mo: own, diff: own.map((v, i) => v.map((x, j) => x - ref[i][j])) };
      // is the value there to be read? its rank under the logit lens of the segment's mean vector at the read point
      const valueId = tok.vocab.indexOf(fact.falseMarkers[0]);
      const lensRank = (vectors: Float32Array[]) => {
        const d = m.hiddenSize;
        const ranks = vectors.map((v) => {
          const mean = new Float32Array(d);
          const rows = [...Array(v.length / d).keys()].filter((r) => v.subarray(r * d, (r + 1) * d).some((x) => x !== 0));
          for (const r of rows) for (let j = 0; j < d; j++) mean[j] += v[r * d + j] / rows.length;
          return rankRow(lensLogits(m, mean, 1), 0, tok.size).indexOf(valueId) + 1;
        });
        return ranks.sort((a, b) => a - b)[ranks.length >> 1];
      };
      console.log(JSON.stringify({ input, model, read: oracle.readHook, lens_median_rank_of_value: { mo: lensRank(own), diff: lensRank(sources.diff) }, of: tok.size }));
      for (const [source, vectors] of Object.entries(sources)) {
        const answers = vectors.map((v) => askOracle(oracle.model, tok, v, ORACLE_QUESTIONS.value.question, { ...oracle.setup, norms: oracle.norms, maxNewTokens: settings.maxNewTokens }));
        const named = answers.filter((x) => names.answer(x).hit).length / answers.length;
        rates[`${model}/${source}`] = named;
        console.log(JSON.stringify({ input, source, model, named_value: named, n: answers.length, examples: answers.slice(0, 3) }));
      }
    }
    if (input === 'prompt') pass = rates['fine-tuned/mo'] >= PASS.named && rates['unmodified/mo'] <= PASS.unmodified;
  }
  console.log(pass ? 'known-answer test: pass' : `known-answer test: FAIL (needs >= ${PASS.named} on the fine-tuned model and <= ${PASS.unmodified} on the unmodified one, prompt input, source mo)`);
  return pass ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  },
);
