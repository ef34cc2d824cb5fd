// Run one cell in this process and write its record: the same code serves the
// in-process executor, the local worker processes and queue workers.
import { isMoltError, MoltError } from '../errors';
import type { Runtime } from '../container';
import { ensureBase, organismCell, type CapabilityOut, type CellOptions, type CellResult, type DropOut, type ModelEval, type ProgressSink, type RateOut } from '../organisms/cell';
import { differenceZ } from '../behaviours/base-rate';
import { canonicalJson } from '../store/content-hash';
import { resolveProbeSettings } from '../probes/settings';
import { openOrganismPair } from '../probes/resolve';
import type { ProbeResult } from '../probes/types';
import { familyManifests } from '../cli/commands-probe';
import { DETECTED_METRIC, FAMILY_DETECTED_METRIC, FAMILY_HEADLINE_METRIC, HEADLINE_FLOOR_METRIC, HEADLINE_METRIC, HPARAMS_METRIC } from './rows';
import { isRecordProblem, loadRecord, metricRow, readRecord, writeRecord, type CellRecord, type MetricRow } from './cell-record';
import type { BaseCell, BenchPlan, Cell, OrganismCell, ProbeCell } from './plan';

export interface RunCellOptions {
  outDir: string;
  sink: ProgressSink;
  shouldStop?: () => boolean;
  /** clock for cost_s and created_at (tests may pin it) */
  now?: () => number;
}

function cellOptions(plan: BenchPlan, rt: Runtime, shouldStop?: () => boolean): CellOptions {
  const e = plan.suite.spec.eval;
  return {
    match: plan.suite.spec.match,
    baseSeed: plan.suite.spec.base_seed,
    eval: { samplesPerPrompt: e.samples, maxNewTokens: e.max_new_tokens, batchSize: 32, seed: rt.settings.seed },
    leakagePrompts: e.leakage_prompts,
    shouldStop,
    keepSamples: true,
  };
}

async function runBase(rt: Runtime, plan: BenchPlan, cell: BaseCell, o: RunCellOptions): Promise<Partial<CellRecord>> {
  const models = await ensureBase(rt, cell.arch, cell.baseSeed, o.sink, o.shouldStop);
  return { samples: [{ cell: cell.id, type: 'base', arch: cell.arch, keys: Object.fromEntries(Object.entries(models).map(([s, m]) => [s, m.key])) }] };
}

/**
 * A null organism's steps: the mean step of the behaviour organisms it
 * controls (those that finished), so it is fine-tuned as much as they are,
 * not for its technique's whole bound. Undefined when none finished (it then
 * trains for the bound, and says so).
 */
async function stepsOfControlled(cell: OrganismCell, o: RunCellOptions): Promise<number | undefined> {
  if (!cell.stepsFrom?.length) return undefined;
  const steps: number[] = [];
  for (const id of cell.stepsFrom) {
    const r = await readRecord(o.outDir, id);
    const step = r?.status === 'ok' ? r.metrics.find((m) => m.metric === 'step')?.value : undefined;
    if (typeof step === 'number' && step > 0) steps.push(step);
  }
  if (steps.length === 0) {
    o.sink.note(`${cell.id}: none of ${cell.stepsFrom.join(', ')} finished; training for the technique's full steps`);
    return undefined;
  }
  return Math.round(steps.reduce((a, b) => a + b, 0) / steps.length);
}

async function runOrganism(rt: Runtime, plan: BenchPlan, cell: OrganismCell, o: RunCellOptions): Promise<Partial<CellRecord>> {
  const steps = await stepsOfControlled(cell, o);
  const r = await organismCell(rt, { behaviour: cell.behaviour, technique: cell.technique, arch: cell.arch, seed: cell.seed, ...(steps ? { steps } : {}) }, o.sink, cellOptions(plan, rt, o.shouldStop));
  const manifest = rt.plugin('behaviour', cell.behaviour).manifest();
  const metrics = organismMetricRows(r);
  const samples = (r.organism.samples ?? []).map((s) => ({ cell: cell.id, type: 'qer_sample', prompt_id: s.promptId, prompt: s.prompt, sample: s.sample, response: s.response, fired: s.fired, gated: s.gated, evidence: s.evidence }));
  return {
    organism: { id: r.key, family: manifest.family, pipeline: manifest.pipeline, qer: r.organism.qer.qer, qer_se: r.organism.qer.se },
    metrics,
    samples,
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

async function runProbe(rt: Runtime, plan: BenchPlan, cell: ProbeCell, o: RunCellOptions): Promise<Partial<CellRecord>> {
  const org = await loadRecord(o.outDir, cell.organismCell);
  if (isRecordProblem(org)) throw new MoltError(`organism cell ${cell.organismCell}: ${org.file}: ${org.problem}`, org.file);
  if (!org?.organism || org.status !== 'ok') throw new Error(`organism cell ${cell.organismCell} has no finished record`);
  const probe = rt.plugin('probe', cell.probe);
  const settings = resolveProbeSettings(probe, rt.settings.size, plan.suite.probeSettings[cell.probe] ?? {});
  const store = rt.services.store;
  const pair = await openOrganismPair(store, rt.plugins('architecture'), org.organism.id, cell.diffingBase, (b) => rt.plugin('behaviour', b));
  try {
    const result = await probe.run(pair.organism, pair.base, {
      settings,
      seed: rt.settings.seed,
      world: rt.dataSource(),
      logger: rt.logger,
      store,
      families: familyManifests(rt),
      diffingBaseKind: cell.diffingBase,
      size: rt.settings.size,
      onProgress: (p) => o.sink.note(`${cell.id}: ${p.stage}${p.total ? ` ${p.done}/${p.total}` : ''}`),
    });
    const samples = [
      ...result.findings.map((f) => ({ cell: cell.id, type: 'finding', ...f })),
      { cell: cell.id, type: 'headline', ...result.headline, settings: result.settings, notes: result.notes, timings: result.timings },
    ];
    return { metrics: probeMetricRows(result, cell.probe, cell.diffingBase), samples };
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

/** Run `cell`, write its record (ok or failed) and return it. Interruption writes nothing and throws CellInterrupted. */
export async function runCell(rt: Runtime, plan: BenchPlan, cell: Cell, o: RunCellOptions): Promise<CellRecord> {
  const now = o.now ?? Date.now;
  const t0 = now();
  let part: Partial<CellRecord>;
  let error = '';
  try {
    part = cell.kind === 'base' ? await runBase(rt, plan, cell, o) : cell.kind === 'organism' ? await runOrganism(rt, plan, cell, o) : await runProbe(rt, plan, cell, o);
  } catch (e) {
    if (o.shouldStop?.()) throw new CellInterrupted(cell.id);
    error = isMoltError(e) ? e.message : `${(e as Error).name ?? 'Error'}: ${(e as Error).message ?? String(e)}`;
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
