// A worker process of a benchmark run (`molt _worker`): started by the local
// pool (local-executor.ts) or by `molt worker` for queued cells
// (queue-worker.ts), it builds its runtime from the harness's settings (sent
// as JSON, never as command-line flags to parse again) and runs the cells it
// is sent, one at a time, through the cell runner. Each cell's spec hash is
// computed here again first: a worker with other code than the harness
// (molt version, plugins, backend) refuses the cell instead of computing
// something else under its name.
import { Runtime } from '../container';
import type { ProgressSink } from '../organisms/cell';
import { CellHasher } from './plan';
import { CellInterrupted, runCell } from './run-cell';
import type { FromWorker, ToWorker } from './local-executor';
import type { RunSpec } from './suite';

export interface CellWorkerOptions {
  /** molt's own plugin modules */
  builtins: string[];
  cwd: string;
  /** this process's log (stdout/stderr, which the harness points at a file) */
  log: ProgressSink;
}

interface Serving {
  rt: Runtime;
  run: RunSpec;
  hasher: CellHasher;
  outDir: string;
}

/** Serve the harness over IPC until it disconnects. */
export async function serveCells(o: CellWorkerOptions): Promise<void> {
  const send = (m: FromWorker) => {
    if (process.connected) process.send!(m);
  };
  // the log gets everything; the harness gets where the running cell is, every few seconds
  let current = '';
  let lastSent = 0;
  const sink: ProgressSink = {
    note: (line) => o.log.note(line),
    stop: () => o.log.stop(),
    update: (f) => {
      o.log.update(f);
      const now = Date.now();
      if (current && now - lastSent >= 2000) {
        lastSent = now;
        send({ type: 'progress', id: current, text: `${f.label} ${f.step}/${f.total}` });
      }
    },
  };
  let serving: Serving | undefined;
  let stop = false;
  // the harness owns Ctrl-C; a stray SIGINT here must not kill a cell mid-write
  process.on('SIGINT', () => (stop = true));

  const init = async (m: Extract<ToWorker, { type: 'init' }>): Promise<void> => {
    const rt = await Runtime.create(m.settings, { builtins: o.builtins, cwd: o.cwd });
    const engine = await rt.ready();
    serving = { rt, run: m.run, hasher: new CellHasher(rt, m.run, engine.info.id), outDir: m.outDir };
  };

  const runOne = async (m: Extract<ToWorker, { type: 'run' }>): Promise<void> => {
    const { cell } = m;
    if (!serving) return send({ type: 'fatal', message: `asked to run ${cell.id} before the settings of a run` });
    let mine: string;
    try {
      mine = serving.hasher.of(cell, m.stepsFrom);
    } catch (e) {
      return send({ type: 'refused', id: cell.id, message: `this worker cannot run ${cell.id}: ${(e as Error).message}` });
    }
    if (mine !== cell.specHash) {
      return send({ type: 'refused', id: cell.id, message: `this worker computes another spec hash for ${cell.id} than the harness (another molt version, plugin or backend?)` });
    }
    current = cell.id;
    try {
      const r = await runCell(serving.rt, serving.run, cell, { outDir: serving.outDir, sink, shouldStop: () => stop });
      send({ type: 'done', id: cell.id, status: r.status });
    } catch (e) {
      if (e instanceof CellInterrupted) send({ type: 'interrupted', id: cell.id });
      else send({ type: 'fatal', message: (e as Error).message });
    } finally {
      current = '';
    }
  };

  let queue = Promise.resolve();
  await new Promise<void>((done) => {
    process.on('disconnect', () => {
      stop = true;
      queue.then(done, done);
    });
    process.on('message', (m: ToWorker) => {
      if (m.type === 'stop') stop = true;
      else if (m.type === 'init') queue = queue.then(() => init(m).then(() => send({ type: 'ready' }), (e) => send({ type: 'fatal', message: (e as Error).message })));
      else if (m.type === 'run') queue = queue.then(() => runOne(m));
    });
  });
}
