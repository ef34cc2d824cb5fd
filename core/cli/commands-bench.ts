// molt bench: a suite crossed into cells (base models -> organisms -> probes),
// run on N worker processes, resumable, with results.csv, matrix.csv,
// summary.csv, samples.jsonl, run.json and report.html in --out.
// molt _worker (hidden): one worker process of the local pool or of molt worker.
import { Command } from 'commander';
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MoltError } from '../errors';
import { Runtime } from '../container';
import { MOLT_VERSION, MOLT_BIN, MOLT_ROOT, runningSourceHash } from '../version';
import { withFileLock, writeFileAtomic, writeJsonAtomic } from '../store/atomic';
import { suitePath } from '../organisms/suite';
import { parseSuiteFile, resolveSuite } from '../bench/suite';
import { buildPlan, type BenchPlan, type Cell } from '../bench/plan';
import { CELLS_DIR, reusableRecords, type CellRecord } from '../bench/cell-record';
import { InProcessExecutor, WorkerPoolExecutor } from '../bench/local-executor';
import { QueueExecutor } from '../bench/queue-executor';
import { assemble, samplesJsonl } from '../bench/assemble';
import { resultsCsv } from '../bench/results-csv';
import { writeDerivedOutputs } from '../../reports/outputs';
import { organismChecks, summariseChecks, type BehaviourInfo, type OrganismCheckSummary } from '../bench/organism-checks';
import { cellList, type CellExecutor, type CellOutcome } from '../bench/executor';
import { serveCells } from '../bench/cell-worker';
import { parseIntFlag, portableSettings } from '../settings';
import { ProgressView } from './progress';
import { settingsFrom, type CliEnv, type GlobalOptions } from './context';
import { stopRequested, withInterruptHandler } from './interrupt';

/** held by the run using an out dir (docs/BENCH.md) */
export const OUT_DIR_LOCK = '.bench.lock';

/** The commit the code runs from ('unknown' outside a git checkout), '+dirty' when it has local changes. */
export function gitSha(dir = MOLT_ROOT): string {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() !== '';
    return dirty ? `${sha}+dirty` : sha;
  } catch {
    return 'unknown';
  }
}

const fmtSec = (s: number) => (s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(0)} s`);

function describe(outcome: CellOutcome): string {
  if (outcome.status !== 'ok') return `${outcome.status.toUpperCase()}: ${outcome.error}`;
  const r = outcome as CellRecord;
  const qer = r.metrics.find((m) => m.metric === 'qer' && m.probe === '');
  const head = r.metrics.find((m) => m.metric === 'headline');
  const bits = [`${r.cost_s.toFixed(0)} s`];
  if (qer) bits.push(`QER ${qer.value.toFixed(3)}`);
  if (head) bits.push(`${head.variant} ${head.value.toPrecision(3)}`);
  return `ok (${bits.join(', ')})`;
}

interface BenchOpts {
  suite: string;
  out?: string;
  workers?: string;
  fresh?: boolean;
  json?: boolean;
  queue?: string;
  redisTimeout: string;
  allowFailures?: boolean;
}

export function benchCommand(env: CliEnv): Command {
  return new Command('bench')
    .description('run a benchmark suite: base models -> organisms -> probes on N worker processes, resumable; writes results.csv, matrix.csv, summary.csv, samples.jsonl, run.json and report.html')
    .requiredOption('--suite <file|name>', 'a suite file, or a name in benchmarks/suites (smoke, lottery, organisms-check, ci)')
    .option('--out <dir>', 'output directory (default out/bench/<suite name>)')
    .option('--workers <n>', 'worker processes (0: run in this process); default: the number of cores')
    .option('--fresh', 'recompute every cell instead of reusing finished ones in --out (store artifacts are still reused)')
    .option('--json', 'print the run summary as JSON on stdout')
    .option('--queue <url>', 'put the cells on a Redis queue (redis://host:port) for `molt worker` processes instead of running them here; --out and --store must be directories the workers share')
    .option('--redis-timeout <s>', 'with --queue: give up (exit 1, finished cells kept) when Redis has been unreachable this many seconds', '300')
    .option('--allow-failures', 'exit 0 even when cells failed or were skipped (the outputs are written either way)')
    .action(async (opts: BenchOpts, cmd: Command) => {
      const g = cmd.optsWithGlobals() as GlobalOptions;
      const file = suitePath(opts.suite, env.cwd);
      const spec = parseSuiteFile(file);
      const settings = settingsFrom(g);
      // the suite says the model size unless --size does
      if (!g.size) settings.size = spec.size;
      const rt = await Runtime.create(settings, { builtins: env.builtins, cwd: env.cwd });
      const suite = resolveSuite(spec, rt.registry, file);
      const workers = opts.workers === undefined ? availableParallelism() : parseIntFlag('workers', opts.workers);
      const redisTimeout = parseIntFlag('redis-timeout', opts.redisTimeout);
      if (redisTimeout < 1) throw new MoltError(`--redis-timeout must be >= 1 second, got ${redisTimeout}`, 'redis-timeout');
      if (workers < 0) throw new MoltError(`--workers must be >= 0, got ${workers}`, 'workers');
      const engine = await rt.ready();
      const plan = buildPlan(rt, suite, engine.info.id);
      const outDir = resolve(env.cwd, opts.out ?? join('out', 'bench', suite.name));
      await mkdir(outDir, { recursive: true });
      // one run at a time per out dir: two would compute the same cells and write the same files
      await withFileLock(join(outDir, OUT_DIR_LOCK), async () => {
        await mkdir(join(outDir, CELLS_DIR), { recursive: true });
        if (opts.fresh) await rm(join(outDir, CELLS_DIR), { recursive: true, force: true }).then(() => mkdir(join(outDir, CELLS_DIR), { recursive: true }));

        const finished = await reusableRecords(outDir, plan.cells, (line) => rt.logger.warn(line));
        const pending = plan.cells.filter((c) => !finished.has(c.id));
        const startedAt = new Date();
        // the commit the run starts from: edits made while it runs are not the code it ran
        const startSha = gitSha();
        const sourceHash = runningSourceHash();
        const where = opts.queue ? `queue ${opts.queue}` : `${workers || 'in-process'} worker(s)`;
        rt.logger.info(`bench ${suite.name}: ${plan.cells.length} cells (${suite.organisms.length} organisms, ${suite.probes.length} probes x ${suite.diffingBases.length} diffing base(s)), size ${rt.settings.size}, backend ${engine.info.id}, ${where} -> ${outDir}`);
        if (finished.size) rt.logger.info(`${finished.size} cells already finished in ${outDir} (reused, not recomputed); ${pending.length} to run`);

        const view = new ProgressView();
        const executor: CellExecutor = opts.queue
          ? new QueueExecutor({ url: opts.queue, outDir, settings: portableSettings(rt.settings, env.cwd), redisTimeoutMs: redisTimeout * 1000 })
          : workers === 0
            ? new InProcessExecutor(rt, outDir, view)
            : new WorkerPoolExecutor({ workers, bin: MOLT_BIN, settings: portableSettings(rt.settings, env.cwd), cwd: env.cwd, outDir });
        const running = new Map<string, number>();
        const cellAt = new Map<string, string>();
        const spent: number[] = [];
        let done = 0;
        const t0 = Date.now();
        const progress = () => {
          const mean = spent.length ? spent.reduce((a, b) => a + b, 0) / spent.length : NaN;
          view.update({
            label: `bench ${suite.name}`,
            step: finished.size + done,
            total: plan.cells.length,
            info: `running: ${[...running.keys()].map((id) => (cellAt.has(id) ? `${id} (${cellAt.get(id)})` : id)).join(', ') || '-'}`,
            etaSec: ((pending.length - done) * mean) / Math.max(1, executor.slots),
          });
        };
        let outcomes = new Map<string, CellOutcome>();
        try {
          await withInterruptHandler(async () => {
            outcomes = await executor.execute({
              plan,
              pending,
              finished,
              shouldStop: stopRequested,
              events: {
                onStart: (cell) => {
                  running.set(cell.id, Date.now());
                  progress();
                },
                onFinish: (cell, outcome) => {
                  const started = running.get(cell.id);
                  running.delete(cell.id);
                  cellAt.delete(cell.id);
                  if (started !== undefined && outcome.status === 'ok') spent.push((Date.now() - started) / 1000);
                  done++;
                  view.note(`[${finished.size + done}/${plan.cells.length}] ${cell.id}: ${describe(outcome)}`);
                  progress();
                },
                onNote: (line) => view.note(line),
                onProgress: (id, text) => {
                  if (!running.has(id)) return;
                  cellAt.set(id, text);
                  progress();
                },
              },
            });
          });
        } finally {
          view.stop();
          await executor.close();
        }
        const all = new Map<string, CellOutcome>([...finished, ...outcomes]);
        const out = await writeBenchOutputs(rt, plan, all, outDir, {
          suite: suite.name,
          suite_file: file,
          backend: engine.info.id,
          workers: opts.queue ? executor.slots : workers,
          started_at: startedAt.toISOString(),
          git_sha: startSha,
          source_hash: sourceHash,
          seconds: (Date.now() - t0) / 1000,
          interrupted: stopRequested(),
        });
        const c = out.counts;
        const line = `bench ${suite.name}: ${c.ok} ok, ${c.failed} failed, ${c.skipped} skipped of ${c.total} cells in ${fmtSec((Date.now() - t0) / 1000)}${stopRequested() ? ' (interrupted: run the same command again to resume)' : ''}`;
        if (opts.json) process.stdout.write(JSON.stringify({ out: outDir, ...c, files: out.files }) + '\n');
        else process.stdout.write(`${line}\n${checksLine(out.checks)}\nwrote ${out.files.map((f) => f.replace(outDir + '/', '')).join(', ')} in ${outDir}\n`);
        if (stopRequested()) throw new MoltError('interrupted; finished cells are kept, run the same command again to resume', outDir);
        const withStatus = (s: string) => plan.cells.filter((cell) => (all.get(cell.id)?.status ?? 'skipped') === s).map((cell) => cell.id);
        const notOk = [cellList(withStatus('failed'), 'failed'), cellList(withStatus('skipped'), 'skipped')].filter(Boolean).join(', ');
        if (notOk && !opts.allowFailures) {
          throw new MoltError(`bench ${suite.name}: ${notOk} of ${c.total} cells; the outputs in ${outDir} cover the rest: run again to retry them, or pass --allow-failures to accept a partial run`, outDir);
        }
      }, { timeoutMs: 0, staleMs: Infinity, busy: (h) => `--out ${outDir} is in use by another molt bench (process ${h.pid} on ${h.host}); wait for it to finish or choose another --out (remove ${join(outDir, OUT_DIR_LOCK)} if that process is gone)` });
    });
}

export interface RunInfo {
  suite: string;
  suite_file: string;
  backend: string;
  workers: number;
  started_at: string;
  /** gitSha() when the run started */
  git_sha: string;
  /** sha256 of the TypeScript sources the code that ran was built from (bin/molt.js), or 'unknown' */
  source_hash: string;
  seconds: number;
  interrupted: boolean;
}

/** organisms.csv in one line: how many organisms pass each check. */
function checksLine(c: OrganismCheckSummary): string {
  return (
    `organisms (organisms.csv): ${c.valid} of ${c.organisms} valid; ${c.inBand} in their QER band, base below the band for ${c.baseBelowBand}, ` +
    `leakage <= base + 2 points for ${c.leakageOk}, capability drop <= 10 points for ${c.capabilityOk}, test QER within 2 SE of validation for ${c.testValWithin2se} of ${c.matched} matched; ` +
    `null organisms at base level: ${c.nullAtBase} of ${c.nullOrganisms}`
  );
}

/** Each behaviour of the suite as organisms.csv needs it (family, pipeline, QER band), from its manifest. */
function suiteBehaviours(rt: Runtime, plan: BenchPlan): Record<string, BehaviourInfo> {
  const ids = [...new Set(plan.suite.organisms.map((o) => o.behaviour))].sort();
  return Object.fromEntries(
    ids.map((id) => {
      const m = rt.plugin('behaviour', id).manifest();
      return [id, { family: m.family, pipeline: m.pipeline, band: m.targetQer }];
    }),
  );
}

/** Assemble the cells' records into every output file of the run. */
export async function writeBenchOutputs(rt: Runtime, plan: BenchPlan, outcomes: ReadonlyMap<string, CellOutcome>, outDir: string, info: RunInfo): Promise<{ files: string[]; counts: { total: number; ok: number; failed: number; skipped: number }; checks: OrganismCheckSummary }> {
  const reproducible = plan.suite.spec.reproducible;
  const a = assemble(rt, plan, outcomes, { reproducible });
  const files: string[] = [];
  const put = async (name: string, text: string) => {
    await writeFileAtomic(join(outDir, name), text);
    files.push(join(outDir, name));
  };
  await put('results.csv', resultsCsv(a.rows));
  await put('samples.jsonl', samplesJsonl(a.samples));
  const run = {
    suite: info.suite,
    suite_file: info.suite_file,
    suite_spec: plan.suite.spec,
    run_id: plan.configHash,
    config_hash: plan.configHash,
    molt_version: MOLT_VERSION,
    backend: info.backend,
    seed: rt.settings.seed,
    world_seed: rt.settings.worldSeed,
    size: rt.settings.size,
    store: rt.services.store.root,
    plugins: rt.settings.plugins,
    trainers: rt.settings.trainers ?? {},
    git_sha: info.git_sha,
    source_hash: info.source_hash,
    node: process.version,
    workers: info.workers,
    started_at: info.started_at,
    seconds: info.seconds,
    interrupted: info.interrupted,
    cells: a.counts,
    // null when the suite names none: a run.json without the key predates the setting (reports/outputs.ts)
    paired_reference: plan.suite.spec.paired_reference ?? null,
    cell_seconds: Object.fromEntries(plan.cells.map((c: Cell) => [c.id, (outcomes.get(c.id) as CellRecord | undefined)?.cost_s ?? null])),
  };
  const behaviours = suiteBehaviours(rt, plan);
  await writeJsonAtomic(join(outDir, 'run.json'), { ...run, behaviours });
  files.push(join(outDir, 'run.json'));
  files.push(...(await writeDerivedOutputs(outDir, a.rows, { suite: info.suite, molt_version: MOLT_VERSION, backend: info.backend, seed: rt.settings.seed, git_sha: run.git_sha, started_at: info.started_at, seconds: info.seconds, cells: a.counts, behaviours, ...(plan.suite.spec.paired_reference !== undefined && { paired_reference: plan.suite.spec.paired_reference }) })));
  return { files, counts: a.counts, checks: summariseChecks(organismChecks(a.rows, behaviours)) };
}

/** molt _worker: a worker process of the local pool or of `molt worker` (core/bench/cell-worker.ts). */
export function workerCommand(env: CliEnv): Command {
  return new Command('_worker')
    .description('(internal) a worker process of molt bench')
    .action(async () => {
      if (!process.send) throw new MoltError('molt _worker is started by molt bench (it needs an IPC channel)', '_worker');
      await serveCells({ builtins: env.builtins, cwd: env.cwd, log: new ProgressView(false, 30) });
    });
}
