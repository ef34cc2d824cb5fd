// The worker side of `molt bench --queue`: serve the queue of every run in
// progress (the RUNS_KEY set), one cell at a time.
//
// A cell runs in a `molt _worker` child (cell-worker.ts: a Runtime built from
// the settings the job carries; one child per distinct settings and run, kept
// for the next job). Training blocks its process for seconds at a time;
// in a child it cannot hold up this process, which must renew the job's lock
// or the job looks stalled and runs twice. The record goes to the shared out
// dir, the artifacts to the shared store, whose writes are atomic and
// content-addressed, so two workers on the same cell never corrupt it.
import { fork, type ChildProcess } from 'node:child_process';
import type { Job, Worker } from 'bullmq';
import { readRecord } from './cell-record';
import type { FromWorker, ToWorker } from './local-executor';
import type { Cell } from './plan';
import { CELL_FAILED, RUNS_KEY, RedisLink, closeWithin, loadBullmq, redisOptions, type CellJobData } from './queue-protocol';
import { MOLT_BIN } from '../version';


export interface QueueWorkerOptions {
  url: string;
  /** this machine's path of the shared store; replaces the job's (each machine may mount it elsewhere) */
  store?: string;
  /** ms a job stays locked without a renewal before others count it stalled */
  lockDurationMs: number;
  /** ms between this worker's checks for stalled jobs */
  stalledIntervalMs: number;
  /** stalls a job survives before it fails */
  maxStalledCount: number;
  /** ms between looks at the set of runs */
  pollMs: number;
  cwd: string;
  log: (line: string) => void;
  /** true: take nothing new; a running cell saves its state and goes back on the queue */
  shouldStop: () => boolean;
}

export interface CellJobResult {
  status: 'ok';
}

type CellEnd = 'ok' | 'failed' | 'interrupted' | { refused: string };

/** One `molt _worker` child: a runtime and the plan of one run, one cell at a time. */
class CellProcess {
  readonly ready: Promise<void>;
  private readonly child: ChildProcess;
  private busy?: { id: string; resolve: (r: CellEnd) => void; reject: (e: Error) => void };
  private exited = false;

  constructor(init: ToWorker, cwd: string) {
    // stdout and stderr are this worker's log; IPC carries the protocol of the local pool
    this.child = fork(MOLT_BIN, ['_worker'], { cwd, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.ready = new Promise<void>((resolve, reject) => {
      this.child.on('message', (m: FromWorker) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'fatal') {
          reject(new Error(m.message));
          this.settle((b) => b.reject(new Error(m.message)));
        } else if ((m.type === 'done' || m.type === 'interrupted' || m.type === 'refused') && this.busy?.id === m.id) {
          this.settle((b) => b.resolve(m.type === 'done' ? m.status : m.type === 'refused' ? { refused: m.message } : 'interrupted'));
        }
      });
      this.child.on('exit', (code, signal) => {
        this.exited = true;
        const e = new Error(`the cell process exited (${signal ? `signal ${signal}` : `exit code ${code}`})`);
        reject(e);
        this.settle((b) => b.reject(e));
      });
    });
    this.ready.catch(() => undefined);
    this.child.send(init);
  }

  get alive(): boolean {
    return !this.exited;
  }

  private settle(f: (b: NonNullable<CellProcess['busy']>) => void): void {
    const b = this.busy;
    this.busy = undefined;
    if (b) f(b);
  }

  async run(cell: Cell, stepsFrom: string[]): Promise<CellEnd> {
    await this.ready;
    return new Promise<CellEnd>((resolve, reject) => {
      this.busy = { id: cell.id, resolve, reject };
      this.child.send({ type: 'run', cell, stepsFrom } satisfies ToWorker);
    });
  }

  stop(): void {
    if (!this.exited && this.child.connected) this.child.send({ type: 'stop' } satisfies ToWorker);
  }

  /** Disconnect: the child saves a running cell's state and exits (ended if it has not after a minute). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.exited) return resolve();
      this.child.once('exit', () => resolve());
      if (this.child.connected) this.child.disconnect();
      setTimeout(() => {
        if (!this.exited) this.child.kill('SIGKILL');
      }, 60_000).unref();
    });
  }
}

/** Serve the runs' queues until shouldStop(); resolves once every queue worker and cell process is closed. */
export async function runQueueWorker(o: QueueWorkerOptions): Promise<void> {
  const bull = loadBullmq();
  const link = await RedisLink.open(o.url, o.log);
  const connection = redisOptions(o.url);
  // the child of the last run served (one at a time: each holds models in memory)
  let cells: { key: string; proc: CellProcess } | undefined;
  // one cell at a time in this process, whatever number of runs it serves
  let exclusive: Promise<unknown> = Promise.resolve();

  const processFor = async (d: CellJobData): Promise<CellProcess> => {
    const settings = { ...d.settings, ...(o.store ? { store: o.store } : {}) };
    const key = JSON.stringify([settings, d.run, d.outDir]);
    if (cells?.key !== key || !cells.proc.alive) {
      await cells?.proc.close();
      cells = { key, proc: new CellProcess({ type: 'init', settings, run: d.run, outDir: d.outDir }, o.cwd) };
    }
    return cells.proc;
  };

  const runJob = async (job: Job<CellJobData, CellJobResult>): Promise<CellJobResult> => {
    const d = job.data;
    const id = d.cell.id;
    for (const dep of d.deps) {
      // a retry gives a slow shared filesystem time to show the record
      const r = await readRecord(d.outDir, dep.id);
      if (!r || r.status !== 'ok' || r.spec_hash !== dep.specHash) throw new Error(`${id}: dependency ${dep.id} has no ok record in ${d.outDir} (is the out dir shared by every worker?)`);
    }
    const proc = await processFor(d);
    o.log(`start ${id} (job ${job.id}, attempt ${job.attemptsMade + 1})`);
    const end = await proc.run(d.cell, d.stepsFrom);
    if (end === 'interrupted') throw new Error(`${id}: interrupted, this worker is stopping; it resumes on the next worker from its saved state`);
    // this worker runs other code than the harness: the job fails at once (no retry) and the harness reports the cell failed
    if (typeof end === 'object') throw new bull.UnrecoverableError(end.refused);
    const r = await readRecord(d.outDir, id);
    if (!r) throw new Error(`${id}: the cell process reported ${end} but wrote no record in ${d.outDir}`);
    o.log(`${r.status} ${id} (${r.cost_s.toFixed(1)} s)`);
    // A failed cell is tried again like a crash: the failure may be another
    // worker's doing (two processes building the same store artifact). The
    // last attempt's record is the result, as deterministic as an ok one.
    if (r.status !== 'ok') throw new Error(CELL_FAILED + r.error);
    return { status: 'ok' };
  };

  const processJob = (job: Job<CellJobData, CellJobResult>): Promise<CellJobResult> => {
    const p = exclusive.then(() => (o.shouldStop() ? Promise.reject(new Error('this worker is stopping')) : runJob(job)));
    exclusive = p.catch(() => undefined);
    return p;
  };

  const workers = new Map<string, Worker>();
  const closing: { w: Worker; closed: Promise<void> }[] = [];
  const serve = (name: string) => {
    const w: Worker = new bull.Worker(name, processJob, {
      connection,
      concurrency: 1,
      lockDuration: o.lockDurationMs,
      stalledInterval: o.stalledIntervalMs,
      maxStalledCount: o.maxStalledCount,
    });
    const report = link.report(`queue ${name}`);
    w.on('error', (e) => {
      // a job finished while Redis restarted without its data: one line per job, not one per BullMQ step
      const gone = /Missing (?:key|lock) for job (\S+)\./.exec(e.message);
      report(gone ? new Error(`job ${gone[1]} is gone from Redis (it lost its data?); its record stands and the harness queues lost jobs again`) : e);
    });
    w.on('failed', (job, e) => {
      if (job) o.log(`job ${job.id} failed (attempt ${job.attemptsMade} of ${job.opts.attempts ?? 1}): ${e.message}`);
    });
    workers.set(name, w);
    o.log(`serving queue ${name}`);
  };

  o.log(`waiting for runs on ${o.url}`);
  while (!o.shouldStop()) {
    // while Redis is away the link has said so once; a run it lost is served again once its harness lists it again
    if (link.downForMs === 0) {
      try {
        const names = new Set(await link.client.smembers(RUNS_KEY));
        for (const n of names) if (!workers.has(n)) serve(n);
        for (const [n, w] of workers) {
          if (names.has(n)) continue;
          workers.delete(n);
          closing.push({ w, closed: w.close() });
          o.log(`run ${n} is no longer listed: it is over (or Redis lost it; served again if its harness lists it again)`);
        }
      } catch (e) {
        link.report('runs')(e as Error);
      }
    }
    for (let t = 0; t < o.pollMs && !o.shouldStop(); t += 100) await new Promise((r) => setTimeout(r, 100));
  }
  o.log('stopping: a running cell saves its state and goes back on the queue');
  cells?.proc.stop();
  await exclusive;
  // The cell has ended. A graceful close hands its job back to the queue, which
  // needs Redis; while Redis is away the workers close at once (force: their
  // connections stop reconnecting) and the job's expiring lock puts it back.
  const away = link.downForMs > 0;
  for (const [, w] of workers) closing.push({ w, closed: away ? w.close(true) : w.close() });
  await Promise.all(closing.map(({ w, closed }) => closeWithin(away ? 0 : CLOSE_MS, () => closed, () => w.disconnect())));
  await cells?.proc.close();
  link.close();
}

/** how long closing a queue's worker may take once no cell runs (it hands a stopped cell's job back) */
const CLOSE_MS = 5000;
