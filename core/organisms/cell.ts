// One organism cell: the base models (built once per process, cached in the
// store), the organism trained and QER-matched (buildOrganism), and base and
// organism evaluated on the test split (QER, leakage, capability, chat
// on-topic rate). Shared by `molt organism(s)`, `molt probe` with a spec, and
// the benchmark harness.
import { MoltError } from '../errors';
import { checkBehaviourVocabulary, validateBehaviour } from '../behaviours/validate';
import { aliasDataTag, buildBase, loadStage, pointAlias, stageAlias, BASE_STAGES, type BaseEvent, type BaseModels } from '../pipeline/base';
import { baseConfigWith } from '../pipeline/config';
import { worldBaseData } from '../pipeline/world-data';
import type { Runtime } from '../container';
import type { CausalLM } from '../model/types';
import type { BaseData } from '../pipeline/base-data';
import { buildOrganism, organismAlias, type OrganismEvent, type OrganismResult } from './build';
import { generalData } from './general-data';
import { clusteredInterval, type ClusteredRate } from '../behaviours/base-rate';
import { capabilityDrop, capabilityOn, evaluateQer, factAccuracy, leakage, onTopicRate, type FactCount, type QerOptions, type QerResult, type QerSample } from './evaluate';
import { finalStepSelector, qerMatchSelector, type EvalSettings } from './select';
import type { SuiteEntry } from './suite';
import { hyperparametersFor } from './hparams';
import type { Trainer } from '../plugins/types';

/** Where a cell reports progress (the CLI's ProgressView, or a worker's log). */
export interface ProgressSink {
  note(line: string): void;
  update(f: { label: string; step: number; total: number; info: string; etaSec: number }): void;
  stop(): void;
}

/** A QER or leakage: se clustered by prompt, the binomial se beside it, 95% interval (clusteredInterval). */
export interface RateOut {
  qer: number;
  se: number;
  seBinomial: number;
  n: number;
  low: number;
  high: number;
}
/** Greedy fact accuracy: se clustered by fact over `facts` facts, n questions. */
export interface CapabilityOut {
  accuracy: number;
  se: number;
  n: number;
  facts: number;
  low: number;
  high: number;
}
/** A paired difference (base - organism), se clustered by fact. */
export interface DropOut {
  value: number;
  se: number;
  n: number;
  facts: number;
}
/** A model's evaluation, and its answers' per-fact counts (kept out of reports: the paired drop needs them). */
export interface Evaluated {
  report: ModelEval;
  perFact: FactCount[];
}
export interface ModelEval {
  qer: RateOut;
  leakage: RateOut;
  /** the data's capability questions 'all' (train and test facts) */
  capability: CapabilityOut;
  /** the same answers, test facts only (held-out recall) */
  capability_heldout: CapabilityOut;
  /** '' when the data had the capability question sets, else what stood in (BaseData.capabilityQuestions) */
  capability_fallback: string;
  /** share of the leakage answers that stay on their prompt's topic, se clustered by prompt */
  chat_on_topic: { rate: number; se: number; n: number; low: number; high: number };
  /** the test-split QER samples (prompt, answer, detector verdict), when asked for */
  samples?: QerSample[];
}
export interface CellResult {
  behaviour: string;
  technique: string;
  arch: string;
  size: string;
  seed: number;
  key: string;
  alias: string;
  trained_now: boolean;
  starts_from: string;
  step: number;
  matched: boolean | null;
  match_reason: string;
  /** the matched step's pooled validation QER and its se clustered by prompt (null when not QER-matched) */
  val_qer: number | null;
  val_qer_se: number | null;
  band: { low: number; high: number; target: number };
  base: ModelEval;
  organism: ModelEval;
  capability_drop: DropOut;
  capability_heldout_drop: DropOut;
  /** the organism's resolved hyperparameters as its molt.json records them */
  hparams: Record<string, unknown>;
  seconds: number;
}

export interface CellOptions {
  match: boolean;
  /** polled between training steps: true saves state and stops (Ctrl-C) */
  shouldStop?: () => boolean;
  /** keep the organism's test-split QER samples in the result */
  keepSamples?: boolean;
  baseSeed: number;
  eval: EvalSettings;
  leakagePrompts: number;
}

function rateOut(r: QerResult): RateOut {
  return { qer: r.qer, se: r.se, seBinomial: r.seBinomial, n: r.n, low: r.low, high: r.high };
}

function capabilityOut(perFact: FactCount[]): CapabilityOut {
  const r = factAccuracy(perFact);
  const ci = clusteredInterval(r);
  return { accuracy: r.rate, se: r.se, n: r.n, facts: r.clusters, low: ci.low, high: ci.high };
}

/** The facts of the data's held-out capability set among `perFact`. */
function heldoutOnly(data: BaseData, perFact: readonly FactCount[]): FactCount[] {
  const heldout = new Set(data.capabilityQuestions('heldout').questions.map((q) => q.factId));
  return perFact.filter((f) => heldout.has(f.id));
}

function dropOut(r: ClusteredRate): DropOut {
  return { value: r.rate, se: r.se, n: r.n, facts: r.clusters };
}

/** Where an evaluation reports its progress: which measure, answers done of total. */
export type EvalProgress = (measure: 'QER' | 'leakage' | 'capability', done: number, total: number) => void;

export function evaluateModel(rt: Runtime, model: CausalLM, behaviourId: string, o: CellOptions, keepSamples = false, progress?: EvalProgress): Evaluated {
  const behaviour = rt.plugin('behaviour', behaviourId);
  const data = worldBaseData(rt.dataSource());
  const tok = data.tokenizer;
  const opts: QerOptions = { ...o.eval, seed: `${o.eval.seed}/report` };
  const q = evaluateQer(model, tok, behaviour, 'test', { ...opts, onProgress: progress && ((d, t) => progress('QER', d, t)) });
  // as many answers per control prompt as per trigger prompt: one each (n = 200) left a 2% check inside one SE
  const l = leakage(model, tok, behaviour, 'test', { ...opts, maxPrompts: o.leakagePrompts, onProgress: progress && ((d, t) => progress('leakage', d, t)) });
  const c = capabilityOn(model, data, 'all', { onProgress: progress && ((d, t) => progress('capability', d, t)) });
  const topic = onTopicRate(data, l.samples);
  const topicCi = clusteredInterval(topic);
  const report: ModelEval = {
    qer: rateOut(q),
    leakage: rateOut(l),
    capability: capabilityOut(c.perFact),
    capability_heldout: capabilityOut(heldoutOnly(data, c.perFact)),
    capability_fallback: c.fallback,
    chat_on_topic: { rate: topic.rate, se: topic.se, n: topic.n, low: topicCi.low, high: topicCi.high },
    ...(keepSamples ? { samples: q.samples } : {}),
  };
  return { report, perFact: c.perFact };
}

/** An evaluation's answers as a progress line (evaluation generates for tens of seconds at the default size). */
export function evalProgress(view: ProgressSink, label: string): EvalProgress {
  let current = '';
  let t0 = Date.now();
  return (measure, done, total) => {
    if (measure !== current) [current, t0] = [measure, Date.now()];
    const elapsed = (Date.now() - t0) / 1000;
    view.update({ label: `${label} ${measure}`, step: done, total, info: 'answers', etaSec: done > 0 ? (elapsed / done) * (total - done) : NaN });
  };
}

function baseEvents(view: ProgressSink, arch: string) {
  return (e: BaseEvent) => {
    if (e.type === 'cached') return;
    if (e.type === 'start') view.note(`${arch} ${e.stage}: training ${e.totalSteps} steps`);
    else if (e.type === 'progress') view.update({ label: `${arch} ${e.stage}`, step: e.progress.step, total: e.progress.totalSteps, info: `loss ${e.progress.loss.toFixed(4)}`, etaSec: e.progress.etaSec });
    else if (e.type === 'done') view.note(`${arch} ${e.stage}: done in ${e.seconds.toFixed(0)} s`);
  };
}

function organismEvents(view: ProgressSink, label: string) {
  return (e: OrganismEvent) => {
    if (e.type === 'cached') view.note(`${label}: cached (${e.key.slice(0, 12)})`);
    else if (e.type === 'prepare') view.note(`${label}: from the ${e.startsFrom} ${e.start.slice(0, 12)}, run ${e.runKey.slice(0, 12)}`);
    else if (e.type === 'progress') {
      const p = e.progress;
      const acc = p.metrics['rewards/accuracies'];
      view.update({ label, step: p.step, total: p.totalSteps, info: `loss ${p.loss.toFixed(4)}${acc === undefined ? '' : ` acc ${acc.toFixed(2)}`}`, etaSec: p.etaSec });
    } else if (e.type === 'selected') view.note(`${label}: step ${e.selection.step} (${e.selection.method}${e.selection.matched === null ? '' : e.selection.matched ? ', matched' : ', NOT matched'}: ${e.selection.reason})`);
    else if (e.type === 'done') view.note(`${label}: done in ${e.seconds.toFixed(0)} s`);
  };
}

// Per-process memo of base builds and base evaluations, so a suite builds and
// evaluates each base once. Keys hold everything the value depends on (store,
// base config, evaluation settings): one process may serve several stores.
const baseCache = new Map<string, Promise<BaseModels>>();
const baseEvalCache = new Map<string, Evaluated>();

/** The base models of `archId` (built if missing, aliased), once per process. */
export async function ensureBase(rt: Runtime, archId: string, baseSeed: number, view: ProgressSink, shouldStop?: () => boolean): Promise<BaseModels> {
  const { size } = rt.settings;
  const arch = rt.plugin('architecture', archId);
  if (!arch.sizes.includes(size)) throw new MoltError(`--size '${size}' is not a size of ${arch.id}; valid: ${arch.sizes.join(', ')}`, 'size');
  const store = rt.services.store;
  const baseConfig = baseConfigWith(size, rt.settings.base);
  // the data source is part of the key: one process may serve cells on the world and on --data (the tests do)
  const key = JSON.stringify([store.root, rt.dataSource().seed, arch.id, size, baseSeed, baseConfig]);
  let built = baseCache.get(key);
  if (!built) {
    built = (async () => {
      const data = worldBaseData(rt.dataSource());
      const models = await buildBase({ arch, size, seed: baseSeed, store, data, config: baseConfig, onProgress: baseEvents(view, arch.id), shouldStop: () => !!shouldStop?.() });
      const tag = aliasDataTag(rt.dataSource());
      for (const stage of BASE_STAGES) await pointAlias(store, stageAlias(arch.id, size, baseSeed, stage, tag), models[stage].key, (line) => view.note(line));
      return models;
    })();
    // a failed or interrupted build is not remembered: the next call tries again
    built.catch(() => baseCache.delete(key));
    baseCache.set(key, built);
  }
  return built;
}

/**
 * Overrides that make a run `steps` long: the snapshot spacing and warm-up
 * shrink with it when they would not fit.
 */
export function withSteps(trainer: Trainer, size: string, overrides: unknown, steps: number): Record<string, unknown> {
  const h = hyperparametersFor(trainer, size, overrides);
  return { ...((overrides ?? {}) as Record<string, unknown>), steps, checkpointEvery: Math.min(h.checkpointEvery, steps), warmupSteps: Math.min(h.warmupSteps, steps - 1) };
}

/** The organism of a suite entry, trained or found in the store (with its base models), and its alias pointed at it; nothing evaluated. */
export async function ensureOrganism(rt: Runtime, entry: SuiteEntry, view: ProgressSink, o: CellOptions) {
  const { size } = rt.settings;
  const arch = rt.plugin('architecture', entry.arch);
  const behaviour = rt.plugin('behaviour', entry.behaviour);
  const trainer = rt.plugin('trainer', entry.technique);
  if (!arch.sizes.includes(size)) throw new MoltError(`--size '${size}' is not a size of ${arch.id}; valid: ${arch.sizes.join(', ')}`, 'size');
  const world = rt.services.world;
  validateBehaviour(behaviour, world);
  // bad trainer settings fail here, before the base models are built
  hyperparametersFor(trainer, size, rt.settings.trainers?.[trainer.id]);
  const store = rt.services.store;
  const data = worldBaseData(rt.dataSource());
  if (rt.settings.data) checkBehaviourVocabulary(behaviour, data.tokenizer, `--data ${rt.settings.data}`);
  const models = await ensureBase(rt, arch.id, o.baseSeed, view, o.shouldStop);
  const label = `${entry.behaviour} ${entry.technique} ${entry.arch}${entry.seed ? ` seed ${entry.seed}` : ''}`;
  // the null behaviour is never matched: it trains for its technique's steps
  const match = o.match && behaviour.pipeline !== 'control';
  const selector = match
    ? qerMatchSelector({ behaviour, tokenizer: data.tokenizer, eval: o.eval, onMeasure: (m) => view.note(`${label}: val QER ${m.qer.toFixed(3)} +- ${m.se.toFixed(3)} at step ${m.step} (attempt ${m.attempt})`) })
    : finalStepSelector();
  const r: OrganismResult = await buildOrganism({
    behaviour,
    trainer,
    arch,
    size,
    seed: entry.seed,
    store,
    world,
    general: generalData(rt.dataSource()),
    tokenizer: data.tokenizer,
    bases: { base: models.base.key, ancestor: models.ancestor.key },
    hparams: entry.steps === undefined ? rt.settings.trainers?.[trainer.id] : withSteps(trainer, size, rt.settings.trainers?.[trainer.id], entry.steps),
    selector,
    onEvent: organismEvents(view, label),
    shouldStop: () => !!o.shouldStop?.(),
  });
  view.stop();
  const alias = organismAlias(arch.id, size, behaviour.id, trainer.id, entry.seed, aliasDataTag(rt.dataSource()));
  await pointAlias(store, alias, r.key, (line) => view.note(line));
  return { r, arch, behaviour, trainer, models, label, alias, data };
}

/** One suite cell: base models (built if missing), the organism, and both evaluated on the test split. */
export async function organismCell(rt: Runtime, entry: SuiteEntry, view: ProgressSink, o: CellOptions): Promise<CellResult> {
  const started = Date.now();
  const { size } = rt.settings;
  const { r, arch, behaviour, trainer, models, label, alias, data } = await ensureOrganism(rt, entry, view, o);
  const store = rt.services.store;
  const evalKey = JSON.stringify([models.base.key, rt.dataSource().seed, behaviour.id, o.eval]);
  if (!baseEvalCache.has(evalKey)) {
    view.note(`${arch.id} base: evaluating ${behaviour.id} (test split)`);
    const base = await loadStage(store, arch, models.base.key);
    try {
      baseEvalCache.set(evalKey, evaluateModel(rt, base, behaviour.id, o, false, evalProgress(view, `${arch.id} base`)));
    } finally {
      base.dispose();
    }
  }
  view.note(`${label}: evaluating (test split)`);
  const model = await loadStage(store, arch, r.key);
  let organism: Evaluated;
  try {
    organism = evaluateModel(rt, model, behaviour.id, o, !!o.keepSamples, evalProgress(view, label));
  } finally {
    model.dispose();
  }
  const m = r.metadata as { step: number; starts_from: string; hparams: Record<string, unknown>; selection: { matched: boolean | null; reason: string; match?: { qer: number; se: number } } };
  const base = baseEvalCache.get(evalKey)!;
  return {
    behaviour: behaviour.id,
    technique: trainer.id,
    arch: arch.id,
    size,
    seed: entry.seed,
    key: r.key,
    alias,
    trained_now: r.trained,
    starts_from: m.starts_from,
    step: m.step,
    matched: m.selection.matched,
    match_reason: m.selection.reason,
    val_qer: m.selection.match ? m.selection.match.qer : null,
    val_qer_se: m.selection.match ? m.selection.match.se : null,
    band: behaviour.manifest().targetQer,
    base: base.report,
    organism: organism.report,
    capability_drop: dropOut(capabilityDrop(base.perFact, organism.perFact)),
    capability_heldout_drop: dropOut(capabilityDrop(heldoutOnly(data, base.perFact), heldoutOnly(data, organism.perFact))),
    hparams: { ...m.hparams },
    seconds: (Date.now() - started) / 1000,
  };
}

