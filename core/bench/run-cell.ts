// Run one cell in this process and write its record: the same code serves the
// in-process executor, the local worker processes and queue workers.
import { isMoltError, MoltError } from '../errors';
import type { Runtime } from '../container';
import { ensureBase, organismCell, type CellOptions, type ProgressSink } from '../organisms/cell';
import { wilson } from '../probes/stats';
import { resolveProbeSettings } from '../probes/settings';
import { openOrganismPair } from '../probes/resolve';
import type { ProbeResult } from '../probes/types';
import { familyManifests } from '../cli/commands-probe';
import { DETECTED_METRIC, FAMILY_DETECTED_METRIC, FAMILY_HEADLINE_METRIC, HEADLINE_FLOOR_METRIC, HEADLINE_METRIC } from './rows';
import { isRecordProblem, loadRecord, metricRow, writeRecord, type CellRecord, type MetricRow } from './cell-record';
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

async function runOrganism(rt: Runtime, plan: BenchPlan, cell: OrganismCell, o: RunCellOptions): Promise<Partial<CellRecord>> {
  const r = await organismCell(rt, { behaviour: cell.behaviour, technique: cell.technique, arch: cell.arch, seed: cell.seed }, o.sink, cellOptions(plan, rt, o.shouldStop));
  const manifest = rt.plugin('behaviour', cell.behaviour).manifest();
  const rate = (x: { qer: number; n: number }) => {
    const w = wilson(Math.round(x.qer * x.n), x.n);
    return { value: x.qer, n: x.n, ci_low: w.low, ci_high: w.high };
  };
  const cap = (x: { accuracy: number; n: number }) => {
    const w = wilson(Math.round(x.accuracy * x.n), x.n);
    return { value: x.accuracy, n: x.n, ci_low: w.low, ci_high: w.high };
  };
  const metrics: MetricRow[] = [
    metricRow({ metric: 'qer', ...rate(r.organism.qer) }),
    metricRow({ metric: 'qer_base', ...rate(r.base.qer) }),
    metricRow({ metric: 'leakage', ...rate(r.organism.leakage) }),
    metricRow({ metric: 'leakage_base', ...rate(r.base.leakage) }),
    metricRow({ metric: 'capability', ...cap(r.organism.capability) }),
    metricRow({ metric: 'capability_base', ...cap(r.base.capability) }),
    metricRow({ metric: 'capability_drop', value: r.base.capability.accuracy - r.organism.capability.accuracy, n: r.organism.capability.n }),
    metricRow({ metric: 'step', value: r.step }),
    metricRow({ metric: 'matched', value: r.matched === null ? NaN : r.matched ? 1 : 0, variant: r.match_reason }),
    metricRow({ metric: 'val_qer', value: r.val_qer ?? NaN }),
  ];
  const samples = (r.organism.samples ?? []).map((s) => ({ cell: cell.id, type: 'qer_sample', prompt_id: s.promptId, prompt: s.prompt, sample: s.sample, response: s.response, fired: s.fired, gated: s.gated, evidence: s.evidence }));
  return {
    organism: { id: r.key, family: manifest.family, pipeline: manifest.pipeline, qer: r.organism.qer.qer, qer_se: r.organism.qer.se },
    metrics,
    samples,
  };
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
