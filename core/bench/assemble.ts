// From cell outcomes to the long rows of results.csv and the lines of
// samples.jsonl, in plan order (never completion order), so the files do not
// depend on how many workers ran or which finished first.
import { MOLT_VERSION } from '../version';
import type { Runtime } from '../container';
import { CELL_METRIC, type ResultRow } from './rows';
import type { CellOutcome } from './executor';
import { metricRow, type CellRecord } from './cell-record';
import type { BenchPlan, OrganismCell, ProbeCell } from './plan';

export interface AssembleOptions {
  /** leave cost_s and created_at empty (byte-identical reruns) */
  reproducible: boolean;
}

export interface Assembled {
  rows: ResultRow[];
  samples: Record<string, unknown>[];
  counts: { total: number; ok: number; failed: number; skipped: number };
}

function identityOf(rt: Runtime, c: OrganismCell | ProbeCell, org: CellRecord | undefined) {
  // family and pipeline come from the record when there is one (the organism's own
  // manifest at training time), else from the plugin
  let family = org?.organism?.family ?? '';
  let pipeline = org?.organism?.pipeline ?? '';
  if (!family) {
    try {
      const m = rt.plugin('behaviour', c.behaviour).manifest();
      [family, pipeline] = [m.family, m.pipeline];
    } catch {
      // an unknown behaviour failed its cell already; the row says so
    }
  }
  return { behaviour: c.behaviour, family, pipeline, technique: c.technique, architecture: c.arch, seed: c.seed };
}

export function assemble(rt: Runtime, plan: BenchPlan, outcomes: ReadonlyMap<string, CellOutcome>, o: AssembleOptions): Assembled {
  const rows: ResultRow[] = [];
  const samples: Record<string, unknown>[] = [];
  const counts = { total: plan.cells.length, ok: 0, failed: 0, skipped: 0 };
  const common = { run_id: plan.configHash, config_hash: plan.configHash, molt_version: MOLT_VERSION };
  const probesOf = new Map<string, ProbeCell[]>();
  for (const c of plan.cells) if (c.kind === 'probe') probesOf.set(c.organismCell, [...(probesOf.get(c.organismCell) ?? []), c]);

  const record = (id: string): CellRecord | undefined => {
    const x = outcomes.get(id);
    return x && x.status !== 'skipped' ? (x as CellRecord) : undefined;
  };
  const emit = (c: OrganismCell | ProbeCell, org: CellRecord | undefined) => {
    const out = outcomes.get(c.id) ?? { id: c.id, status: 'skipped' as const, error: 'not run (interrupted before it started)' };
    const rec = out.status === 'skipped' ? undefined : (out as CellRecord);
    const orgInfo = org?.status === 'ok' ? org.organism : undefined;
    const base = {
      ...common,
      organism_id: orgInfo?.id ?? '',
      ...identityOf(rt, c, org),
      diffing_base: c.kind === 'probe' ? c.diffingBase : '',
      probe: c.kind === 'probe' ? c.probe : '',
      qer: orgInfo?.qer ?? NaN,
      qer_se: orgInfo?.qer_se ?? NaN,
      cost_s: o.reproducible || !rec ? NaN : rec.cost_s,
      created_at: o.reproducible || !rec ? '' : rec.created_at,
    };
    if (out.status !== 'ok') {
      rows.push({ ...base, ...metricRow({ probe: base.probe, diffing_base: base.diffing_base, metric: CELL_METRIC, value: NaN }), status: out.status, error: out.error });
      return;
    }
    for (const m of rec!.metrics) rows.push({ ...base, ...m, status: 'ok', error: '' });
    samples.push(...rec!.samples);
  };

  for (const c of plan.cells) {
    const out = outcomes.get(c.id);
    if (!out) counts.skipped++;
    else counts[out.status]++;
    if (c.kind === 'base') {
      if (out && out.status !== 'skipped') samples.push(...(out as CellRecord).samples);
      continue;
    }
    if (c.kind !== 'organism') continue;
    const org = record(c.id);
    emit(c, org);
    for (const p of probesOf.get(c.id) ?? []) emit(p, org);
  }
  return { rows, samples, counts };
}

/** samples.jsonl text: one object per line, NaN as null. */
export function samplesJsonl(samples: readonly Record<string, unknown>[]): string {
  return samples.map((s) => JSON.stringify(s, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)) + '\n').join('');
}
