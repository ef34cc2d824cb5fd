// molt probe: run one probe on one organism against its diffing base and
// print findings, scores and timings (--json: the whole ProbeResult).
// --organism is a stored organism (key, alias or prefix) or a spec
// behaviour:technique:arch[:seed], built on demand exactly as `molt organism`
// builds it (same defaults, so the same store key).
import { Command, Option } from 'commander';
import { MoltError } from '../errors';
import { parseIntFlag } from '../settings';
import type { Runtime } from '../container';
import type { BehaviourManifest } from '../plugins/types';
import { DIFFING_BASES, type DiffingBaseKind, type ProbeResult, type ProbeSettingValue } from '../probes/types';
import { resolveProbeSettings } from '../probes/settings';
import { openOrganismPair } from '../probes/resolve';
import { organismCell } from '../organisms/cell';
import { DEFAULT_QER_EVAL } from '../organisms/select';
import { ProgressView } from './progress';
import { runtimeFor, type CliEnv } from './context';

/** One manifest per behaviour family (the first registered behaviour of each family; never null). */
export function familyManifests(rt: Runtime): BehaviourManifest[] {
  const out = new Map<string, BehaviourManifest>();
  for (const id of rt.registry.ids('behaviour')) {
    const m = rt.plugin('behaviour', id).manifest();
    if (m.family !== 'null' && !out.has(m.family)) out.set(m.family, m);
  }
  return [...out.values()];
}

/** 'behaviour:technique:arch[:seed]' or null when `id` is not a spec. */
export function parseOrganismSpec(id: string): { behaviour: string; technique: string; arch: string; seed: number } | null {
  const parts = id.split(':');
  if (parts.length < 3) return null;
  if (parts.length > 4) throw new MoltError(`--organism '${id}': a spec is behaviour:technique:arch[:seed]`, 'organism');
  return { behaviour: parts[0], technique: parts[1], arch: parts[2], seed: parts[3] === undefined ? 0 : parseIntFlag('organism seed', parts[3]) };
}

function parseSets(sets: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sets) {
    const i = s.indexOf('=');
    if (i <= 0) throw new MoltError(`--set '${s}': expected key=value`, 'set');
    out[s.slice(0, i)] = s.slice(i + 1);
  }
  return out;
}

const fmt = (x: number) => (Number.isNaN(x) ? '-' : Number.isInteger(x) ? String(x) : Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(3));

export function printProbeResult(r: ProbeResult, out: (s: string) => void = (s) => process.stdout.write(s)): void {
  const h = r.headline;
  const lines = [
    `probe ${r.probe} on ${r.organism.slice(0, 16)} (${r.family}) vs ${r.diffingBaseKind} ${r.diffingBase.slice(0, 16)}`,
    `headline ${h.metric}${h.layer === undefined ? '' : ` @ layer ${h.layer}`}: ${fmt(h.score)} [${fmt(h.ci_low)}, ${fmt(h.ci_high)}]  floor ${fmt(h.floor)}  ${h.detected ? 'DETECTED' : 'not detected'}`,
    '',
    'findings:',
  ];
  for (const f of r.findings) {
    if (f.kind === 'tokens') lines.push(`  ${f.label}: ${f.tokens.slice(0, 15).map((t) => `${t.token}(${fmt(t.score)})`).join(' ')}`);
    else if (f.kind === 'hypothesis') lines.push(`  hypothesis ${f.label}: ${f.text}`);
    else lines.push(`  answers ${f.label}:`, ...f.answers.slice(0, 4).map((a) => `    ${a.question} -> ${a.answer}`));
  }
  lines.push('', 'metrics:', `  ${'metric'.padEnd(24)}${'variant'.padEnd(26)}${'layer'.padStart(5)}${'value'.padStart(10)}${'n'.padStart(6)}  95% CI`);
  for (const m of r.metrics) {
    lines.push(`  ${m.metric.padEnd(24)}${(m.variant ?? '').padEnd(26)}${(m.layer === undefined ? '' : String(m.layer)).padStart(5)}${fmt(m.value).padStart(10)}${String(m.n).padStart(6)}  [${fmt(m.ci_low)}, ${fmt(m.ci_high)}]`);
  }
  lines.push('', `timings (s): ${Object.entries(r.timings).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  out(lines.join('\n') + '\n');
}

/** NaN and Infinity are not JSON: write them as null. */
export function probeResultJson(r: ProbeResult): string {
  return JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
}

export function probeCommand(env: CliEnv): Command {
  return new Command('probe')
    .description('run one probe on one organism against its diffing base; print findings, scores and timings')
    .requiredOption('--probe <id>', 'probe plugin id (molt ls probes)')
    .requiredOption('--organism <id|spec>', 'organism checkpoint (key, alias, prefix) or behaviour:technique:arch[:seed] (built if missing, as molt organism)')
    .addOption(new Option('--diffing-base <kind>', 'checkpoint the organism is compared with').choices([...DIFFING_BASES]).default('ancestor'))
    .option('--set <key=value>', "override a probe setting (repeatable), e.g. --set prompts=32", (v: string, prev: string[] = []) => [...prev, v])
    .option('--json', 'print the whole result as JSON on stdout')
    .action(async (opts: { probe: string; organism: string; diffingBase: DiffingBaseKind; set?: string[]; json?: boolean }, cmd: Command) => {
      const rt = await runtimeFor(cmd, env);
      const probe = rt.plugin('probe', opts.probe);
      const settings = resolveProbeSettings(probe, rt.settings.size, parseSets(opts.set ?? []) as Record<string, ProbeSettingValue | string>);
      await rt.ready();
      const store = rt.services.store;
      let id = opts.organism;
      const spec = parseOrganismSpec(id);
      if (spec) {
        const view = new ProgressView();
        const cell = await organismCell(rt, spec, view, {
          match: true,
          baseSeed: 0,
          eval: { samplesPerPrompt: DEFAULT_QER_EVAL.samples, maxNewTokens: DEFAULT_QER_EVAL.maxNewTokens, batchSize: 32, seed: rt.settings.seed },
          leakagePrompts: DEFAULT_QER_EVAL.leakagePrompts,
        });
        view.stop();
        id = cell.key;
      }
      const pair = await openOrganismPair(store, rt.plugins('architecture'), id, opts.diffingBase, (b) => rt.plugin('behaviour', b));
      try {
        rt.logger.info(`probe ${probe.id}: organism ${pair.organism.id.slice(0, 12)} (${pair.organism.behaviour.id}) vs ${opts.diffingBase} ${pair.base.id.slice(0, 12)}`);
        const result = await probe.run(pair.organism, pair.base, {
          settings,
          seed: rt.settings.seed,
          world: rt.dataSource(),
          logger: rt.logger,
          store,
          families: familyManifests(rt),
          diffingBaseKind: opts.diffingBase,
          size: rt.settings.size,
          onProgress: (p) => rt.logger.debug(`${probe.id}: ${p.stage}${p.total ? ` ${p.done}/${p.total}` : ''}`),
        });
        if (opts.json) process.stdout.write(probeResultJson(result) + '\n');
        else printProbeResult(result);
      } finally {
        pair.dispose();
      }
    });
}
