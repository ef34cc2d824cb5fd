// molt probe: run one probe on one organism against its diffing base and
// print findings, scores and timings (--json: the whole ProbeResult).
// --organism is a stored organism (key, alias or prefix) or a spec
// behaviour:technique:arch[:seed], built on demand exactly as `molt organism`
// builds it (same defaults, so the same store key). Both run as cells of
// molt bench's cell runner: the organism cell of its one-organism plan, then
// the probe cell on the stored checkpoint. With --base, the organism and the
// base are any pair of Hugging Face directories (or store ids) and
// --behaviour names the behaviour: a built-in id or a behaviour file
// (core/bench/pair-probe.ts).
import { Command, Option } from 'commander';
import { MoltError } from '../errors';
import { parseIntFlag } from '../settings';
import { DIFFING_BASES, type DiffingBaseKind, type ProbeResult } from '../probes/types';
import { resolveProbeSettings } from '../probes/settings';
import { runSpec } from '../bench/suite';
import { checkpointProbeCell, organismPlan, type OrganismCell } from '../bench/plan';
import { organismKeyOf, runProbeCell } from '../bench/run-cell';
import { runPairProbe, type PairProbeOutcome, type PairRate } from '../bench/pair-probe';
import type { ProgressSink } from '../organisms/cell';
import { ProgressView } from './progress';
import { runtimeFor, type CliEnv } from './context';

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

/** a store key shortened for the eye; a directory path is kept whole (a prefix of it names nothing) */
const shownModel = (id: string) => (/^[0-9a-f]{17,}$/.test(id) ? id.slice(0, 16) : id);

export function printProbeResult(r: ProbeResult, out: (s: string) => void = (s) => process.stdout.write(s)): void {
  const h = r.headline;
  const lines = [
    `probe ${r.probe} on ${shownModel(r.organism)} (${r.family}) vs ${r.diffingBaseKind} ${shownModel(r.diffingBase)}`,
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

/** The behaviour's rates on a given pair, as printed before the probe's result. */
export function printPairRates(rates: PairProbeOutcome['rates'], out: (s: string) => void = (s) => process.stdout.write(s)): void {
  const r = (x: PairRate) => `${fmt(x.rate)} +- ${fmt(x.se)} [${fmt(x.low)}, ${fmt(x.high)}] n ${x.n}`;
  out(['behaviour on the test prompts (SE clustered by prompt):', `  QER      organism ${r(rates.qer.organism)}   base ${r(rates.qer.base)}`, `  leakage  organism ${r(rates.leakage.organism)}   base ${r(rates.leakage.base)}`, ''].join('\n') + '\n');
}

/** NaN and Infinity are not JSON: write them as null. */
export function probeResultJson(r: ProbeResult | (ProbeResult & Pick<PairProbeOutcome, 'rates'>)): string {
  return JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
}

export function probeCommand(env: CliEnv): Command {
  return new Command('probe')
    .description('run one probe on one organism against its diffing base; print findings, scores and timings')
    .requiredOption('--probe <id>', 'probe plugin id (molt ls probes)')
    .requiredOption('--organism <id|spec>', 'organism checkpoint (key, alias, prefix) or behaviour:technique:arch[:seed] (trained if missing, as molt organism trains it; not evaluated); with --base, any Hugging Face directory')
    .option('--base <dir|id>', 'the base to compare with, as a Hugging Face directory or store id (then the pair is given: same architecture and tokenizer; needs --behaviour)')
    .option('--behaviour <id|file>', 'with --base: a built-in behaviour id (molt-world models) or a behaviour file, .json or .jsonl (docs/DATA.md)')
    .addOption(new Option('--diffing-base <kind>', 'checkpoint the organism is compared with').choices([...DIFFING_BASES]).default('ancestor'))
    .option('--set <key=value>', "override a probe setting (repeatable), e.g. --set prompts=32", (v: string, prev: string[] = []) => [...prev, v])
    .option('--json', 'print the whole result as JSON on stdout')
    .action(async (opts: { probe: string; organism: string; base?: string; behaviour?: string; diffingBase: DiffingBaseKind; set?: string[]; json?: boolean }, cmd: Command) => {
      if (opts.base === undefined && opts.behaviour !== undefined) throw new MoltError('--behaviour goes with --base (a stored organism knows its behaviour)', 'behaviour');
      if (opts.base !== undefined && opts.behaviour === undefined) throw new MoltError('--base needs --behaviour: a built-in behaviour id or a behaviour file (docs/DATA.md)', 'behaviour');
      if (opts.base !== undefined && parseOrganismSpec(opts.organism)) throw new MoltError(`--organism '${opts.organism}': with --base the organism is a Hugging Face directory or store id, not a spec`, 'organism');
      if (opts.base !== undefined && cmd.getOptionValueSource('diffingBase') === 'cli') throw new MoltError('--diffing-base is for stored organisms; with --base the base given is the one compared with', 'diffing-base');
      const rt = await runtimeFor(cmd, env);
      const probe = rt.plugin('probe', opts.probe);
      const run = runSpec({ probe_settings: { [probe.id]: parseSets(opts.set ?? []) } });
      // a bad setting fails before any organism is built
      resolveProbeSettings(probe, rt.settings.size, run.probe_settings[probe.id]);
      const engine = await rt.ready();
      if (opts.base !== undefined) {
        const view = new ProgressView();
        let outcome: PairProbeOutcome;
        try {
          outcome = await runPairProbe(rt, run, { probe: probe.id, organism: opts.organism, base: opts.base, behaviour: opts.behaviour! }, view);
        } finally {
          view.stop();
        }
        if (opts.json) process.stdout.write(probeResultJson({ ...outcome.result, rates: outcome.rates }) + '\n');
        else {
          printPairRates(outcome.rates);
          printProbeResult(outcome.result);
        }
        return;
      }
      let id = opts.organism;
      const spec = parseOrganismSpec(id);
      if (spec) {
        const plan = organismPlan(rt, spec, run, engine.info.id);
        const view = new ProgressView();
        try {
          id = await organismKeyOf(rt, run, plan.cells.find((c): c is OrganismCell => c.kind === 'organism')!, { sink: view });
        } finally {
          view.stop();
        }
      }
      const cell = await checkpointProbeCell(rt, run, engine.info.id, id, probe.id, opts.diffingBase);
      rt.logger.info(`probe ${probe.id}: organism ${cell.checkpoint!.slice(0, 12)} (${cell.behaviour}) vs ${opts.diffingBase}`);
      // the probe's stages are debug lines here (molt bench shows them per cell)
      const sink: ProgressSink = { note: (line) => rt.logger.debug(line), update: () => undefined, stop: () => undefined };
      const { result } = await runProbeCell(rt, run, cell, { sink });
      if (opts.json) process.stdout.write(probeResultJson(result) + '\n');
      else printProbeResult(result);
    });
}
