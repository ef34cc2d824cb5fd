// defineProbe: a probe is its settings and its method. The probe declares
// its settings as a zod object (each key with its default-size value) with
// per-size replacements, and a measure(ctx) that returns what it observed;
// the harness here does the rest, the same way for every probe: the
// vocabulary and shape check, stage timings, the family graders, intervals,
// noise floors, detection and the headline (grade.ts), and the result's
// identifying fields.
import type { z } from 'zod';
import { MoltError } from '../errors';
import type { Logger } from '../log';
import type { DataSource } from '../data/types';
import type { ArtifactStore } from '../store/artifact-store';
import type { Probe } from '../plugins/types';
import { familyGraders } from './floor';
import type { Grader } from './grader';
import { gradeObservations, type ObservationRow } from './grade';
import { checkSameVocabulary, resultHeader, stopwatch } from './run-helpers';
import type { DiffingBaseKind, Finding, ModelHandle, OrganismHandle, ProbeProgress, ProbeSettings, ProbeSettingValue } from './types';

/** What measure() gets: the pair, its typed settings, the world, and the graders it measures under. */
export interface MeasureContext<S> {
  organism: OrganismHandle;
  base: ModelHandle;
  settings: S;
  /** the run's root seed; use stream() for the probe's own random streams */
  seed: number | string;
  /** the world (or JSONL data): generic chat prompts come from data('chat', 'val') */
  world: DataSource;
  logger: Logger;
  /** for caching expensive artifacts (SAEs, oracles) under content keys; null: no caching */
  store: ArtifactStore | null;
  size: string;
  diffingBaseKind: DiffingBaseKind;
  /** every behaviour family's Grader by family (the organism's own family with its own S): measure each score under all of them */
  graders: ReadonlyMap<string, Grader>;
  /** the families the organism is graded as: its own, or every family for a null organism */
  targets: readonly Grader[];
  /** the seed of one of the probe's random streams: `<seed>/<probe id>[/<name>...]` */
  stream(...names: (string | number)[]): string;
  /** end a timed stage: the seconds since the previous one are reported under `stage` */
  lap(stage: string): void;
  progress(p: ProbeProgress): void;
}

export interface Observations {
  findings: Finding[];
  /** plain metric rows, scores (score()) and per-target blocks (perTarget()), in the order to report them */
  rows: ObservationRow[];
  notes?: string[];
}

export interface ProbeSpec<S extends z.ZodObject> {
  id: string;
  description: string;
  /** every setting with its default-size value (`.default(...)`); values are numbers, strings, booleans or arrays of numbers or strings */
  settings: S;
  /** per other model size: values replacing the defaults ('micro': small counts for tests) */
  sizes?: Record<string, Partial<z.input<S>>>;
  measure(ctx: MeasureContext<z.output<S>>): Observations | Promise<Observations>;
}

function isSettingValue(v: unknown): v is ProbeSettingValue {
  if (Array.isArray(v)) return v.every((x) => typeof x === 'number') || v.every((x) => typeof x === 'string');
  return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';
}

/** A schema check of settings, its first problem as one line naming the probe and the key. */
function parser<S extends z.ZodObject>(id: string, schema: S) {
  const keys = Object.keys(schema.shape);
  return (raw: Record<string, unknown>, where = ''): ProbeSettings => {
    const unknown = Object.keys(raw).filter((k) => !keys.includes(k));
    if (unknown.length) throw new MoltError(`probe '${id}'${where}: unknown setting '${unknown[0]}'; valid: ${[...keys].sort().join(', ')}`, unknown[0]);
    const r = schema.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0];
      // a list's bad element is reported under the setting's own name
      const key = issue.path.length ? String(issue.path[0]) : '(root)';
      const element = issue.path.length > 1 ? ` (element ${issue.path.slice(1).map(String).join('.')})` : '';
      throw new MoltError(`probe '${id}'${where}: setting '${key}' ${raw[key] === undefined ? 'has no value' : `is not valid (${JSON.stringify(raw[key])})`}${element}: ${issue.message}`, key);
    }
    const out = r.data as Record<string, unknown>;
    for (const [k, v] of Object.entries(out)) {
      if (!isSettingValue(v)) throw new MoltError(`probe '${id}'${where}: setting '${k}' must be a number, string, boolean or an array of numbers or strings, got ${JSON.stringify(v)}`, k);
    }
    return out as ProbeSettings;
  };
}

/** A Probe (the contract the harness runs) from a declaration of settings and a measure(). */
export function defineProbe<S extends z.ZodObject>(spec: ProbeSpec<S>): Probe {
  const { id } = spec;
  const parse = parser(id, spec.settings);
  // every size's defaults are checked now, so a bad declaration fails at registration, not in a run
  const bySize = new Map<string, ProbeSettings>([['default', parse({}, ' (defaults)')]]);
  for (const [size, values] of Object.entries(spec.sizes ?? {})) bySize.set(size, parse(values as Record<string, unknown>, ` (size '${size}')`));
  const defaults = (size: string): ProbeSettings => ({ ...(bySize.get(size) ?? bySize.get('default')!) });

  return {
    id,
    description: spec.description,
    defaults,
    validate: (settings) => parse(settings),
    async run(organism, base, ctx) {
      const clock = stopwatch();
      checkSameVocabulary(organism, base, id);
      const resolved = { ...defaults(ctx.size), ...ctx.settings };
      const settings = parse(resolved) as z.output<S>;
      const fg = familyGraders(ctx.families, organism.manifest);
      const observed = await spec.measure({
        organism,
        base,
        settings,
        seed: ctx.seed,
        world: ctx.world,
        logger: ctx.logger,
        store: ctx.store,
        size: ctx.size,
        diffingBaseKind: ctx.diffingBaseKind,
        graders: fg.all,
        targets: fg.targets,
        stream: (...names) => [ctx.seed, id, ...names].join('/'),
        lap: (stage) => void clock.lap(stage),
        progress: (p) => ctx.onProgress?.(p),
      });
      clock.lap('measure');
      const graded = gradeObservations(id, observed.rows, fg, ctx.seed);
      clock.lap('grade');
      const h = graded.headline;
      const at = h.layer === undefined ? '' : ` at layer ${h.layer}`;
      return {
        ...resultHeader(id, organism, base, ctx, resolved),
        findings: observed.findings,
        metrics: graded.metrics,
        headline: h,
        familyHeadlines: graded.familyHeadlines,
        timings: clock.done(),
        notes: [...(observed.notes ?? []), `headline ${h.metric}${at}: ${h.score.toPrecision(3)} ${h.detected ? 'clears' : 'does not clear'} its floor ${h.floor.toPrecision(3)}`],
      };
    },
  };
}
