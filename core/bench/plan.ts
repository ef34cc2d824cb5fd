// A suite expanded into cells with their dependencies: base models ->
// organisms -> probes. Each cell carries a spec hash of everything its result
// depends on, so a finished cell is reused only while that stays the same.
import { contentHash } from '../store/content-hash';
import { MOLT_VERSION } from '../version';
import type { Settings } from '../settings';
import type { Runtime } from '../container';
import { hyperparametersFor } from '../organisms/hparams';
import { resolveProbeSettings } from '../probes/settings';
import type { DiffingBaseKind } from '../probes/types';
import type { ResolvedSuite, SuiteOrganism } from './suite';
import type { WorldContribution } from '../world/content';

interface CellCommon {
  /** stable, readable id, e.g. organism:olmo2:cake-bake:posthoc-fd:s0 */
  id: string;
  /** ids of the cells that must finish (ok) first */
  deps: string[];
  /** ids of cells to wait for whatever their outcome (ordering only) */
  after?: string[];
  /** hash of the cell and every setting its result depends on */
  specHash: string;
}
export interface BaseCell extends CellCommon {
  kind: 'base';
  arch: string;
  baseSeed: number;
}
export interface OrganismCell extends CellCommon {
  kind: 'organism';
  arch: string;
  behaviour: string;
  technique: string;
  seed: number;
  /**
   * a null (control) organism trains as long as the behaviour organisms of its
   * technique, architecture and seed in the suite do on average: their cells
   * (it waits for them, whatever their outcome; run-cell.ts reads their steps)
   */
  stepsFrom?: string[];
}
export interface ProbeCell extends CellCommon {
  kind: 'probe';
  arch: string;
  behaviour: string;
  technique: string;
  seed: number;
  probe: string;
  diffingBase: DiffingBaseKind;
  /** the organism cell it probes */
  organismCell: string;
}
export type Cell = BaseCell | OrganismCell | ProbeCell;

export interface BenchPlan {
  suite: ResolvedSuite;
  /** in dependency order: bases, organisms, then probes */
  cells: Cell[];
  byId: Map<string, Cell>;
  /** hash of the suite and settings: results.csv's run_id and config_hash */
  configHash: string;
}

export const baseCellId = (arch: string, baseSeed: number) => `base:${arch}:s${baseSeed}`;
export const organismCellId = (o: Pick<SuiteOrganism, 'arch' | 'behaviour' | 'technique' | 'seed'>) => `organism:${o.arch}:${o.behaviour}:${o.technique}:s${o.seed}`;
export const probeCellId = (o: Pick<SuiteOrganism, 'arch' | 'behaviour' | 'technique' | 'seed'>, probe: string, base: string) => `${organismCellId(o).replace(/^organism:/, 'probe:')}:${probe}@${base}`;

/** A cell id as a file name (ids are plugin ids, digits and : @). */
export function cellFileName(id: string): string {
  return id.replace(/[^A-Za-z0-9._@-]/g, '~') + '.json';
}

/**
 * The settings every cell's result depends on (not the store location,
 * verbosity or plugin paths), and the world content plugins contribute
 * (absent without any, so runs of molt's own plugins keep their hashes).
 */
export function sharedIdentity(settings: Settings, suite: ResolvedSuite, backend: string, worldContent: readonly WorldContribution[] = []): Record<string, unknown> {
  const s = suite.spec;
  return {
    ...(worldContent.length > 0 ? { world_content: worldContent.map((c) => ({ key: c.key, content: c.content })) } : {}),
    size: settings.size,
    world_seed: settings.worldSeed,
    seed: settings.seed,
    data: settings.data ?? null,
    base: settings.base ?? null,
    base_seed: s.base_seed,
    backend,
    match: s.match,
    eval: s.eval,
  };
}

/**
 * The suite's cells. Spec hashes include what the plugins resolve to (each
 * technique's hyperparameters with the config's overrides, each probe's
 * settings, each behaviour's manifest), so a changed default recomputes
 * the cells it touches instead of reusing a stale record.
 */
export function buildPlan(rt: Runtime, suite: ResolvedSuite, backend: string): BenchPlan {
  const settings = rt.settings;
  const shared = sharedIdentity(settings, suite, backend, rt.registry.worldContent());
  const hparams = new Map<string, unknown>();
  const trainerIdentity = (t: string) => {
    if (!hparams.has(t)) hparams.set(t, hyperparametersFor(rt.plugin('trainer', t), settings.size, settings.trainers?.[t]));
    return hparams.get(t);
  };
  const probeIdentity = (p: string) => resolveProbeSettings(rt.plugin('probe', p), settings.size, suite.probeSettings[p] ?? {});
  const behaviourIdentity = (b: string) => rt.plugin('behaviour', b).manifest();
  const hash = (cell: Record<string, unknown>, extra: Record<string, unknown> = {}) => contentHash({ cell, shared, extra }, MOLT_VERSION);
  const cells: Cell[] = [];
  const baseSeed = suite.spec.base_seed;
  for (const arch of [...new Set(suite.organisms.map((o) => o.arch))]) {
    cells.push({ kind: 'base', id: baseCellId(arch, baseSeed), deps: [], arch, baseSeed, specHash: hash({ kind: 'base', arch }) });
  }
  const firstOfProbeGroup = new Map<string, string>();
  const probeCells: ProbeCell[] = [];
  const isControl = (b: string) => rt.plugin('behaviour', b).pipeline === 'control';
  const organismHash = new Map<string, string>();
  // behaviour organisms first, so a null organism's hash can name theirs
  const ordered = [...suite.organisms.filter((o) => !isControl(o.behaviour)), ...suite.organisms.filter((o) => isControl(o.behaviour))];
  for (const o of ordered) {
    const oid = organismCellId(o);
    const stepsFrom = isControl(o.behaviour)
      ? suite.organisms.filter((b) => !isControl(b.behaviour) && b.arch === o.arch && b.technique === o.technique && b.seed === o.seed).map(organismCellId)
      : [];
    const organismIdentity = { trainer: trainerIdentity(o.technique), behaviour: behaviourIdentity(o.behaviour), ...(stepsFrom.length ? { steps_from: stepsFrom.map((id) => organismHash.get(id)) } : {}) };
    const specHash = hash({ kind: 'organism', ...o, probes: undefined }, organismIdentity);
    organismHash.set(oid, specHash);
    cells.push({
      kind: 'organism',
      id: oid,
      deps: [baseCellId(o.arch, baseSeed)],
      ...(stepsFrom.length ? { after: stepsFrom, stepsFrom } : {}),
      arch: o.arch,
      behaviour: o.behaviour,
      technique: o.technique,
      seed: o.seed,
      specHash,
    });
    for (const probe of o.probes) {
      for (const diffingBase of suite.diffingBases) {
        const id = probeCellId(o, probe, diffingBase);
        // A probe may cache an artifact per architecture and diffing base (the
        // activation oracle): the group's first cell builds it, the others
        // wait for it (ok or not) instead of building it twice in parallel.
        const group = `${probe}|${o.arch}|${diffingBase}`;
        const first = firstOfProbeGroup.get(group);
        if (!first) firstOfProbeGroup.set(group, id);
        probeCells.push({
          kind: 'probe',
          id,
          deps: [oid],
          after: first ? [first] : [],
          arch: o.arch,
          behaviour: o.behaviour,
          technique: o.technique,
          seed: o.seed,
          probe,
          diffingBase,
          organismCell: oid,
          specHash: hash({ kind: 'probe', arch: o.arch, behaviour: o.behaviour, technique: o.technique, seed: o.seed, probe, diffingBase }, { ...organismIdentity, probe_settings: probeIdentity(probe) }),
        });
      }
    }
  }
  cells.push(...probeCells);
  return {
    suite,
    cells,
    byId: new Map(cells.map((c) => [c.id, c])),
    configHash: contentHash({ shared, suite: suite.spec, trainers: settings.trainers ?? null }, MOLT_VERSION).slice(0, 16),
  };
}
