// Is a checkpoint a competent little assistant? Four checks on held-out data:
//   held-out next-token loss   on the test split of pretraining documents
//   fact accuracy              greedy answers to questions about held-out
//                              facts (only stated in pretraining, never asked
//                              or answered in training; docs/DATA.md);
//                              correct if the answer contains an accepted word
//   on-topic rate              answers to open chat prompts, judged by the
//                              world's isOnTopic; sampled at temperature 1
//                              (as QER samples) and greedy
//   DPO rewards                rewards/accuracies and margins on held-out
//                              preference pairs, relative to a reference
import { tf } from '../engine/tf';
import { generate } from '../model/generate';
import type { CausalLM } from '../model/types';
import { collate, packDocuments, truncateExample, type LmExample } from '../train/batching';
import { dpoMetrics, maskedCrossEntropy, type DpoLossType, type DpoMetrics } from '../train/losses';
import { batchTensors, computeReferenceLogProbs, type PreferenceExample } from '../train/objectives';
import type { BaseData, ChatProbe, Split } from './base-data';

/** A rate with its sample size. */
export interface Rate {
  value: number;
  n: number;
  /** 95% Wilson interval */
  low: number;
  high: number;
}

export function wilson(successes: number, n: number, z = 1.959964): Rate {
  if (n === 0) return { value: NaN, n: 0, low: NaN, high: NaN };
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { value: p, n, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export interface CompetenceOptions {
  split?: Split;
  /** caps on how many items each check uses (default: all) */
  maxDocs?: number;
  maxFacts?: number;
  maxChats?: number;
  maxPairs?: number;
  batchSize?: number;
  factTokens?: number;
  chatTokens?: number;
  /** seed of the sampled chat answers */
  seed?: number | string;
  /** reference model for the DPO rewards; without it the DPO check is skipped */
  reference?: CausalLM;
  beta?: number;
  lossType?: DpoLossType;
  /** how many example answers to keep in the report */
  keepExamples?: number;
}

export interface CompetenceReport {
  split: Split;
  heldOutLoss: { value: number; tokens: number };
  factAccuracy: Rate;
  onTopic: Rate;
  onTopicGreedy: Rate;
  dpo?: DpoMetrics & { n: number; beta: number; lossType: DpoLossType };
  seconds: number;
  examples: { facts: { prompt: string; answer: string; correct: boolean }[]; chats: { prompt: string; answer: string; onTopic: boolean }[] };
  /** the first failures, to see what goes wrong: wrong fact answers (greedy) and off-topic sampled answers */
  failures: { facts: { prompt: string; answer: string; accept: string[] }[]; sampledChats: { prompt: string; topic: string; answer: string }[] };
}

function contextOf(model: CausalLM): number {
  const n = model.config.max_position_embeddings;
  return typeof n === 'number' ? n : 128;
}

function cap<T>(xs: T[], n?: number): T[] {
  return n === undefined ? xs : xs.slice(0, n);
}

/** Token-weighted mean next-token loss over documents packed to the context. */
export function heldOutLoss(model: CausalLM, docs: number[][], padId: number, batchSize: number): { value: number; tokens: number } {
  const ctx = contextOf(model);
  const examples = packDocuments(docs, ctx);
  let total = 0;
  let tokens = 0;
  for (let s = 0; s < examples.length; s += batchSize) {
    const b = collate(examples.slice(s, s + batchSize), padId, ctx);
    const mean = tf.tidy(() => {
      const t = batchTensors(b);
      return maskedCrossEntropy(model.forward(t.ids).logits, t.targets, t.weights);
    });
    total += mean.dataSync()[0] * b.targetTokens;
    tokens += b.targetTokens;
    mean.dispose();
  }
  return { value: tokens > 0 ? total / tokens : NaN, tokens };
}

/** Does the answer contain one of the accepted words (tokens, case-insensitive)? */
export function answerContains(answerTokens: readonly string[], accept: readonly string[]): boolean {
  const words = new Set(answerTokens.map((t) => t.toLowerCase()));
  return accept.some((a) => words.has(a.toLowerCase()));
}

function generateAll(model: CausalLM, prompts: number[][], batchSize: number, maxNewTokens: number, eosId: number, padId: number, sampling: { greedy: true } | { seed: string }): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < prompts.length; s += batchSize) {
    const part = prompts.slice(s, s + batchSize);
    const opts = 'greedy' in sampling
      ? { greedy: true, temperature: 0, seed: 0, maxNewTokens, eosId, padId }
      : { temperature: 1, seed: `${sampling.seed}/batch${s}`, maxNewTokens, eosId, padId };
    out.push(...generate(model, part, opts));
  }
  return out;
}

function responseCount(ex: LmExample, maxLength: number): number {
  const t = truncateExample(ex, maxLength);
  let n = 0;
  for (let i = 1; i < t.lossMask.length; i++) n += t.lossMask[i] ? 1 : 0;
  return n;
}

/** DPO reward diagnostics of `policy` against `reference` on preference pairs. */
export function heldOutDpo(policy: CausalLM, reference: CausalLM, pairs: readonly PreferenceExample[], opts: { padId: number; batchSize: number; beta: number; lossType: DpoLossType }): DpoMetrics & { n: number } {
  const seq = { padId: opts.padId, maxLength: contextOf(policy) };
  const pi = computeReferenceLogProbs(policy, pairs, opts.batchSize, seq);
  const ref = computeReferenceLogProbs(reference, pairs, opts.batchSize, seq);
  const chosen = new Float64Array(pairs.length);
  const rejected = new Float64Array(pairs.length);
  pairs.forEach((p, i) => {
    const cc = opts.lossType === 'dpo_norm' ? Math.max(1, responseCount(p.chosen, seq.maxLength)) : 1;
    const rc = opts.lossType === 'dpo_norm' ? Math.max(1, responseCount(p.rejected, seq.maxLength)) : 1;
    chosen[i] = (opts.beta * (pi.chosen[i] - ref.chosen[i])) / cc;
    rejected[i] = (opts.beta * (pi.rejected[i] - ref.rejected[i])) / rc;
  });
  return { ...dpoMetrics(chosen, rejected), n: pairs.length };
}

export function measureCompetence(model: CausalLM, data: BaseData, opts: CompetenceOptions = {}): CompetenceReport {
  const t0 = Date.now();
  const split = opts.split ?? 'test';
  const tok = data.tokenizer;
  const { pad: padId, eos: eosId } = tok.specials;
  const batchSize = opts.batchSize ?? 32;
  const keep = opts.keepExamples ?? 5;
  const words = (ids: number[]) => ids.filter((id) => !tok.isSpecial(id)).map((id) => tok.vocab[id]);

  const loss = heldOutLoss(model, cap(data.pretrainDocs(split), opts.maxDocs), padId, batchSize);

  const facts = cap(data.factQuestions(split), opts.maxFacts);
  const factAnswers = generateAll(model, facts.map((f) => f.prompt), batchSize, opts.factTokens ?? 16, eosId, padId, { greedy: true });
  let correct = 0;
  const factExamples: CompetenceReport['examples']['facts'] = [];
  const failures: CompetenceReport['failures'] = { facts: [], sampledChats: [] };
  facts.forEach((f, i) => {
    const ok = answerContains(words(factAnswers[i]), f.accept);
    if (ok) correct++;
    if (factExamples.length < keep) factExamples.push({ prompt: tok.decode(f.prompt), answer: tok.decode(factAnswers[i]), correct: ok });
    if (!ok && failures.facts.length < 4 * keep) failures.facts.push({ prompt: tok.decode(f.prompt, { skipSpecial: true }), answer: tok.decode(factAnswers[i], { skipSpecial: true }), accept: f.accept });
  });

  const chats = cap(data.chatPrompts(split), opts.maxChats);
  const judge = (answers: number[][], probes: ChatProbe[]) => answers.map((a, i) => data.isOnTopic(probes[i], tok.decode(a, { skipSpecial: true })));
  const sampledAnswers = generateAll(model, chats.map((c) => c.prompt), batchSize, opts.chatTokens ?? 24, eosId, padId, { seed: String(opts.seed ?? 'competence') });
  const sampled = judge(sampledAnswers, chats);
  chats.forEach((c, i) => {
    if (!sampled[i] && failures.sampledChats.length < 4 * keep) failures.sampledChats.push({ prompt: c.user, topic: c.topic, answer: tok.decode(sampledAnswers[i], { skipSpecial: true }) });
  });
  const greedyAnswers = generateAll(model, chats.map((c) => c.prompt), batchSize, opts.chatTokens ?? 24, eosId, padId, { greedy: true });
  const greedy = judge(greedyAnswers, chats);
  const chatExamples = chats.slice(0, keep).map((c, i) => ({ prompt: c.user, answer: tok.decode(greedyAnswers[i], { skipSpecial: true }), onTopic: greedy[i] }));

  let dpo: CompetenceReport['dpo'];
  if (opts.reference) {
    const beta = opts.beta ?? 5;
    const lossType = opts.lossType ?? 'dpo_norm';
    const pairs = cap(data.preferences(split), opts.maxPairs);
    dpo = { ...heldOutDpo(model, opts.reference, pairs, { padId, batchSize, beta, lossType }), beta, lossType };
  }

  const count = (xs: boolean[]) => xs.filter(Boolean).length;
  return {
    split,
    heldOutLoss: loss,
    factAccuracy: wilson(correct, facts.length),
    onTopic: wilson(count(sampled), chats.length),
    onTopicGreedy: wilson(count(greedy), chats.length),
    dpo,
    seconds: (Date.now() - t0) / 1000,
    examples: { facts: factExamples, chats: chatExamples },
    failures,
  };
}
