// molt worker --queue redis://host:port: run the cells of `molt bench --queue`
// runs on this machine. The settings (plugins, seeds, size, ...) come with
// each job from the harness; --store names this machine's mount of the
// shared store. --concurrency N starts N worker processes: cells are
// CPU-bound and one process runs one at a time.
import { Command } from 'commander';
import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { MoltError } from '../errors';
import { runQueueWorker } from '../bench/queue-worker';
import { parseIntFlag } from '../settings';
import { storeDir } from '../store/store-url';
import type { CliEnv, GlobalOptions } from './context';
import { MOLT_BIN } from '../version';


interface WorkerOpts {
  queue: string;
  concurrency: string;
  lockDuration: string;
  stalledInterval: string;
  maxStalled: string;
}

function positive(name: string, value: string): number {
  const n = parseIntFlag(name, value);
  if (n < 1) throw new MoltError(`--${name} must be >= 1, got ${n}`, name);
  return n;
}

export function queueWorkerCommand(env: CliEnv): Command {
  return new Command('worker')
    .description('run the cells of `molt bench --queue` runs on this machine until Ctrl-C; --store must be a directory every worker and the harness share (a path or file:// URL)')
    .requiredOption('--queue <url>', 'the Redis of the runs, redis://host:port[/db]')
    .option('--concurrency <n>', 'worker processes on this machine (one cell at a time each)', '1')
    .option('--lock-duration <ms>', 'a job whose worker has not renewed its lock for this long counts as stalled', '30000')
    .option('--stalled-interval <ms>', 'how often to look for stalled jobs', '30000')
    .option('--max-stalled <n>', 'stalls a job survives (its worker died) before it fails', '3')
    .action(async (opts: WorkerOpts, cmd: Command) => {
      const g = cmd.optsWithGlobals() as GlobalOptions;
      const concurrency = positive('concurrency', opts.concurrency);
      const settings = {
        lockDurationMs: positive('lock-duration', opts.lockDuration),
        stalledIntervalMs: positive('stalled-interval', opts.stalledInterval),
        maxStalledCount: positive('max-stalled', opts.maxStalled),
      };
      const log = (line: string) => process.stderr.write(`molt worker ${process.pid}: ${line}\n`);
      let stop = false;
      let children: ChildProcess[] = [];
      const onSignal = () => {
        if (stop) process.exit(130);
        stop = true;
        log('stopping after the running cell saves its state (again to quit at once)');
        for (const c of children) c.kill('SIGINT');
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        if (concurrency > 1) {
          const args = [...(g.store ? ['--store', g.store] : []), ...(g.verbose ? ['--verbose'] : []), 'worker', '--queue', opts.queue, '--concurrency', '1'];
          args.push('--lock-duration', opts.lockDuration, '--stalled-interval', opts.stalledInterval, '--max-stalled', opts.maxStalled);
          // detached: a Ctrl-C reaches this process only, which passes ONE stop on (two would quit without saving)
          children = Array.from({ length: concurrency }, () => fork(MOLT_BIN, args, { cwd: env.cwd, stdio: 'inherit', detached: true }));
          const codes = await Promise.all(children.map((c) => new Promise<number | null>((r) => c.on('exit', (code) => r(code)))));
          if (!stop && codes.some((c) => c !== 0)) throw new MoltError(`a worker process exited with code ${codes.find((c) => c !== 0)}`, 'worker');
          return;
        }
        await runQueueWorker({
          url: opts.queue,
          store: g.store ? resolve(env.cwd, storeDir(g.store)) : undefined,
          ...settings,
          pollMs: 1000,
          cwd: env.cwd,
          log,
          shouldStop: () => stop,
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
