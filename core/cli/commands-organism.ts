// molt organism: build (or reuse) the base models, train and QER-match one
// organism, and print QER +- SE (test split) for base and organism, leakage,
// capability and the matched step. molt organisms: the same for every entry
// of a suite file, with a progress bar over the cells.
import { Command } from 'commander';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { MoltError } from '../errors';
import { writeFileAtomic } from '../store/atomic';
import { CHECKPOINT_KIND } from '../checkpoint/checkpoint-store';
import { validateBehaviour } from '../behaviours/validate';
import { buildBase, loadStage, BASE_STAGES, type BaseEvent, type BaseModels } from '../pipeline/base';
import { baseConfigWith } from '../pipeline/config';
import { worldBaseData } from '../pipeline/world-data';
import { buildOrganism, organismAlias, type OrganismEvent, type OrganismResult } from '../organisms/build';
import { generalData } from '../organisms/general-data';
import { capability, evaluateQer, leakage, type QerOptions } from '../organisms/evaluate';
import { finalStepSelector, qerMatchSelector, type EvalSettings } from '../organisms/select';
import { readSuite, suitePath, type SuiteEntry } from '../organisms/suite';
import type { Runtime } from '../container';
import type { CausalLM } from '../model/types';
import { parseIntFlag } from '../settings';
import { ProgressView } from './progress';
import { runtimeFor, type CliEnv } from './context';
import { stageAlias } from './commands-base';

let interrupted = false;
function onSigint(): void {
  if (interrupted) process.exit(130);
  interrupted = true;
  process.stderr.write('\nstopping after this step, saving state (Ctrl-C again to quit at once)\n');
}

interface RateOut {
  qer: number;
  se: number;
  n: number;
}
export interface ModelEval {
  qer: RateOut;
  leakage: RateOut;
  capability: { accuracy: number; n: number };
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
  val_qer: number | null;
  band: { low: number; high: number; target: number };
  base: ModelEval;
  organism: ModelEval;
  seconds: number;
}

interface CellOptions {
  match: boolean;
  baseSeed: number;
  eval: EvalSettings;
  leakagePrompts: number;
}

function rateOut(r: { qer: number; se: number; n: number }): RateOut {
  return { qer: r.qer, se: r.se, n: r.n };
}

function evaluateModel(rt: Runtime, model: CausalLM, behaviourId: string, o: CellOptions): ModelEval {
  const behaviour = rt.plugin('behaviour', behaviourId);
  const data = worldBaseData(rt.dataSource());
  const tok = data.tokenizer;
  const opts: QerOptions = { ...o.eval, seed: `${o.eval.seed}/report` };
  const q = evaluateQer(model, tok, behaviour, 'test', opts);
  const l = leakage(model, tok, behaviour, 'test', { ...opts, samplesPerPrompt: 1, maxPrompts: o.leakagePrompts });
  const c = capability(model, tok, data.factQuestions('test'));
  return { qer: rateOut(q), leakage: rateOut(l), capability: { accuracy: c.accuracy.value, n: c.n } };
}

function baseEvents(view: ProgressView, arch: string) {
  return (e: BaseEvent) => {
    if (e.type === 'cached') return;
    if (e.type === 'start') view.note(`${arch} ${e.stage}: training ${e.totalSteps} steps`);
    else if (e.type === 'progress') view.update({ label: `${arch} ${e.stage}`, step: e.progress.step, total: e.progress.totalSteps, info: `loss ${e.progress.loss.toFixed(4)}`, etaSec: e.progress.etaSec });
    else if (e.type === 'done') view.note(`${arch} ${e.stage}: done in ${e.seconds.toFixed(0)} s`);
  };
}

function organismEvents(view: ProgressView, label: string) {
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
const baseEvalCache = new Map<string, ModelEval>();

/** One suite cell: base models (built if missing), the organism, and both evaluated on the test split. */
export async function organismCell(rt: Runtime, entry: SuiteEntry, view: ProgressView, o: CellOptions): Promise<CellResult> {
  const started = Date.now();
  const { size } = rt.settings;
  const arch = rt.plugin('architecture', entry.arch);
  const behaviour = rt.plugin('behaviour', entry.behaviour);
  const trainer = rt.plugin('trainer', entry.technique);
  if (!arch.sizes.includes(size)) throw new MoltError(`--size '${size}' is not a size of ${arch.id}; valid: ${arch.sizes.join(', ')}`, 'size');
  const world = rt.services.world;
  validateBehaviour(behaviour, world);
  const store = rt.services.store;
  const data = worldBaseData(rt.dataSource());
  const baseConfig = baseConfigWith(size, rt.settings.base);
  const baseKey = JSON.stringify([store.root, arch.id, size, o.baseSeed, baseConfig]);
  if (!baseCache.has(baseKey)) {
    baseCache.set(baseKey, (async () => {
      const models = await buildBase({ arch, size, seed: o.baseSeed, store, data, config: baseConfig, onProgress: baseEvents(view, arch.id), shouldStop: () => interrupted });
      for (const stage of BASE_STAGES) await store.setAlias(CHECKPOINT_KIND, stageAlias(arch.id, size, o.baseSeed, stage), models[stage].key);
      return models;
    })());
  }
  const models = await baseCache.get(baseKey)!;
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
    hparams: rt.settings.trainers?.[trainer.id],
    selector,
    onEvent: organismEvents(view, label),
    shouldStop: () => interrupted,
  });
  view.stop();
  const alias = organismAlias(arch.id, size, behaviour.id, trainer.id, entry.seed);
  await store.setAlias(CHECKPOINT_KIND, alias, r.key);

  const evalKey = JSON.stringify([models.base.key, behaviour.id, o.eval]);
  if (!baseEvalCache.has(evalKey)) {
    view.note(`${arch.id} base: evaluating ${behaviour.id} (test split)`);
    const base = await loadStage(store, arch, models.base.key);
    try {
      baseEvalCache.set(evalKey, evaluateModel(rt, base, behaviour.id, o));
    } finally {
      base.dispose();
    }
  }
  view.note(`${label}: evaluating (test split)`);
  const model = await loadStage(store, arch, r.key);
  let organism: ModelEval;
  try {
    organism = evaluateModel(rt, model, behaviour.id, o);
  } finally {
    model.dispose();
  }
  const m = r.metadata as { step: number; starts_from: string; selection: { matched: boolean | null; reason: string; match?: { qer: number } } };
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
    band: behaviour.manifest().targetQer,
    base: baseEvalCache.get(evalKey)!,
    organism,
    seconds: (Date.now() - started) / 1000,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}`;
const pm = (r: RateOut) => `${pct(r.qer)} +- ${pct(r.se)}`;

function printCells(cells: CellResult[]): void {
  const head = 'behaviour                 technique           arch    step  matched  QER base %        QER organism %    band %       leak %   cap base/org %   s';
  const lines = [head];
  for (const c of cells) {
    lines.push(
      [
        c.behaviour.padEnd(25),
        c.technique.padEnd(19),
        c.arch.padEnd(7),
        String(c.step).padStart(4),
        String(c.matched === null ? '-' : c.matched ? 'yes' : 'no').padEnd(7),
        pm(c.base.qer).padEnd(17),
        pm(c.organism.qer).padEnd(17),
        `${pct(c.band.low)}-${pct(c.band.high)}`.padEnd(12),
        pct(c.organism.leakage.qer).padStart(6),
        `${pct(c.base.capability.accuracy)}/${pct(c.organism.capability.accuracy)}`.padStart(14),
        c.seconds.toFixed(0).padStart(5),
      ].join(' '),
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
}

const CSV_HEADER = ['behaviour', 'technique', 'arch', 'size', 'seed', 'key', 'starts_from', 'step', 'matched', 'val_qer', 'band_low', 'band_target', 'band_high', 'base_qer', 'base_qer_se', 'qer', 'qer_se', 'qer_n', 'leakage', 'leakage_n', 'base_capability', 'capability', 'capability_n', 'seconds'];
function csvRow(c: CellResult): (string | number)[] {
  return [c.behaviour, c.technique, c.arch, c.size, c.seed, c.key, c.starts_from, c.step, c.matched === null ? '' : String(c.matched), c.val_qer ?? '', c.band.low, c.band.target, c.band.high, c.base.qer.qer, c.base.qer.se, c.organism.qer.qer, c.organism.qer.se, c.organism.qer.n, c.organism.leakage.qer, c.organism.leakage.n, c.base.capability.accuracy, c.organism.capability.accuracy, c.organism.capability.n, c.seconds];
}

interface CommonOpts {
  match: boolean;
  baseSeed: string;
  samples: string;
  maxNewTokens: string;
  out: string;
  json?: boolean;
}

function cellOptions(rt: Runtime, o: CommonOpts): CellOptions {
  return {
    match: o.match,
    baseSeed: parseIntFlag('base-seed', o.baseSeed),
    eval: { samplesPerPrompt: Math.max(1, parseIntFlag('samples', o.samples)), maxNewTokens: Math.max(1, parseIntFlag('max-new-tokens', o.maxNewTokens)), batchSize: 32, seed: rt.settings.seed },
    leakagePrompts: 200,
  };
}

function withCommon(cmd: Command): Command {
  return cmd
    .option('--no-match', "take the technique's final step instead of QER matching")
    .option('--base-seed <n>', 'seed of the base models the organisms start from', '0')
    .option('--samples <n>', 'sampled answers per trigger prompt (QER)', '4')
    .option('--max-new-tokens <n>', 'answer length when sampling', '32')
    .option('--json', 'print the results as JSON on stdout');
}

async function runCells(rt: Runtime, entries: SuiteEntry[], o: CommonOpts, outName: string): Promise<CellResult[]> {
  // resolve every id first: an unknown one fails before anything trains
  for (const e of entries) {
    rt.plugin('architecture', e.arch);
    rt.plugin('behaviour', e.behaviour);
    rt.plugin('trainer', e.technique);
  }
  await rt.ready();
  const opts = cellOptions(rt, o);
  const view = new ProgressView();
  const cells: CellResult[] = [];
  process.on('SIGINT', onSigint);
  try {
    for (const [i, e] of entries.entries()) {
      if (entries.length > 1) view.note(`[${i + 1}/${entries.length}] ${e.behaviour} x ${e.technique} x ${e.arch} (seed ${e.seed})`);
      cells.push(await organismCell(rt, e, view, opts));
      if (entries.length > 1) view.update({ label: 'organisms', step: i + 1, total: entries.length, info: `last: ${e.technique} QER ${pm(cells[i].organism.qer)}`, etaSec: ((entries.length - i - 1) * cells.reduce((s, c) => s + c.seconds, 0)) / (i + 1) });
    }
  } finally {
    view.stop();
    process.off('SIGINT', onSigint);
  }
  const out = resolve(o.out);
  await mkdir(out, { recursive: true });
  await writeFileAtomic(join(out, `${outName}.json`), JSON.stringify({ size: rt.settings.size, world_seed: rt.settings.worldSeed, eval: opts.eval, cells }, null, 2) + '\n');
  await writeFileAtomic(join(out, `${outName}.csv`), stringify([CSV_HEADER, ...cells.map(csvRow)]));
  if (o.json) process.stdout.write(JSON.stringify(cells) + '\n');
  else printCells(cells);
  rt.logger.info(`wrote ${join(out, `${outName}.json`)} and .csv`);
  return cells;
}

export function organismCommand(env: CliEnv): Command {
  return withCommon(
    new Command('organism')
      .description('train (or reuse) one model organism, QER-matched, and print QER +- SE for base and organism, leakage, capability and the step')
      .requiredOption('--behaviour <id>', 'behaviour plugin id')
      .requiredOption('--technique <id>', 'trainer plugin id')
      .requiredOption('--arch <id>', 'architecture plugin id')
      .option('--out <dir>', 'where the result JSON/CSV go', 'out/organisms'),
  ).action(async (opts: CommonOpts & { behaviour: string; technique: string; arch: string }, cmd: Command) => {
    const rt = await runtimeFor(cmd, env);
    const entry: SuiteEntry = { behaviour: opts.behaviour, technique: opts.technique, arch: opts.arch, seed: rt.settings.seed };
    await runCells(rt, [entry], opts, `${entry.arch}__${entry.behaviour}__${entry.technique}__seed${entry.seed}`);
  });
}

export function organismsCommand(env: CliEnv): Command {
  return withCommon(
    new Command('organisms')
      .description('build every organism of a suite (YAML/JSON list of {behaviour, technique, arch, seed}) with a progress bar')
      .requiredOption('--suite <file|name>', 'a suite file, or a name in benchmarks/suites (e.g. organisms-smoke)')
      .option('--out <dir>', 'where the result JSON/CSV go', 'out/organisms'),
  ).action(async (opts: CommonOpts & { suite: string }, cmd: Command) => {
    const rt = await runtimeFor(cmd, env);
    const file = suitePath(opts.suite, env.cwd);
    const entries = readSuite(file);
    await runCells(rt, entries, opts, `suite-${file.replace(/^.*[/\\]/, '').replace(/\.[^.]+$/, '')}`);
  });
}
