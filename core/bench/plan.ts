// A suite expanded into cells with their dependencies: base models ->
// organisms -> probes. Each cell carries a spec hash of everything its result
// depends on, so a finished cell is reused only while that stays the same.
import { join } from 'node:path';
import { isMoltError, MoltError } from '../errors';
import { CHECKPOINT_KIND } from '../checkpoint/checkpoint-store';
import { MOLT_METADATA_FILE, type MoltMetadata } from '../checkpoint/hf-dir';
import { readJsonFile } from '../store/atomic';
import { contentHash } from '../store/content-hash';
import { MOLT_VERSION } from '../version';
import type { Settings } from '../settings';
import type { Runtime } from '../container';
import { hyperparametersFor } from '../organisms/hparams';
import { resolveProbeSettings } from '../probes/settings';
import type { DiffingBaseKind, ProbeSettings } from '../probes/types';
import { planHashSpec, probeSetup, type ResolvedSuite, type RunSpec, type SuiteOrganism, type SuiteSpec } from './suite';
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
  /** train this many steps instead of the technique's bound (an entry of a `molt organisms` list) */
  steps?: number;
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
  /** the organism cell it probes: its record names the checkpoint */
  organismCell: string;
  /** the organism's checkpoint itself, when no record gives it (`molt probe`: built just now, or given by key or alias) */
  checkpoint?: string;
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
 * verbosity or plugin paths), and the world content added plugins contribute
 * (absent without any, so runs of molt's own plugins keep their hashes; molt's
 * own content is versioned with its code).
 */
export function sharedIdentity(settings: Settings, run: RunSpec, backend: string, worldContent: readonly WorldContribution[] = []): Record<string, unknown> {
  const s = run;
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
 * Spec hashes of a run's cells under this runtime (its settings, plugins and
 * backend). The plan computes them, and a worker computes them again for the
 * cell it is given: a difference means it runs other code than the harness.
 */
export class CellHasher {
  private readonly shared: Record<string, unknown>;
  private readonly trainers = new Map<string, unknown>();

  constructor(private readonly rt: Runtime, private readonly run: RunSpec, backend: string) {
    this.shared = sharedIdentity(rt.settings, run, backend, rt.registry.worldContent('added'));
  }

  private hash(cell: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
    return contentHash({ cell, shared: this.shared, extra }, MOLT_VERSION);
  }

  /** each technique's hyperparameters with the config's overrides, each behaviour's manifest, and the null organism's behaviour organisms */
  private organismIdentity(o: OrganismRef, stepsFrom: readonly string[]): Record<string, unknown> {
    const { settings } = this.rt;
    if (!this.trainers.has(o.technique)) this.trainers.set(o.technique, hyperparametersFor(this.rt.plugin('trainer', o.technique), settings.size, settings.trainers?.[o.technique]));
    return { trainer: this.trainers.get(o.technique), behaviour: this.rt.plugin('behaviour', o.behaviour).manifest(), ...(stepsFrom.length ? { steps_from: stepsFrom } : {}) };
  }

  base(arch: string): string {
    return this.hash({ kind: 'base', arch });
  }

  /** `stepsFrom`: the spec hashes of the cells a null organism takes its steps from */
  organism(o: OrganismRef, stepsFrom: readonly string[]): string {
    const { behaviour, technique, arch, seed, steps } = o;
    return this.hash({ kind: 'organism', behaviour, technique, arch, seed, steps }, this.organismIdentity(o, stepsFrom));
  }

  /** `probe`: a probe id or a variant's name (its probe id is then part of the hash too) */
  probe(o: OrganismRef, probe: string, diffingBase: DiffingBaseKind, stepsFrom: readonly string[]): string {
    const { behaviour, technique, arch, seed } = o;
    return this.hash({ kind: 'probe', arch, behaviour, technique, seed, probe, diffingBase }, { ...this.organismIdentity(o, stepsFrom), ...this.probeIdentity(probe) });
  }

  /** A probe of a checkpoint outside any plan (`molt probe`): what it probes, with which settings. */
  checkpointProbe(checkpoint: string, probe: string, diffingBase: DiffingBaseKind): string {
    return this.hash({ kind: 'probe', checkpoint, probe, diffingBase }, this.probeIdentity(probe));
  }

  /** the resolved settings, and for a variant the probe it runs (absent for a probe, so its hashes are as before variants) */
  private probeIdentity(name: string): Record<string, unknown> {
    const setup = probeSetup(this.run, name);
    let settings: ProbeSettings;
    try {
      settings = resolveProbeSettings(this.rt.plugin('probe', setup.probe), this.rt.settings.size, setup.settings);
    } catch (e) {
      // a bad setting of a variant is reported under the variant's name, where the suite gives it
      if (setup.variant && isMoltError(e)) throw new MoltError(`probe variant '${name}': ${e.message}`, e.subject);
      throw e;
    }
    return { probe_settings: settings, ...(setup.variant ? { probe_plugin: setup.probe } : {}) };
  }

  /**
   * The hash `cell` should have; `stepsFrom`: the spec hashes of the cells a
   * null organism (or a probe of one) takes its steps from (stepsFromHashes).
   */
  of(cell: Cell, stepsFrom: readonly string[]): string {
    if (cell.kind === 'base') return this.base(cell.arch);
    if (cell.kind === 'organism') return this.organism(cell, stepsFrom);
    if (cell.checkpoint !== undefined) return this.checkpointProbe(cell.checkpoint, cell.probe, cell.diffingBase);
    return this.probe(cell, cell.probe, cell.diffingBase, stepsFrom);
  }
}

/** The spec hashes of the cells a null organism (or a probe of one) takes its steps from: what a worker needs to check the cell's hash. */
export function stepsFromHashes(plan: BenchPlan, cell: Cell): string[] {
  const organism = cell.kind === 'probe' ? plan.byId.get(cell.organismCell) : cell;
  const from = organism?.kind === 'organism' ? organism.stepsFrom ?? [] : [];
  return from.map((id) => plan.byId.get(id)!.specHash);
}

/** What an organism's identity is made of. */
export type OrganismRef = Pick<OrganismCell, 'behaviour' | 'technique' | 'arch' | 'seed' | 'steps'>;

/**
 * The suite's cells. Spec hashes include what the plugins resolve to (each
 * technique's hyperparameters with the config's overrides, each probe's
 * settings, each behaviour's manifest), so a changed default recomputes
 * the cells it touches instead of reusing a stale record.
 */
export function buildPlan(rt: Runtime, suite: ResolvedSuite, backend: string): BenchPlan {
  const settings = rt.settings;
  const hasher = new CellHasher(rt, suite.spec, backend);
  const cells: Cell[] = [];
  const baseSeed = suite.spec.base_seed;
  for (const arch of [...new Set(suite.organisms.map((o) => o.arch))]) {
    cells.push({ kind: 'base', id: baseCellId(arch, baseSeed), deps: [], arch, baseSeed, specHash: hasher.base(arch) });
  }
  const firstOfProbeGroup = new Map<string, string>();
  const probeCells: ProbeCell[] = [];
  const isControl = (b: string) => rt.plugin('behaviour', b).pipeline === 'control';
  const organismHash = new Map<string, string>();
  // behaviour organisms first, so a null organism's hash can name theirs
  const ordered = [...suite.organisms.filter((o) => !isControl(o.behaviour)), ...suite.organisms.filter((o) => isControl(o.behaviour))];
  for (const o of ordered) {
    const oid = organismCellId(o);
    // a null given its steps does not take them from its behaviour organisms
    const stepsFrom = isControl(o.behaviour) && o.steps === undefined
      ? suite.organisms.filter((b) => !isControl(b.behaviour) && b.arch === o.arch && b.technique === o.technique && b.seed === o.seed).map(organismCellId)
      : [];
    const stepsFromHashes = stepsFrom.map((id) => organismHash.get(id)!);
    const specHash = hasher.organism(o, stepsFromHashes);
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
      ...(o.steps !== undefined ? { steps: o.steps } : {}),
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
          specHash: hasher.probe(o, probe, diffingBase, stepsFromHashes),
        });
      }
    }
  }
  cells.push(...probeCells);
  return {
    suite,
    cells,
    byId: new Map(cells.map((c) => [c.id, c])),
    configHash: contentHash({ shared: sharedIdentity(settings, suite.spec, backend, rt.registry.worldContent('added')), suite: planHashSpec(suite.spec), trainers: settings.trainers ?? null }, MOLT_VERSION).slice(0, 16),
  };
}

/**
 * The plan of one organism, as a suite of that organism alone would have it
 * (its base cell, then its own) under `run`: what `molt organism`, `molt
 * organisms` and `molt probe` with a spec run, cell by cell, through the same
 * cell runner as `molt bench`. A null organism alone trains its technique's
 * full steps.
 */
export function organismPlan(rt: Runtime, organism: OrganismRef, run: RunSpec, backend: string): BenchPlan {
  const o: SuiteOrganism = { ...organism, probes: [] };
  const spec: SuiteSpec = {
    ...run,
    size: rt.settings.size,
    organisms: [{ behaviours: [o.behaviour], techniques: [o.technique], architectures: [o.arch], seeds: [o.seed] }],
    omit: [],
    probes: [],
    diffing_bases: ['ancestor'],
    reproducible: false,
  };
  return buildPlan(rt, { spec, file: '', name: organismCellId(o), organisms: [o], probes: [], diffingBases: ['ancestor'], probeSettings: run.probe_settings, probeVariants: run.probe_variants }, backend);
}

/**
 * The cell of `molt probe`: `probe` on a stored organism (key, alias, prefix
 * or directory), outside any suite; its behaviour, technique, architecture and
 * seed are what its molt.json says.
 */
export async function checkpointProbeCell(rt: Runtime, run: RunSpec, backend: string, id: string, probe: string, diffingBase: DiffingBaseKind): Promise<ProbeCell> {
  const resolved = await rt.services.store.resolve(CHECKPOINT_KIND, id);
  const meta = await readJsonFile<MoltMetadata>(join(resolved.path, MOLT_METADATA_FILE));
  const behaviour = (meta.behaviour as { id?: unknown } | undefined)?.id;
  if (meta.stage !== 'organism' || typeof behaviour !== 'string') {
    throw new MoltError(`checkpoint ${id} is not an organism (molt.json stage '${String(meta.stage)}'); give an organism id or a spec behaviour:technique:arch[:seed]`, id);
  }
  const checkpoint = resolved.key ?? resolved.path;
  const organism = { behaviour, technique: String(meta.technique), arch: String(meta.arch), seed: Number(meta.seed ?? 0) };
  const { technique, arch, seed } = organism;
  return {
    kind: 'probe',
    id: probeCellId(organism, probe, diffingBase),
    deps: [],
    arch,
    behaviour,
    technique,
    seed,
    probe,
    diffingBase,
    organismCell: organismCellId(organism),
    checkpoint,
    specHash: new CellHasher(rt, run, backend).checkpointProbe(checkpoint, probe, diffingBase),
  };
}
