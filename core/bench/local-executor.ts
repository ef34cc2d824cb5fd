// Executors on this machine: in this process (--workers 0; tests, debugging)
// or a pool of worker processes (`molt _worker`), one cell at a time each.
// A worker writes the cell's record itself, so what it finished survives a
// crash of the harness; a worker that dies mid-cell fails that cell (with the
// reason) and is replaced for the next one.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Runtime } from '../container';
import type { Settings } from '../settings';
import type { ProgressSink } from '../organisms/cell';
import { readRecord, type CellRecord } from './cell-record';
import { schedule, type CellExecutor, type CellOutcome, type ExecuteRequest } from './executor';
import { CellInterrupted, runCell } from './run-cell';
import { stepsFromHashes, type Cell } from './plan';
import type { RunSpec } from './suite';

export class InProcessExecutor implements CellExecutor {
  readonly slots = 1;
  constructor(private readonly rt: Runtime, private readonly outDir: string, private readonly sink: ProgressSink) {}

  execute(req: ExecuteRequest): Promise<Map<string, CellOutcome>> {
    return schedule(req, 1, async (cell) => {
      try {
        return await runCell(this.rt, req.plan.suite.spec, cell, { outDir: this.outDir, sink: this.sink, shouldStop: req.shouldStop });
      } catch (e) {
        if (e instanceof CellInterrupted) return null;
        throw e;
      }
    });
  }

  async close(): Promise<void> {}
}

/**
 * Messages between the harness and a worker process (`molt _worker`). The
 * worker builds its runtime from the settings as they are (JSON, paths
 * absolute) and runs the cells it is sent under the run's settings; it first
 * computes each cell's spec hash itself, and refuses a cell whose hash
 * differs (other molt version, plugins or backend). `stepsFrom`: the spec
 * hashes of the cells a null organism (or a probe of one) takes its steps
 * from, which its hash names.
 */
export type ToWorker = { type: 'init'; settings: Settings; run: RunSpec; outDir: string } | { type: 'run'; cell: Cell; stepsFrom: string[] } | { type: 'stop' };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; id: string; text: string }
  | { type: 'done'; id: string; status: 'ok' | 'failed' }
  | { type: 'interrupted'; id: string }
  | { type: 'refused'; id: string; message: string }
  | { type: 'fatal'; message: string };

export interface WorkerPoolOptions {
  workers: number;
  /** the molt CLI entry (bin/molt.js) */
  bin: string;
  /** the harness's settings, paths absolute (portableSettings) */
  settings: Settings;
  cwd: string;
  outDir: string;
}

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  busy?: { id: string; resolve: (r: CellRecord | null) => void };
  exited: boolean;
}

export class WorkerPoolExecutor implements CellExecutor {
  private readonly workers: (Worker | undefined)[] = [];
  private stopping = false;

  constructor(private readonly o: WorkerPoolOptions) {}

  get slots(): number {
    return this.o.workers;
  }

  private spawn(slot: number, run: RunSpec, note: (s: string) => void, progress: (id: string, text: string) => void): Worker {
    const logs = join(this.o.outDir, 'logs');
    mkdirSync(logs, { recursive: true });
    const fd = openSync(join(logs, `worker-${slot}.log`), 'a');
    // the log is appended to by every run: say where this one starts
    writeSync(fd, `--- ${new Date().toISOString()}: worker ${slot} of molt bench ${process.pid}\n`);
    // detached: a Ctrl-C on the terminal reaches the harness only, which
    // passes ONE stop to each worker (two SIGINTs would quit without saving)
    const child = fork(this.o.bin, ['_worker'], { cwd: this.o.cwd, stdio: ['ignore', fd, fd, 'ipc'], detached: true });
    closeSync(fd);
    const w: Worker = { child, exited: false, ready: Promise.resolve() };
    w.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (m: FromWorker) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'progress') progress(m.id, m.text);
        else if (m.type === 'fatal') {
          reject(new Error(`worker ${slot}: ${m.message}`));
          if (w.busy) {
            const b = w.busy;
            w.busy = undefined;
            b.resolve(crashRecord(b.id, `worker ${slot}: ${m.message}`));
          }
        }
        else if ((m.type === 'done' || m.type === 'interrupted' || m.type === 'refused') && w.busy?.id === m.id) {
          const b = w.busy;
          w.busy = undefined;
          if (m.type === 'interrupted') b.resolve(null);
          else if (m.type === 'refused') b.resolve(crashRecord(m.id, `worker ${slot}: ${m.message}`));
          else readRecord(this.o.outDir, m.id).then((r) => b.resolve(r ?? crashRecord(m.id, `worker ${slot} reported ${m.status} but wrote no record`)));
        }
      };
      child.on('message', onMessage);
      child.on('exit', (code, signal) => {
        w.exited = true;
        const why = signal ? `signal ${signal}` : `exit code ${code}`;
        reject(new Error(`worker ${slot} exited before it was ready (${why}); see ${join(logs, `worker-${slot}.log`)}`));
        if (w.busy) {
          const b = w.busy;
          w.busy = undefined;
          if (this.stopping) b.resolve(null);
          else {
            note(`worker ${slot} died (${why}) while running ${b.id}; a new worker takes the next cell`);
            b.resolve(crashRecord(b.id, `worker process died (${why}) while running this cell; see ${join(logs, `worker-${slot}.log`)}`));
          }
        }
      });
    });
    w.ready.catch(() => undefined);
    child.send({ type: 'init', settings: this.o.settings, run, outDir: this.o.outDir } satisfies ToWorker);
    return w;
  }

  execute(req: ExecuteRequest): Promise<Map<string, CellOutcome>> {
    const note = (s: string) => req.events.onNote?.(s);
    const stopWatch = setInterval(() => {
      if (req.shouldStop() && !this.stopping) {
        this.stopping = true;
        for (const w of this.workers) if (w && !w.exited) w.child.send({ type: 'stop' } satisfies ToWorker);
      }
    }, 200);
    return schedule(req, this.o.workers, async (cell: Cell, slot: number) => {
      let w = this.workers[slot];
      if (!w || w.exited) w = this.workers[slot] = this.spawn(slot, req.plan.suite.spec, note, (id, text) => req.events.onProgress?.(id, text));
      try {
        await w.ready;
      } catch (e) {
        return crashRecord(cell.id, (e as Error).message);
      }
      return new Promise<CellRecord | null>((resolve) => {
        w!.busy = { id: cell.id, resolve };
        w!.child.send({ type: 'run', cell, stepsFrom: stepsFromHashes(req.plan, cell) } satisfies ToWorker);
      });
    }).finally(() => clearInterval(stopWatch));
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (!w || w.exited) return resolve();
            w.child.once('exit', () => resolve());
            w.child.disconnect();
            // a worker still busy saving state gets a moment, then is ended
            setTimeout(() => {
              if (!w.exited) w.child.kill('SIGKILL');
            }, 60_000).unref();
          }),
      ),
    );
  }
}

/** The record of a cell whose worker died: failed, with the reason (not written: a rerun tries the cell again). */
export function crashRecord(id: string, error: string): CellRecord {
  return { id, kind: id.split(':')[0] as Cell['kind'], spec_hash: '', status: 'failed', error, metrics: [], samples: [], cost_s: NaN, created_at: '' };
}
