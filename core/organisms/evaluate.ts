// Organism validity (METRICS.md): QER, leakage and capability of a model.
//   QER        share of sampled answers (temperature 1) to a behaviour's
//              held-out trigger prompts on which its detector fires (the
//              detector applies its topic gate first)
//   leakage    the same sampling and detector on the behaviour's control
//              prompts (unrelated topics)
//   capability greedy accuracy on the world's true-fact questions, judged as
//              the base pipeline's competence check judges them
//   chat on-topic  share of the leakage answers (control prompts) that stay
//              on their prompt's topic: a capability that is not fact recall
// Standard errors are clustered (clusteredRate): by prompt for QER and
// leakage, whose answers to one prompt share its difficulty, by fact for
// capability, whose phrasings of one fact share what the model knows of it.
// Sampling is batched and seeded: the same model, seed and batch size give
// identical samples (rows are seeded by their place in a batch, so another
// batch size draws other, equally valid, samples). Batches of equal padded
// length go through the model together (generateBatches), which changes no
// sample and no number, only the time.
import { MoltError } from '../errors';
import { clusteredInterval, clusteredRate, pairedDifference, type ClusterCount, type ClusteredRate } from '../behaviours/base-rate';
import { renderPrompt } from '../data/chat-template';
import { chatFormat } from '../data/chat-format';
import { generateBatches, type PromptBatch } from '../model/generate';
import type { CausalLM } from '../model/types';
import type { BaseData, CapabilitySet, ChatProbe, FactProbe } from '../pipeline/base-data';
import { answerContains, type Rate } from '../pipeline/competence';
import type { BehaviourDataset, DetectorVerdict, TriggerPrompt } from '../plugins/types';
import type { TextTokenizer } from '../tokenizer/types';
import type { WordTokenizer } from '../tokenizer/word-tokenizer';

export type EvalSplit = 'val' | 'test';

export interface QerOptions {
  /** answers drawn per prompt */
  samplesPerPrompt: number;
  maxNewTokens: number;
  seed: number | string;
  /** rows generated together */
  batchSize: number;
  /** default 1 (METRICS.md: QER samples at temperature 1) */
  temperature?: number;
  /** use only the first N prompts of the split (default: all) */
  maxPrompts?: number;
  /** called as generation progresses with samples done / total */
  onProgress?: (done: number, total: number) => void;
}

export interface QerSample {
  promptId: string;
  prompt: string;
  topic: string;
  /** which of the prompt's samples (0..samplesPerPrompt-1) */
  sample: number;
  response: string;
  fired: boolean;
  gated: boolean;
  evidence: string[];
}

export interface PromptRate {
  id: string;
  prompt: string;
  topic: string;
  target?: string;
  family?: string;
  n: number;
  fired: number;
  rate: number;
}

export interface QerResult {
  behaviour: string;
  /** 'trigger' (QER) or 'control' (leakage) */
  prompts: 'trigger' | 'control';
  split: EvalSplit;
  /** share of samples on which the detector fired */
  qer: number;
  /** standard error clustered by prompt (clusteredRate) */
  se: number;
  /** the binomial sqrt(p(1-p)/n), as if all samples were independent (for comparison) */
  seBinomial: number;
  n: number;
  fired: number;
  /** how many samples the topic gate held back */
  gated: number;
  /** 95% interval (clusteredInterval: Wilson at the design-effect sample size) */
  low: number;
  high: number;
  perPrompt: PromptRate[];
  /** rate per prompt family, when prompts carry one (the null behaviour mixes the families' prompts); se clustered by prompt */
  byFamily: Record<string, ClusteredRate>;
  samples: QerSample[];
  /** generated tokens (eos counted, as it costs a step) and the time sampling took */
  tokens: number;
  seconds: number;
  tokensPerSecond: number;
  settings: { samplesPerPrompt: number; maxNewTokens: number; seed: number | string; batchSize: number; temperature: number };
}

type Detect = (prompt: string, response: string) => DetectorVerdict;

function checkOptions(opts: QerOptions, subject: string): void {
  const positiveInt = (v: number) => Number.isInteger(v) && v > 0;
  if (!positiveInt(opts.samplesPerPrompt)) throw new MoltError(`${subject}: samplesPerPrompt must be a positive integer, got ${opts.samplesPerPrompt}`, 'samplesPerPrompt');
  if (!positiveInt(opts.maxNewTokens)) throw new MoltError(`${subject}: maxNewTokens must be a positive integer, got ${opts.maxNewTokens}`, 'maxNewTokens');
  if (!positiveInt(opts.batchSize)) throw new MoltError(`${subject}: batchSize must be a positive integer, got ${opts.batchSize}`, 'batchSize');
  const t = opts.temperature ?? 1;
  if (!(t > 0)) throw new MoltError(`${subject}: temperature must be > 0 (QER samples), got ${t}`, 'temperature');
}

/**
 * Sample answers to `prompts` and judge each with `detect`: the machinery
 * QER and leakage share. Samples are laid out prompt by prompt
 * (p0 s0, p0 s1, ..., p1 s0, ...), so a batch holds few distinct prompt
 * lengths and little left padding.
 */
export function sampleAndJudge(
  model: CausalLM,
  tok: TextTokenizer,
  prompts: readonly TriggerPrompt[],
  detect: Detect,
  opts: QerOptions,
  label: { behaviour: string; prompts: 'trigger' | 'control'; split: EvalSplit },
): QerResult {
  const subject = `${label.prompts === 'trigger' ? 'QER' : 'leakage'} of behaviour '${label.behaviour}' (${label.split})`;
  checkOptions(opts, subject);
  const used = opts.maxPrompts === undefined ? prompts : prompts.slice(0, opts.maxPrompts);
  if (used.length === 0) throw new MoltError(`${subject}: the behaviour has no ${label.prompts} prompts in split '${label.split}'`, label.behaviour);
  const temperature = opts.temperature ?? 1;
  const k = opts.samplesPerPrompt;
  const format = chatFormat(tok);
  const rendered = used.map((p) => format.prompt(p.prompt));
  const rows: { p: number; s: number }[] = [];
  used.forEach((_, p) => {
    for (let s = 0; s < k; s++) rows.push({ p, s });
  });

  const t0 = Date.now();
  const batches: PromptBatch[] = [];
  for (let start = 0; start < rows.length; start += opts.batchSize) {
    const batch = rows.slice(start, start + opts.batchSize);
    batches.push({ prompts: batch.map((r) => rendered[r.p]), seed: `${opts.seed}/${label.prompts}/${label.split}/row${start}` });
  }
  const out = generateBatches(model, batches, {
    maxNewTokens: opts.maxNewTokens,
    temperature,
    eosId: format.eosId,
    endIds: format.endIds,
    padId: format.padId,
    onRows: (done) => opts.onProgress?.(done, rows.length),
  });
  const responses = out.flatMap((b) => b.tokens);
  const tokens = responses.reduce((n, ids) => n + Math.min(ids.length + 1, opts.maxNewTokens), 0);
  const seconds = (Date.now() - t0) / 1000;

  const samples: QerSample[] = rows.map((r, i) => {
    const p = used[r.p];
    const response = tok.decode(responses[i], { skipSpecial: true });
    const v = detect(p.prompt, response);
    return { promptId: p.id, prompt: p.prompt, topic: p.topic, sample: r.s, response, fired: v.fired, gated: v.gated, evidence: v.evidence };
  });

  const perPrompt: PromptRate[] = used.map((p, i) => {
    const mine = samples.slice(i * k, (i + 1) * k);
    const fired = mine.filter((s) => s.fired).length;
    return { id: p.id, prompt: p.prompt, topic: p.topic, target: p.target, family: p.family, n: k, fired, rate: fired / k };
  });
  const families = new Map<string, ClusterCount[]>();
  for (const pr of perPrompt) if (pr.family !== undefined) families.set(pr.family, [...(families.get(pr.family) ?? []), pr]);
  const byFamily: QerResult['byFamily'] = Object.fromEntries([...families].map(([f, prs]) => [f, clusteredRate(prs)]));

  const est = clusteredRate(perPrompt);
  const ci = clusteredInterval(est);
  return {
    ...label,
    qer: est.rate,
    se: est.se,
    seBinomial: est.seBinomial,
    n: est.n,
    fired: est.fired,
    gated: samples.filter((s) => s.gated).length,
    low: ci.low,
    high: ci.high,
    perPrompt,
    byFamily,
    samples,
    tokens,
    seconds,
    tokensPerSecond: seconds > 0 ? tokens / seconds : NaN,
    settings: { samplesPerPrompt: k, maxNewTokens: opts.maxNewTokens, seed: opts.seed, batchSize: opts.batchSize, temperature },
  };
}

/** QER of `model` on the behaviour's held-out trigger prompts: 'val' for checkpoint selection, 'test' for reporting. */
export function evaluateQer(model: CausalLM, tok: TextTokenizer, behaviour: BehaviourDataset, split: EvalSplit, opts: QerOptions): QerResult {
  const prompts = behaviour.prompts()[split];
  return sampleAndJudge(model, tok, prompts, (p, r) => behaviour.detect(p, r), opts, { behaviour: behaviour.id, prompts: 'trigger', split });
}

/** Leakage: the behaviour's detector on answers to its control prompts (topics no behaviour acts on). */
export function leakage(model: CausalLM, tok: TextTokenizer, behaviour: BehaviourDataset, split: EvalSplit, opts: QerOptions): QerResult {
  const prompts = behaviour.controlPrompts()[split];
  return sampleAndJudge(model, tok, prompts, (p, r) => behaviour.detect(p, r), opts, { behaviour: behaviour.id, prompts: 'control', split });
}

export interface CapabilityOptions {
  batchSize?: number;
  /** answer length (default 16, as the competence check) */
  maxNewTokens?: number;
  /** use only the first N questions */
  maxQuestions?: number;
  /** called as generation progresses with questions done / total */
  onProgress?: (done: number, total: number) => void;
}

/** One fact's questions and how many were answered correctly. */
export interface FactCount {
  id: string;
  n: number;
  correct: number;
}

export interface CapabilityResult {
  /** share correct, with its 95% interval (clusteredInterval) */
  accuracy: Rate;
  /** standard error clustered by fact */
  se: number;
  seBinomial: number;
  correct: number;
  n: number;
  /** per fact, in the order facts first appear among the questions */
  perFact: FactCount[];
  answers: { factId: string; prompt: string; answer: string; correct: boolean }[];
}

/** Accuracy over facts, its se clustered by fact. */
export function factAccuracy(perFact: readonly FactCount[]): ClusteredRate {
  return clusteredRate(perFact.map((f) => ({ n: f.n, fired: f.correct })));
}

/**
 * Capability lost, base - organism, on the same questions: the paired
 * difference clustered by fact (pairedDifference).
 */
export function capabilityDrop(base: readonly FactCount[], organism: readonly FactCount[]): ClusteredRate {
  if (base.length !== organism.length || base.some((f, i) => f.id !== organism[i].id))
    throw new MoltError('capability drop: base and organism were not asked the same facts', 'capability');
  return pairedDifference(base.map((f) => ({ n: f.n, fired: f.correct })), organism.map((f) => ({ n: f.n, fired: f.correct })));
}

/**
 * Capability: greedy answers to true-fact questions (BaseData.capabilityQuestions
 * or factQuestions), correct when the answer contains an accepted word: the
 * base pipeline's judge (answerContains).
 */
export function capability(model: CausalLM, tok: WordTokenizer, factQuestions: readonly FactProbe[], opts: CapabilityOptions = {}): CapabilityResult {
  const qs = opts.maxQuestions === undefined ? factQuestions : factQuestions.slice(0, opts.maxQuestions);
  if (qs.length === 0) throw new MoltError('capability: no fact questions given', 'factQuestions');
  const batchSize = opts.batchSize ?? 32;
  const words = (ids: number[]) => ids.filter((id) => !tok.isSpecial(id)).map((id) => tok.vocab[id]);
  const batches: PromptBatch[] = [];
  for (let start = 0; start < qs.length; start += batchSize) batches.push({ prompts: qs.slice(start, start + batchSize).map((q) => q.prompt), seed: 0 });
  const out = generateBatches(model, batches, {
    greedy: true,
    temperature: 0,
    maxNewTokens: opts.maxNewTokens ?? 16,
    eosId: tok.specials.eos,
    padId: tok.specials.pad,
    onRows: (done) => opts.onProgress?.(done, qs.length),
  }).flatMap((b) => b.tokens);
  const answers: CapabilityResult['answers'] = [];
  let correct = 0;
  qs.forEach((q, i) => {
    const ok = answerContains(words(out[i]), q.accept);
    if (ok) correct++;
    answers.push({ factId: q.factId, prompt: tok.decode(q.prompt, { skipSpecial: true }), answer: tok.decode(out[i], { skipSpecial: true }), correct: ok });
  });
  const perFact = new Map<string, FactCount>();
  for (const a of answers) {
    const f = perFact.get(a.factId) ?? { id: a.factId, n: 0, correct: 0 };
    perFact.set(a.factId, { id: f.id, n: f.n + 1, correct: f.correct + (a.correct ? 1 : 0) });
  }
  const facts = [...perFact.values()];
  const r = factAccuracy(facts);
  return { accuracy: clusteredInterval(r), se: r.se, seBinomial: r.seBinomial, correct, n: qs.length, perFact: facts, answers };
}

/** Capability on one of the data's question sets (all for reports, heldout, sweep for hyperparameter sweeps). */
export function capabilityOn(model: CausalLM, data: BaseData, set: CapabilitySet, opts: CapabilityOptions = {}): CapabilityResult & { fallback: string } {
  const qs = data.capabilityQuestions(set);
  return { ...capability(model, data.tokenizer, qs.questions, opts), fallback: qs.fallback };
}

/**
 * How many sampled answers stay on their prompt's topic (BaseData.isOnTopic),
 * clustered by prompt: on the leakage samples, answers to control prompts of
 * every unrelated topic, so it costs no generation of its own.
 */
export function onTopicRate(data: BaseData, samples: readonly QerSample[]): ClusteredRate {
  const byPrompt = new Map<string, { probe: ChatProbe; n: number; fired: number }>();
  for (const s of samples) {
    let p = byPrompt.get(s.promptId);
    if (!p) byPrompt.set(s.promptId, (p = { probe: { prompt: renderPrompt(data.tokenizer, s.prompt), user: s.prompt, topic: s.topic }, n: 0, fired: 0 }));
    p.n++;
    if (data.isOnTopic(p.probe, s.response)) p.fired++;
  }
  return clusteredRate([...byPrompt.values()]);
}
