// A benchmark suite (benchmarks/suites/*.yaml): which organisms to build
// (groups crossed into behaviour x technique x architecture x seed), which
// probes to run on them against which diffing bases, at which model size.
// Validated on load; every id is checked against the registry (built-ins and
// --plugin modules alike), so an unknown one names the valid ones.
import { z } from 'zod';
import { issueField, MoltError } from '../errors';
import { parseSuiteText } from '../organisms/suite';
import { DEFAULT_QER_EVAL } from '../organisms/select';
import type { PluginRegistry } from '../plugins/registry';
import type { PluginKind } from '../plugins/types';
import { DIFFING_BASES, type DiffingBaseKind, type ProbeSettingValue } from '../probes/types';

const idList = z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]);
const seedList = z.array(z.number().int().nonnegative()).min(1);

const Group = z
  .object({
    behaviours: idList,
    techniques: idList,
    architectures: idList,
    seeds: seedList.default([0]),
    /** probes for this group's organisms (default: the suite's) */
    probes: idList.optional(),
    /**
     * train this group's organisms this many steps instead of their
     * technique's bound; a null organism given steps trains exactly that
     * long instead of its behaviour organisms' mean (so another suite's
     * nulls can be rebuilt without their behaviour organisms)
     */
    steps: z.number().int().positive().optional(),
  })
  .strict();

const Omit = z.object({ behaviour: z.string().optional(), technique: z.string().optional(), architecture: z.string().optional() }).strict();

const SettingValue = z.union([z.number(), z.string(), z.boolean(), z.array(z.number()), z.array(z.string())]);

/** a variant's name stands in cell ids (`probe:...:<name>@<base>`) and file names */
const PROBE_VARIANT_NAME = /^[a-z0-9][a-z0-9-]*$/;
const ProbeVariant = z.object({ probe: z.string().min(1), settings: z.record(z.string(), SettingValue).default({}) }).strict();

export const SuiteSchema = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    /** model size of every architecture ('micro', 'default'); molt bench --size overrides it */
    size: z.string().min(1).default('default'),
    /** seed of the base models the organisms start from */
    base_seed: z.number().int().nonnegative().default(0),
    organisms: z.array(Group).min(1),
    /** cells the cross product leaves out (the paper omits SDF for natural submarine) */
    omit: z.array(Omit).default([]),
    probes: idList.default('all'),
    diffing_bases: z.array(z.enum(DIFFING_BASES as [DiffingBaseKind, ...DiffingBaseKind[]])).min(1).default(['ancestor']),
    /** false: every organism trains its technique's full steps (no QER matching) */
    match: z.boolean().default(true),
    eval: z
      .object({
        samples: z.number().int().positive().default(DEFAULT_QER_EVAL.samples),
        max_new_tokens: z.number().int().positive().default(DEFAULT_QER_EVAL.maxNewTokens),
        leakage_prompts: z.number().int().positive().default(DEFAULT_QER_EVAL.leakagePrompts),
      })
      .strict()
      .default({ samples: DEFAULT_QER_EVAL.samples, max_new_tokens: DEFAULT_QER_EVAL.maxNewTokens, leakage_prompts: DEFAULT_QER_EVAL.leakagePrompts }),
    /** per probe id: setting overrides (as `molt probe --set`) */
    probe_settings: z.record(z.string(), z.record(z.string(), SettingValue)).default({}),
    /**
     * named probe configurations, listed in `probes` like a probe: `name: {
     * probe, settings }` runs probe `probe` with `settings` over its
     * probe_settings, and its rows carry `name` in results.csv's probe column
     * (so the same organisms are probed, calibrated and summarised at
     * several settings in one run)
     */
    probe_variants: z.record(z.string(), ProbeVariant).default({}),
    /** leave the wall-clock columns (cost_s, created_at) of results.csv empty, so equal runs give equal bytes */
    reproducible: z.boolean().default(false),
    /**
     * the technique paired.csv pairs every other technique with (same
     * behaviour, architecture and seed); none: no paired analysis. It only
     * shapes the analysis, so it is not part of the run's identity (planHashSpec).
     */
    paired_reference: z.string().min(1).optional(),
  })
  .strict();
export type SuiteSpec = z.infer<typeof SuiteSchema>;

/**
 * The part of a suite spec a run's config hash covers: all of it but the
 * settings that only shape the analysis of the results (paired_reference),
 * so naming or changing them neither renames a run nor stops it resuming.
 */
export function planHashSpec(spec: SuiteSpec): Omit<SuiteSpec, 'paired_reference' | 'probe_variants'> & Partial<Pick<SuiteSpec, 'probe_variants'>> {
  const { paired_reference: _analysisOnly, probe_variants, ...identity } = spec;
  // a suite without variants hashes as suites did before they existed
  return Object.keys(probe_variants).length > 0 ? { ...identity, probe_variants } : identity;
}

/**
 * What every cell of a run shares besides the runtime's settings: the base
 * models' seed, whether organisms are QER-matched, how they are evaluated,
 * and the probes' settings. A suite gives them; so do the flags of
 * `molt organism` and `molt probe`, whose single cells run the same way.
 */
const RunSchema = SuiteSchema.pick({ base_seed: true, match: true, eval: true, probe_settings: true, probe_variants: true });
export type RunSpec = z.infer<typeof RunSchema>;

/**
 * What a name in a suite's probe list runs: a variant's probe and its
 * settings over that probe's probe_settings, or the probe of that id with
 * its probe_settings.
 */
export function probeSetup(run: Pick<RunSpec, 'probe_settings' | 'probe_variants'>, name: string): { probe: string; settings: Record<string, ProbeSettingValue>; variant: boolean } {
  const v = run.probe_variants[name];
  if (v) return { probe: v.probe, settings: { ...(run.probe_settings[v.probe] ?? {}), ...v.settings }, variant: true };
  return { probe: name, settings: run.probe_settings[name] ?? {}, variant: false };
}

/** A RunSpec: `given` over the suite defaults (the same as a suite file that says nothing). */
export function runSpec(given: Partial<RunSpec> = {}): RunSpec {
  const r = RunSchema.safeParse(given);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new MoltError(`run settings: field '${issueField(issue)}': ${issue.message}`, issueField(issue));
  }
  return r.data;
}

/** One organism of the suite with the probes to run on it. */
export interface SuiteOrganism {
  behaviour: string;
  technique: string;
  arch: string;
  seed: number;
  probes: string[];
  /** train this many steps instead of the technique's bound (a group's `steps`, or an entry of a `molt organisms` list) */
  steps?: number;
}

export interface ResolvedSuite {
  spec: SuiteSpec;
  /** the file it came from ('' for an in-memory suite) */
  file: string;
  name: string;
  organisms: SuiteOrganism[];
  /** every probe (or probe variant) any organism runs, in suite order */
  probes: string[];
  diffingBases: DiffingBaseKind[];
  probeSettings: Record<string, Record<string, ProbeSettingValue>>;
  probeVariants: SuiteSpec['probe_variants'];
}

/** Parse and schema-check a suite file (ids are checked later, against a registry). */
export function parseSuiteFile(file: string): SuiteSpec {
  return parseSuite(parseSuiteText(file), file);
}

export function parseSuite(raw: unknown, file: string): SuiteSpec {
  const r = SuiteSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issueField(issue);
    throw new MoltError(`suite ${file}: field '${field}': ${issue.message}`, `${file}:${field}`);
  }
  return r.data;
}

/** Is this parsed YAML/JSON a benchmark suite (an object with `organisms`) rather than an organisms list? */
export function isBenchSuite(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) && 'organisms' in raw;
}

/** `list`'s ids, each a registered plugin of `kind` or one of `variants` (the suite's probe variants); 'all': every registered one */
function expandIds(registry: PluginRegistry, kind: PluginKind, list: 'all' | string[], where: string, variants: readonly string[] = []): string[] {
  if (list === 'all') return registry.ids(kind);
  for (const id of list) {
    if (!registry.has(kind, id) && !variants.includes(id)) {
      const valid = [...registry.ids(kind), ...variants.map((v) => `${v} (variant)`)];
      throw new MoltError(`${where}: unknown ${kind} '${id}'; valid: ${valid.join(', ')}`, id);
    }
  }
  return [...new Set(list)];
}

/** Expand the groups into organisms (deduplicated, in file order), checking every id against the registry. */
export function resolveSuite(spec: SuiteSpec, registry: PluginRegistry, file = ''): ResolvedSuite {
  const where = `suite ${file || spec.name || '(inline)'}`;
  for (const [name, v] of Object.entries(spec.probe_variants)) {
    if (!PROBE_VARIANT_NAME.test(name)) throw new MoltError(`${where} probe_variants: '${name}': a variant's name is lower-case letters, digits and dashes`, name);
    if (registry.has('probe', name)) throw new MoltError(`${where} probe_variants: '${name}' is a probe's id; give the variant another name`, name);
    expandIds(registry, 'probe', [v.probe], `${where} probe_variants.${name}.probe`);
  }
  const variants = Object.keys(spec.probe_variants);
  const suiteProbes = expandIds(registry, 'probe', spec.probes, `${where} probes`, variants);
  for (const [i, o] of spec.omit.entries()) {
    if (o.behaviour) expandIds(registry, 'behaviour', [o.behaviour], `${where} omit[${i}]`);
    if (o.technique) expandIds(registry, 'trainer', [o.technique], `${where} omit[${i}]`);
    if (o.architecture) expandIds(registry, 'architecture', [o.architecture], `${where} omit[${i}]`);
  }
  for (const id of Object.keys(spec.probe_settings)) expandIds(registry, 'probe', [id], `${where} probe_settings`);
  if (spec.paired_reference !== undefined) expandIds(registry, 'trainer', [spec.paired_reference], `${where} paired_reference`);
  const omitted = (b: string, t: string, a: string) =>
    spec.omit.some((o) => (o.behaviour ?? b) === b && (o.technique ?? t) === t && (o.architecture ?? a) === a);

  const seen = new Map<string, SuiteOrganism>();
  for (const [gi, g] of spec.organisms.entries()) {
    const at = `${where} organisms[${gi}]`;
    const behaviours = expandIds(registry, 'behaviour', g.behaviours, at);
    const techniques = expandIds(registry, 'trainer', g.techniques, at);
    const archs = expandIds(registry, 'architecture', g.architectures, at);
    const probes = g.probes === undefined ? suiteProbes : expandIds(registry, 'probe', g.probes, `${at} probes`, variants);
    for (const arch of archs) {
      for (const behaviour of behaviours) {
        for (const technique of techniques) {
          for (const seed of g.seeds) {
            if (omitted(behaviour, technique, arch)) continue;
            const key = [arch, behaviour, technique, seed].join('|');
            const prev = seen.get(key);
            if (prev && prev.steps !== g.steps) {
              throw new MoltError(`${at}: ${arch} ${behaviour} ${technique} seed ${seed} is listed by another group with other steps (${prev.steps ?? 'none'} vs ${g.steps ?? 'none'})`, file || 'suite');
            }
            // an organism listed by two groups runs the union of their probes
            if (prev) prev.probes = [...new Set([...prev.probes, ...probes])];
            else seen.set(key, { behaviour, technique, arch, seed, probes: [...probes], ...(g.steps !== undefined ? { steps: g.steps } : {}) });
          }
        }
      }
    }
  }
  const organisms = [...seen.values()];
  if (organisms.length === 0) throw new MoltError(`${where}: no organisms left after 'omit'`, file || 'suite');
  const probes = [...new Set(organisms.flatMap((o) => o.probes))];
  return {
    spec,
    file,
    name: spec.name ?? (file.replace(/^.*[/\\]/, '').replace(/\.[^.]+$/, '') || 'suite'),
    organisms,
    probes,
    diffingBases: [...new Set(spec.diffing_bases)],
    probeSettings: spec.probe_settings,
    probeVariants: spec.probe_variants,
  };
}
