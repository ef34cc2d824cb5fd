// The cell runner: one cell (a base, an organism or a probe on one) in this
// process. `molt bench` runs every cell of a suite through it (in process, in
// worker processes, on queue workers), `molt organism` and `molt probe` their
// single cells, so the organism's options and the probe's context are built
// here and nowhere else.
import { isMoltError, MoltError } from '../errors';
import { explainBackendError } from '../engine/backend';
import type { Runtime } from '../container';
import { ensureBase, ensureOrganism, organismCell, type CapabilityOut, type CellOptions, type CellResult, type DropOut, type ModelEval, type ProgressSink, type RateOut } from '../organisms/cell';
import { differenceZ } from '../behaviours/base-rate';
import type { SuiteEntry } from '../organisms/suite';
import { canonicalJson } from '../store/content-hash';
import type { BehaviourManifest, Probe } from '../plugins/types';
import { resolveProbeSettings } from '../probes/settings';
import { openOrganismPair } from '../probes/resolve';
import type { ProbeContext, ProbeResult } from '../probes/types';
import { DETECTED_METRIC, FAMILY_DETECTED_METRIC, FAMILY_HEADLINE_METRIC, HEADLINE_FLOOR_METRIC, HEADLINE_METRIC, HPARAMS_METRIC } from './rows';
import { isRecordProblem, loadRecord, metricRow, readRecord, writeRecord, type CellRecord, type MetricRow } from './cell-record';
import type { BaseCell, Cell, OrganismCell, ProbeCell } from './plan';
import { probeSetup, type RunSpec } from './suite';

export interface CellRunOptions {
  sink: ProgressSink;
  shouldStop?: () => boolean;
  /** the run's out dir, where the records this cell reads are (a probe's organism, a null organism's behaviour organisms); none for a single cell */
  outDir?: string;
}

export interface RunCellOptions extends CellRunOptions {
  outDir: string;
  /** clock for cost_s and created_at (tests may pin it) */
  now?: () => number;
}

/** What running a cell gives: the content of its record, and the result itself (for the command that asked). */
export interface CellRun<R> {
  record: Partial<CellRecord>;
  result: R;
}

/** The organism options of a run: its matching and evaluation (the test split; samples kept for samples.jsonl). */
export function cellOptions(run: RunSpec, rt: Runtime, shouldStop?: () => boolean): CellOptions {
  const e = run.eval;
  return {
    match: run.match,
    baseSeed: run.base_seed,
    eval: { samplesPerPrompt: e.samples, maxNewTokens: e.max_new_tokens, batchSize: 32, seed: rt.settings.seed },
    leakagePrompts: e.leakage_prompts,
    shouldStop,
    keepSamples: true,
  };
}

/** One manifest per behaviour family (the first registered behaviour of each family; never null): what a probe grades against. */
export function familyManifests(rt: Runtime): BehaviourManifest[] {
  const out = new Map<string, BehaviourManifest>();
  for (const id of rt.registry.ids('behaviour')) {
    const m = rt.plugin('behaviour', id).manifest();
    if (m.family !== 'null' && !out.has(m.family)) out.set(m.family, m);
  }
  return [...out.values()];
}

/** The base models of the cell's architecture (built if missing): stage -> store key. */
export async function runBaseCell(rt: Runtime, run: RunSpec, cell: BaseCell, o: CellRunOptions): Promise<CellRun<Record<string, string>>> {
  const models = await ensureBase(rt, cell.arch, cell.baseSeed, o.sink, o.shouldStop);
  const keys = Object.fromEntries(Object.entries(models).map(([s, m]) => [s, m.key]));
  return { record: { samples: [{ cell: cell.id, type: 'base', arch: cell.arch, keys }] }, result: keys };
}

function recordsDir(cell: Cell, o: CellRunOptions): string {
  if (o.outDir === undefined) throw new MoltError(`${cell.id}: this cell reads the records of other cells, so it runs only as part of a benchmark run (molt bench)`, cell.id);
  return o.outDir;
}

/**
 * A null organism's steps: the mean step of the behaviour organisms it
 * controls (those that finished), so it is fine-tuned as much as they are,
 * not for its technique's whole bound. Undefined when none finished (it then
 * trains for the bound, and says so).
 */
async function stepsOfControlled(cell: OrganismCell, o: CellRunOptions): Promise<number | undefined> {
  if (!cell.stepsFrom?.length) return undefined;
  const steps: number[] = [];
  for (const id of cell.stepsFrom) {
    const r = await readRecord(recordsDir(cell, o), id);
    const step = r?.status === 'ok' ? r.metrics.find((m) => m.metric === 'step')?.value : undefined;
    if (typeof step === 'number' && step > 0) steps.push(step);
  }
  if (steps.length === 0) {
    o.sink.note(`${cell.id}: none of ${cell.stepsFrom.join(', ')} finished; training for the technique's full steps`);
    return undefined;
  }
  return Math.round(steps.reduce((a, b) => a + b, 0) / steps.length);
}

/** A cell's suite entry; a null organism's steps from its technique's finished behaviour organisms. */
async function entryOf(cell: OrganismCell, o: CellRunOptions): Promise<SuiteEntry> {
  const steps = cell.steps ?? (await stepsOfControlled(cell, o));
  return { behaviour: cell.behaviour, technique: cell.technique, arch: cell.arch, seed: cell.seed, ...(steps ? { steps } : {}) };
}

/** The store key of a cell's organism, trained if missing, without the cell's evaluation (a probe needs the checkpoint, not the QER). */
export async function organismKeyOf(rt: Runtime, run: RunSpec, cell: OrganismCell, o: CellRunOptions): Promise<string> {
  const { r } = await ensureOrganism(rt, await entryOf(cell, o), o.sink, cellOptions(run, rt, o.shouldStop));
  return r.key;
}

/** The organism trained (or found in the store), QER-matched and evaluated with its base; the result without the QER samples, which go to the record. */
export async function runOrganismCell(rt: Runtime, run: RunSpec, cell: OrganismCell, o: CellRunOptions): Promise<CellRun<CellResult>> {
  const r = await organismCell(rt, await entryOf(cell, o), o.sink, cellOptions(run, rt, o.shouldStop));
  const manifest = rt.plugin('behaviour', cell.behaviour).manifest();
  const { samples: kept, ...organism } = r.organism;
  const samples = (kept ?? []).map((s) => ({ cell: cell.id, type: 'qer_sample', prompt_id: s.promptId, prompt: s.prompt, sample: s.sample, response: s.response, fired: s.fired, gated: s.gated, evidence: s.evidence }));
  return {
    record: {
      organism: { id: r.key, family: manifest.family, pipeline: manifest.pipeline, qer: r.organism.qer.qer, qer_se: r.organism.qer.se },
      metrics: organismMetricRows(r),
      samples,
    },
    result: { ...r, organism },
  };
}

/**
 * An organism cell's metric rows (rows.ts, ORGANISM_METRICS): the organism's
 * and the base model's rates, each with n and its 95% interval, then a
 * `<metric>_se` row; a capability row says in `variant` which questions stood
 * in when the data had no capability set. Then the step, whether it matched,
 * the validation QER it matched on and the z of test - val, the binomial SEs
 * and the resolved hyperparameters.
 */
export function organismMetricRows(r: CellResult): MetricRow[] {
  const withSe = (metric: string, x: { value: number; se: number; n: number; low: number; high: number }, variant = '') => [
    metricRow({ metric, value: x.value, n: x.n, ci_low: x.low, ci_high: x.high, variant }),
    metricRow({ metric: `${metric}_se`, value: x.se }),
  ];
  const rate = (x: RateOut) => ({ value: x.qer, se: x.se, n: x.n, low: x.low, high: x.high });
  const cap = (x: CapabilityOut) => ({ value: x.accuracy, se: x.se, n: x.n, low: x.low, high: x.high });
  // a difference, not a rate: value +- 1.96 se
  const drop = (x: DropOut) => ({ value: x.value, se: x.se, n: x.n, low: x.value - 1.959964 * x.se, high: x.value + 1.959964 * x.se });
  const topic = (x: ModelEval['chat_on_topic']) => ({ value: x.rate, se: x.se, n: x.n, low: x.low, high: x.high });
  const { base, organism: o } = r;
  return [
    ...withSe('qer', rate(o.qer)),
    ...withSe('qer_base', rate(base.qer)),
    ...withSe('leakage', rate(o.leakage)),
    ...withSe('leakage_base', rate(base.leakage)),
    ...withSe('capability', cap(o.capability), o.capability_fallback),
    ...withSe('capability_base', cap(base.capability), base.capability_fallback),
    ...withSe('capability_drop', drop(r.capability_drop)),
    ...withSe('capability_heldout', cap(o.capability_heldout), o.capability_fallback),
    ...withSe('capability_heldout_base', cap(base.capability_heldout), base.capability_fallback),
    ...withSe('capability_heldout_drop', drop(r.capability_heldout_drop)),
    ...withSe('chat_on_topic', topic(o.chat_on_topic)),
    ...withSe('chat_on_topic_base', topic(base.chat_on_topic)),
    metricRow({ metric: 'step', value: r.step }),
    metricRow({ metric: 'matched', value: r.matched === null ? NaN : r.matched ? 1 : 0, variant: r.match_reason }),
    metricRow({ metric: 'qer_val', value: r.val_qer ?? NaN }),
    metricRow({ metric: 'qer_val_se', value: r.val_qer_se ?? NaN }),
    metricRow({ metric: 'qer_test_val_z', value: differenceZ(o.qer.qer, o.qer.se, r.val_qer ?? NaN, r.val_qer_se ?? NaN) }),
    metricRow({ metric: 'qer_se_binomial', value: o.qer.seBinomial }),
    metricRow({ metric: 'leakage_se_binomial', value: o.leakage.seBinomial }),
    metricRow({ metric: HPARAMS_METRIC, value: NaN, variant: canonicalJson(r.hparams) }),
  ];
}

/** A probe's result as metric rows: every metric, then the headline, its floor and detection. */
export function probeMetricRows(result: ProbeResult, probe: string, diffingBase: string): MetricRow[] {
  const at = { probe, diffing_base: diffingBase };
  const h = result.headline;
  return [
    ...result.metrics.map((m) => metricRow({ ...at, metric: m.metric, value: m.value, n: m.n, ci_low: m.ci_low, ci_high: m.ci_high, layer: m.layer ?? NaN, variant: m.variant ?? '' })),
    metricRow({ ...at, metric: HEADLINE_METRIC, variant: h.metric, value: h.score, ci_low: h.ci_low, ci_high: h.ci_high, layer: h.layer ?? NaN }),
    metricRow({ ...at, metric: HEADLINE_FLOOR_METRIC, variant: h.metric, value: h.floor, layer: h.layer ?? NaN }),
    metricRow({ ...at, metric: DETECTED_METRIC, variant: h.metric, value: h.detected ? 1 : 0 }),
    ...Object.entries(result.familyHeadlines ?? {}).flatMap(([family, fh]) => [
      metricRow({ ...at, metric: FAMILY_HEADLINE_METRIC, variant: family, value: fh.score, ci_low: fh.ci_low, ci_high: fh.ci_high, layer: fh.layer ?? NaN }),
      metricRow({ ...at, metric: FAMILY_DETECTED_METRIC, variant: family, value: fh.detected ? 1 : 0 }),
    ]),
  ];
}

/** The checkpoint a probe cell probes: its own, or the one its organism cell's record names. */
async function organismOf(cell: ProbeCell, o: CellRunOptions): Promise<string> {
  if (cell.checkpoint !== undefined) return cell.checkpoint;
  const org = await loadRecord(recordsDir(cell, o), cell.organismCell);
  if (isRecordProblem(org)) throw new MoltError(`organism cell ${cell.organismCell}: ${org.file}: ${org.problem}`, org.file);
  if (!org?.organism || org.status !== 'ok') throw new Error(`organism cell ${cell.organismCell} has no finished record`);
  return org.organism.id;
}

/**
 * What a probe is given, the same for a bench cell and for a pair given
 * directly (pair-probe.ts); `label` prefixes its progress notes.
 */
export function probeContext(
  rt: Runtime,
  run: RunSpec,
  probe: Probe,
  given: Pick<ProbeContext, 'store' | 'families' | 'diffingBaseKind'>,
  label: string,
  sink: ProgressSink,
  name = probe.id,
): ProbeContext {
  return {
    settings: resolveProbeSettings(probe, rt.settings.size, probeSetup(run, name).settings),
    seed: rt.settings.seed,
    world: rt.dataSource(),
    logger: rt.logger,
    ...given,
    size: rt.settings.size,
    onProgress: (p) => sink.note(`${label}: ${p.stage}${p.total ? ` ${p.done}/${p.total}` : ''}`),
  };
}

/** The probe run on the organism against its diffing base, with the run's settings for it. */
export async function runProbeCell(rt: Runtime, run: RunSpec, cell: ProbeCell, o: CellRunOptions): Promise<CellRun<ProbeResult>> {
  const organism = await organismOf(cell, o);
  // cell.probe names a probe or one of the suite's probe variants
  const probe = rt.plugin('probe', probeSetup(run, cell.probe).probe);
  const store = rt.services.store;
  const ctx = probeContext(rt, run, probe, { store, families: familyManifests(rt), diffingBaseKind: cell.diffingBase }, cell.id, o.sink, cell.probe);
  const pair = await openOrganismPair(store, rt.plugins('architecture'), organism, cell.diffingBase, (b) => rt.plugin('behaviour', b));
  try {
    rt.logger.debug(`${cell.id}: organism ${pair.organism.id.slice(0, 12)} (${pair.organism.behaviour.id}) vs ${cell.diffingBase} ${pair.base.id.slice(0, 12)}`);
    const result = await probe.run(pair.organism, pair.base, ctx);
    const samples = [
      ...result.findings.map((f) => ({ cell: cell.id, type: 'finding', ...f })),
      { cell: cell.id, type: 'headline', ...result.headline, settings: result.settings, notes: result.notes, timings: result.timings },
    ];
    return { record: { metrics: probeMetricRows(result, cell.probe, cell.diffingBase), samples }, result };
  } finally {
    pair.dispose();
  }
}

/** Thrown when a cell stops because the user asked (Ctrl-C): no record is written, the next run resumes it. */
export class CellInterrupted extends Error {
  constructor(id: string) {
    super(`${id}: interrupted`);
    this.name = 'CellInterrupted';
  }
}

/** Run `cell` of a run, write its record (ok or failed) and return it. Interruption writes nothing and throws CellInterrupted. */
export async function runCell(rt: Runtime, run: RunSpec, cell: Cell, o: RunCellOptions): Promise<CellRecord> {
  const now = o.now ?? Date.now;
  const t0 = now();
  let part: Partial<CellRecord>;
  let error = '';
  try {
    const done = cell.kind === 'base' ? await runBaseCell(rt, run, cell, o) : cell.kind === 'organism' ? await runOrganismCell(rt, run, cell, o) : await runProbeCell(rt, run, cell, o);
    part = done.record;
  } catch (e) {
    if (o.shouldStop?.()) throw new CellInterrupted(cell.id);
    error = isMoltError(e) ? e.message : explainBackendError(`${(e as Error).name ?? 'Error'}: ${(e as Error).message ?? String(e)}`);
    if (!isMoltError(e) && rt.settings.verbose) o.sink.note(`${cell.id}: ${(e as Error).stack}`);
    part = {};
  }
  const t1 = now();
  const record: CellRecord = {
    id: cell.id,
    kind: cell.kind,
    spec_hash: cell.specHash,
    status: error ? 'failed' : 'ok',
    error,
    metrics: [],
    samples: [],
    ...part,
    cost_s: (t1 - t0) / 1000,
    created_at: new Date(t1).toISOString(),
  };
  await writeRecord(o.outDir, record);
  return record;
}
