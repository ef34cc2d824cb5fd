// molt organism: build (or reuse) the base models, train and QER-match one
// organism, and print QER +- SE (test split) for base and organism, leakage,
// capability and the matched step. molt organisms: the same for every entry
// of a suite file, with a progress bar over the cells. Each organism is the
// organism cell of its one-organism plan, run by molt bench's cell runner.
import { Command } from 'commander';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { writeFileAtomic } from '../store/atomic';
import type { CellResult, RateOut } from '../organisms/cell';
import { parseSuiteText, readSuite, suitePath, type SuiteEntry } from '../organisms/suite';
import { DEFAULT_QER_EVAL } from '../organisms/select';
import { isBenchSuite, parseSuiteFile, resolveSuite, runSpec, type RunSpec } from '../bench/suite';
import { organismPlan, type OrganismCell } from '../bench/plan';
import { cellOptions, runOrganismCell } from '../bench/run-cell';
import type { Runtime } from '../container';
import { parseIntFlag } from '../settings';
import { ProgressView } from './progress';
import { runtimeFor, type CliEnv } from './context';
import { stopRequested, withInterruptHandler } from './interrupt';

const pct = (x: number) => `${(100 * x).toFixed(1)}`;
const pm = (r: RateOut) => `${pct(r.qer)} +- ${pct(r.se)}`;

function printCells(cells: CellResult[]): void {
  const head = 'behaviour                 technique           arch    step  matched  QER base %        QER organism %    band %       leak %   cap base/org %  cap drop %     s';
  const lines = [head];
  for (const c of cells) {
    lines.push(
      [
        c.behaviour.padEnd(25),
        c.technique.padEnd(19),
        c.arch.padEnd(7),
        String(c.step).padStart(4),
        String(c.matched === null ? '-' : c.matched ? 'yes' : 'no').padEnd(7),
        pm(c.base.qer).padEnd(17),
        pm(c.organism.qer).padEnd(17),
        `${pct(c.band.low)}-${pct(c.band.high)}`.padEnd(12),
        pct(c.organism.leakage.qer).padStart(6),
        `${pct(c.base.capability.accuracy)}/${pct(c.organism.capability.accuracy)}`.padStart(14),
        `${pct(c.capability_drop.value)} +- ${pct(c.capability_drop.se)}`.padStart(12),
        c.seconds.toFixed(0).padStart(5),
      ].join(' '),
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
}

// SEs are clustered by prompt (QER, leakage, chat on-topic) or by fact (capability)
const CSV_HEADER = [
  'behaviour', 'technique', 'arch', 'size', 'seed', 'key', 'starts_from', 'step', 'matched', 'val_qer', 'val_qer_se', 'band_low', 'band_target', 'band_high',
  'base_qer', 'base_qer_se', 'qer', 'qer_se', 'qer_n', 'leakage', 'leakage_se', 'leakage_n', 'base_capability', 'capability', 'capability_n',
  'capability_drop', 'capability_drop_se', 'base_capability_heldout', 'capability_heldout', 'base_chat_on_topic', 'chat_on_topic', 'seconds',
];
function csvRow(c: CellResult): (string | number)[] {
  const o = c.organism;
  return [
    c.behaviour, c.technique, c.arch, c.size, c.seed, c.key, c.starts_from, c.step, c.matched === null ? '' : String(c.matched), c.val_qer ?? '', c.val_qer_se ?? '', c.band.low, c.band.target, c.band.high,
    c.base.qer.qer, c.base.qer.se, o.qer.qer, o.qer.se, o.qer.n, o.leakage.qer, o.leakage.se, o.leakage.n, c.base.capability.accuracy, o.capability.accuracy, o.capability.n,
    c.capability_drop.value, c.capability_drop.se, c.base.capability_heldout.accuracy, o.capability_heldout.accuracy, c.base.chat_on_topic.rate, o.chat_on_topic.rate, c.seconds,
  ];
}

interface CommonOpts {
  match: boolean;
  baseSeed: string;
  samples: string;
  maxNewTokens: string;
  out: string;
  json?: boolean;
}

/** The flags as the settings of a run (a suite says the same in its match, base_seed and eval). */
function runOf(o: CommonOpts): RunSpec {
  return runSpec({
    match: o.match,
    base_seed: parseIntFlag('base-seed', o.baseSeed),
    eval: { samples: Math.max(1, parseIntFlag('samples', o.samples)), max_new_tokens: Math.max(1, parseIntFlag('max-new-tokens', o.maxNewTokens)), leakage_prompts: DEFAULT_QER_EVAL.leakagePrompts },
  });
}

function withCommon(cmd: Command): Command {
  return cmd
    .option('--no-match', "take the technique's final step instead of QER matching")
    .option('--base-seed <n>', 'seed of the base models the organisms start from', '0')
    .option('--samples <n>', 'sampled answers per trigger prompt (QER)', String(DEFAULT_QER_EVAL.samples))
    .option('--max-new-tokens <n>', 'answer length when sampling', String(DEFAULT_QER_EVAL.maxNewTokens))
    .option('--json', 'print the results as JSON on stdout');
}

async function runCells(rt: Runtime, entries: SuiteEntry[], o: CommonOpts, outName: string): Promise<CellResult[]> {
  // resolve every id first: an unknown one fails before anything trains
  for (const e of entries) {
    rt.plugin('architecture', e.arch);
    rt.plugin('behaviour', e.behaviour);
    rt.plugin('trainer', e.technique);
  }
  const engine = await rt.ready();
  const run = runOf(o);
  const plans = entries.map((e) => organismPlan(rt, e, run, engine.info.id));
  const view = new ProgressView();
  const cells: CellResult[] = [];
  await withInterruptHandler(async () => {
    try {
      for (const [i, e] of entries.entries()) {
        if (entries.length > 1) view.note(`[${i + 1}/${entries.length}] ${e.behaviour} x ${e.technique} x ${e.arch} (seed ${e.seed})`);
        const cell = plans[i].cells.find((c): c is OrganismCell => c.kind === 'organism')!;
        cells.push((await runOrganismCell(rt, run, cell, { sink: view, shouldStop: stopRequested })).result);
        if (entries.length > 1) view.update({ label: 'organisms', step: i + 1, total: entries.length, info: `last: ${e.technique} QER ${pm(cells[i].organism.qer)}`, etaSec: ((entries.length - i - 1) * cells.reduce((s, c) => s + c.seconds, 0)) / (i + 1) });
      }
    } finally {
      view.stop();
    }
  });
  const out = resolve(o.out);
  await mkdir(out, { recursive: true });
  await writeFileAtomic(join(out, `${outName}.json`), JSON.stringify({ size: rt.settings.size, world_seed: rt.settings.worldSeed, eval: cellOptions(run, rt).eval, cells }, null, 2) + '\n');
  await writeFileAtomic(join(out, `${outName}.csv`), stringify([CSV_HEADER, ...cells.map(csvRow)]));
  if (o.json) process.stdout.write(JSON.stringify(cells) + '\n');
  else printCells(cells);
  rt.logger.info(`wrote ${join(out, `${outName}.json`)} and .csv`);
  return cells;
}

export function organismCommand(env: CliEnv): Command {
  return withCommon(
    new Command('organism')
      .description('train (or reuse) one model organism, QER-matched, and print QER +- SE for base and organism, leakage, capability and the step')
      .requiredOption('--behaviour <id>', 'behaviour plugin id')
      .requiredOption('--technique <id>', 'trainer plugin id')
      .requiredOption('--arch <id>', 'architecture plugin id')
      .option('--out <dir>', 'where the result JSON/CSV go', 'out/organisms'),
  ).action(async (opts: CommonOpts & { behaviour: string; technique: string; arch: string }, cmd: Command) => {
    const rt = await runtimeFor(cmd, env);
    const entry: SuiteEntry = { behaviour: opts.behaviour, technique: opts.technique, arch: opts.arch, seed: rt.settings.seed };
    await runCells(rt, [entry], opts, `${entry.arch}__${entry.behaviour}__${entry.technique}__seed${entry.seed}`);
  });
}

export function organismsCommand(env: CliEnv): Command {
  return withCommon(
    new Command('organisms')
      .description('build every organism of a suite (a benchmark suite, or a YAML/JSON list of {behaviour, technique, arch, seed}) with a progress bar')
      .requiredOption('--suite <file|name>', 'a suite file, or a name in benchmarks/suites (e.g. smoke, lottery, organisms-smoke)')
      .option('--out <dir>', 'where the result JSON/CSV go', 'out/organisms'),
  ).action(async (opts: CommonOpts & { suite: string }, cmd: Command) => {
    const rt = await runtimeFor(cmd, env);
    const file = suitePath(opts.suite, env.cwd);
    // a benchmark suite (smoke, lottery, ...) gives its organisms; a plain list is read as is
    const entries: SuiteEntry[] = isBenchSuite(parseSuiteText(file))
      ? resolveSuite(parseSuiteFile(file), rt.registry, file).organisms.map(({ behaviour, technique, arch, seed }) => ({ behaviour, technique, arch, seed }))
      : readSuite(file);
    await runCells(rt, entries, opts, `suite-${file.replace(/^.*[/\\]/, '').replace(/\.[^.]+$/, '')}`);
  });
}
