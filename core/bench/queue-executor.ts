// Cells on a BullMQ queue (Redis), run by `molt worker` processes on any
// machine that shares the out dir and the store.
//
// The dependency graph goes in as flows where it can: a BullMQ job has ONE
// parent, and here a base feeds many organisms and an organism many probes,
// so the whole DAG is not a flow. When a cell becomes ready, it goes in as the
// leaf of a chain flow that also carries one dependant per level whose other
// dependencies are already done (base <- first organism <- its first probe):
// the chain runs on the workers without coming back here. Every other
// dependant is gated here, as schedule() does locally, and queued once its
// dependencies are ok. A failed cell fails its flow parents (failParentOnFailure)
// and they are reported skipped, as locally.
//
// The record each worker writes in the shared out dir is the truth; the queue
// only says when to read it (QueueEvents). A job whose worker died is found
// stalled by the other workers and run again; a job that throws or whose cell
// failed is retried with exponential backoff (a failure can be another
// worker's doing), and its last record is the result.
//
// Redis may go away. Every connection reconnects with back-off and the
// outage is one line (RedisLink). When Redis is back, and every auditMs, the
// harness looks up the job of each cell it has queued: a job Redis no longer
// has (it restarted without its data) is queued again, unless the cell's
// record shows it finished; the run is listed again for the workers. A Redis
// that stays away longer than redisTimeoutMs ends the run with an error
// (finished cells are kept).
import type { FlowJob, JobsOptions, Queue, QueueEvents, FlowProducer } from 'bullmq';
import { MoltError } from '../errors';
import { crashRecord } from './local-executor';
import { readRecord, type CellRecord } from './cell-record';
import { cellList, type CellExecutor, type CellOutcome, type ExecuteRequest, type SkippedCell } from './executor';
import { stepsFromHashes, type Cell } from './plan';
import { CELL_FAILED, RUNS_KEY, RedisLink, closeWithin, jobIdOf, loadBullmq, queueNameOf, redisOptions, type CellJobData } from './queue-protocol';
import type { Settings } from '../settings';

export interface QueueExecutorOptions {
  /** redis://host:port */
  url: string;
  outDir: string;
  /** the harness's settings, paths absolute (portableSettings) */
  settings: Settings;
  /** tries per job before it fails (default 3) */
  attempts?: number;
  /** first retry delay in ms, doubling each time (default 2000) */
  backoffMs?: number;
  /** give up when Redis has been unreachable this long (default 5 min) */
  redisTimeoutMs?: number;
  /** ms between checks that Redis still has the queued jobs (default 30 s; also each time Redis is back) */
  auditMs?: number;
}

/** how long a graceful close of a BullMQ object may take before it is forced */
const CLOSE_MS = 5000;

export class QueueExecutor implements CellExecutor {
  private mostActive = 1;
  private closers: (() => Promise<unknown>)[] = [];

  constructor(private readonly o: QueueExecutorOptions) {}

  /** cells seen running at once so far (the workers decide; this only feeds the ETA) */
  get slots(): number {
    return this.mostActive;
  }

  async execute(req: ExecuteRequest): Promise<Map<string, CellOutcome>> {
    if (req.pending.length === 0) return new Map();
    const bull = loadBullmq();
    const link = await RedisLink.open(this.o.url, (line) => req.events.onNote?.(line));
    this.closers.push(async () => link.close());
    const connection = redisOptions(this.o.url);
    const name = queueNameOf(req.plan);
    const queue: Queue = new bull.Queue(name, { connection });
    const events: QueueEvents = new bull.QueueEvents(name, { connection });
    const flows: FlowProducer = new bull.FlowProducer({ connection });
    queue.on('error', link.report('queue'));
    events.on('error', link.report('queue events'));
    flows.on('error', link.report('flow producer'));
    // a graceful close needs Redis: while it is away, go at once
    const grace = () => (link.downForMs > 0 ? 0 : CLOSE_MS);
    this.closers.push(
      () => closeWithin(grace(), () => flows.close(), () => flows.disconnect()),
      () => closeWithin(grace(), () => events.close(), () => events.disconnect()),
      // the run is over (or stopped): its jobs go, so no worker starts one of them
      () => closeWithin(grace(), () => queue.obliterate({ force: true }).finally(() => queue.close()), () => queue.disconnect()),
      () => link.client.srem(RUNS_KEY, name),
    );
    let run: Run | undefined;
    const running = (async () => {
      // a queue left by an earlier harness of this run holds jobs whose ids we reuse
      await queue.obliterate({ force: true });
      await events.waitUntilReady();
      await link.client.sadd(RUNS_KEY, name);
      req.events.onNote?.(`queue ${name} on ${this.o.url}: waiting for molt worker processes`);
      run = new Run(req, this.o, link, queue, events, flows, (n) => (this.mostActive = Math.max(this.mostActive, n)));
      return run.done;
    })();
    const timeoutMs = this.o.redisTimeoutMs ?? 300_000;
    let watchdog: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<never>((_, reject) => {
      watchdog = setInterval(() => {
        if (link.downForMs <= timeoutMs) return;
        const kept = req.finished.size + (run?.finishedCount ?? 0);
        reject(new MoltError(`--queue ${this.o.url}: Redis has not answered for ${(link.downForMs / 1000).toFixed(0)} s (${link.lastCause}); gave up. The ${kept} finished cells are kept in ${this.o.outDir}: run the same command again once Redis is back`, 'queue'));
      }, Math.min(1000, timeoutMs / 4));
    });
    try {
      return await Promise.race([running, gaveUp]);
    } finally {
      clearInterval(watchdog);
      run?.halt();
    }
  }

  async close(): Promise<void> {
    for (const c of this.closers.splice(0).reverse()) await c().catch(() => undefined);
  }
}

type State = 'waiting' | 'queued';

/** One execute(): the gate, the flows it adds and the events it reads. */
class Run {
  readonly done: Promise<Map<string, CellOutcome>>;
  private readonly outcomes = new Map<string, CellOutcome>();
  private readonly state = new Map<string, State>();
  private readonly byJob = new Map<string, Cell>();
  private readonly dependants = new Map<string, Cell[]>();
  private readonly planned: Set<string>;
  private readonly active = new Set<string>();
  private readonly slotOf = new Map<string, number>();
  /** the cell above each queued cell in its chain flow (that job waits for this one) */
  private readonly chainParent = new Map<string, string>();
  private freeSlots: number[] = [];
  private stopping = false;
  private auditing = false;
  // events are handled one at a time, in the order Redis gives them, so a
  // child's failure is known before its parent's
  private serial: Promise<void> = Promise.resolve();
  private resolve!: (m: Map<string, CellOutcome>) => void;
  private reject!: (e: unknown) => void;
  private readonly timers: NodeJS.Timeout[];

  constructor(
    private readonly req: ExecuteRequest,
    private readonly o: QueueExecutorOptions,
    private readonly link: RedisLink,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly flows: FlowProducer,
    private readonly onActive: (running: number) => void,
  ) {
    this.done = new Promise((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    this.planned = new Set([...req.pending.map((c) => c.id), ...req.finished.keys()]);
    for (const c of req.pending) {
      this.state.set(c.id, 'waiting');
      this.byJob.set(jobIdOf(c.id), c);
      for (const d of c.deps) this.dependants.set(d, [...(this.dependants.get(d) ?? []), c]);
    }
    const on = (f: () => Promise<void>) => {
      this.serial = this.serial.then(f).catch((e) => this.fail(e));
    };
    events.on('active', ({ jobId }) => on(async () => this.started(jobId)));
    events.on('stalled', ({ jobId }) => on(async () => this.stalled(jobId)));
    events.on('completed', ({ jobId }) => on(() => this.completed(jobId)));
    events.on('failed', ({ jobId, failedReason }) => on(() => this.failed(jobId, failedReason)));
    link.onBack(() => on(() => this.audit()));
    this.timers = [
      // not through `on`: Ctrl-C must not wait for events stuck on an unreachable Redis
      setInterval(() => {
        if (!this.stopping && req.shouldStop()) this.stop();
      }, 200),
      setInterval(() => {
        if (link.downForMs === 0) on(() => this.audit());
      }, o.auditMs ?? 30_000),
    ];
    on(() => this.pump());
  }

  /** cells of this run finished so far (ok, failed or skipped) */
  get finishedCount(): number {
    return this.outcomes.size;
  }

  private statusOf(id: string): 'ok' | 'bad' | 'waiting' {
    const f = this.req.finished.get(id) ?? this.outcomes.get(id);
    if (!f) return 'waiting';
    return f.status === 'ok' ? 'ok' : 'bad';
  }

  private afterDone(c: Cell): boolean {
    return (c.after ?? []).every((d) => this.statusOf(d) !== 'waiting' || !this.planned.has(d));
  }

  private finish(cell: Cell, outcome: CellOutcome): void {
    if (this.outcomes.has(cell.id)) return;
    this.outcomes.set(cell.id, outcome);
    this.state.delete(cell.id);
    this.release(cell.id);
    this.req.events.onFinish?.(cell, outcome);
  }

  private release(id: string): void {
    if (!this.active.delete(id)) return;
    this.freeSlots.push(this.slotOf.get(id)!);
    this.slotOf.delete(id);
  }

  /** Skip what a failed dependency blocks, queue what is ready, resolve when nothing is left. */
  private async pump(): Promise<void> {
    for (let changed = true; changed; ) {
      changed = false;
      for (const [id] of this.state) {
        const cell = this.req.plan.byId.get(id)!;
        const bad = cell.deps.find((d) => this.statusOf(d) === 'bad');
        if (!bad) continue;
        const dep = this.req.finished.get(bad) ?? this.outcomes.get(bad)!;
        this.finish(cell, { id, status: 'skipped', error: `dependency ${bad} ${dep.status}` } satisfies SkippedCell);
        changed = true;
      }
    }
    if (!this.stopping) {
      const ready = this.req.pending.filter((c) => this.state.get(c.id) === 'waiting' && c.deps.every((d) => this.statusOf(d) === 'ok') && this.afterDone(c));
      for (const c of ready) if (this.state.get(c.id) === 'waiting') await this.enqueue(c);
    }
    // nothing queued and nothing ready: what waits has a dependency outside the plan
    if (!this.stopping && [...this.state.values()].every((s) => s === 'waiting')) {
      for (const [id] of this.state) {
        const cell = this.req.plan.byId.get(id)!;
        this.finish(cell, { id, status: 'skipped', error: `dependencies never finished: ${cell.deps.filter((d) => this.statusOf(d) !== 'ok').join(', ')}` });
      }
    }
    if (this.state.size === 0) this.end();
  }

  /** Queue `leaf` as a chain flow with one dependant per level that needs nothing else. */
  private async enqueue(leaf: Cell): Promise<void> {
    const chain = [leaf];
    for (;;) {
      const top = chain[chain.length - 1];
      const next = (this.dependants.get(top.id) ?? []).find(
        (d) => this.state.get(d.id) === 'waiting' && d.deps.every((x) => x === top.id || this.statusOf(x) === 'ok') && this.afterDone(d),
      );
      if (!next) break;
      chain.push(next);
    }
    for (const c of chain) this.state.set(c.id, 'queued');
    for (let i = 1; i < chain.length; i++) this.chainParent.set(chain[i - 1].id, chain[i].id);
    let node: FlowJob | undefined;
    for (const c of chain) {
      const isChild = node !== undefined;
      const opts: JobsOptions = {
        jobId: jobIdOf(c.id),
        attempts: this.o.attempts ?? 3,
        backoff: { type: 'exponential', delay: this.o.backoffMs ?? 2000 },
        // kept until the run ends, so audit() can tell a finished job from one Redis lost
        removeOnComplete: false,
        removeOnFail: false,
      };
      const deps = c.deps.map((id) => ({ id, specHash: this.req.plan.byId.get(id)!.specHash }));
      const data: CellJobData = { cell: c, stepsFrom: stepsFromHashes(this.req.plan, c), deps, outDir: this.o.outDir, settings: this.o.settings, run: this.req.plan.suite.spec };
      const job: FlowJob = { name: c.kind, queueName: this.queue.name, data, opts };
      if (isChild) {
        node!.opts = { ...node!.opts, failParentOnFailure: true };
        node = { ...job, children: [node!] } as FlowJob;
      } else node = job;
    }
    await this.flows.add(node!);
  }

  private started(jobId: string): void {
    const cell = this.byJob.get(jobId);
    if (!cell || this.outcomes.has(cell.id) || this.active.has(cell.id)) return;
    this.active.add(cell.id);
    const slot = this.freeSlots.length ? this.freeSlots.pop()! : this.active.size - 1;
    this.slotOf.set(cell.id, slot);
    this.onActive(this.active.size);
    this.req.events.onStart?.(cell, slot);
  }

  private stalled(jobId: string): void {
    const cell = this.byJob.get(jobId);
    if (!cell || this.outcomes.has(cell.id)) return;
    this.release(cell.id);
    this.req.events.onNote?.(`${cell.id}: its worker stopped answering; the cell goes back on the queue`);
  }

  private async completed(jobId: string): Promise<void> {
    const cell = this.byJob.get(jobId);
    if (!cell || this.outcomes.has(cell.id)) return;
    this.finish(cell, await this.recordOf(cell, 'the worker finished the job but no record of this run is in the out dir'));
    await this.pump();
  }

  private async failed(jobId: string, reason: string): Promise<void> {
    const cell = this.byJob.get(jobId);
    if (!cell || this.outcomes.has(cell.id)) return;
    // a flow parent failed because its child did: pump() reports it skipped
    if (!cell.deps.some((d) => this.statusOf(d) === 'bad')) {
      if (reason.startsWith(CELL_FAILED)) this.finish(cell, await this.recordOf(cell, reason.slice(CELL_FAILED.length)));
      else this.finish(cell, crashRecord(cell.id, `queue job failed after ${this.o.attempts ?? 3} attempt(s): ${reason}`));
    }
    await this.pump();
  }

  private async recordOf(cell: Cell, missing: string): Promise<CellRecord> {
    const r = await readRecord(this.o.outDir, cell.id);
    return r && r.spec_hash === cell.specHash ? r : crashRecord(cell.id, missing);
  }

  /**
   * Look up the job of every queued cell. A finished job whose event was
   * missed is read now; a job Redis no longer has (it restarted without its
   * data, or evicted keys) is queued again, with the chain parents waiting
   * on it, unless its record shows the cell finished meanwhile.
   */
  private async audit(): Promise<void> {
    if (this.stopping || this.auditing) return;
    this.auditing = true;
    try {
      // a Redis that lost its data forgot the run too: workers find runs in this set
      await this.link.client.sadd(RUNS_KEY, this.queue.name);
      const lost = new Set<string>();
      for (const [id, s] of [...this.state]) {
        if (s !== 'queued') continue;
        const jobId = jobIdOf(id);
        const state = await this.queue.getJobState(jobId);
        if (state === 'completed') await this.completed(jobId);
        else if (state === 'failed') await this.failed(jobId, (await this.queue.getJob(jobId))?.failedReason ?? 'failed');
        else if (state === 'unknown') lost.add(id);
      }
      for (const id of [...lost]) {
        for (let p = this.chainParent.get(id); p && this.state.get(p) === 'queued'; p = this.chainParent.get(p)) lost.add(p);
      }
      if (lost.size === 0) return;
      const again: string[] = [];
      for (const id of lost) {
        const cell = this.req.plan.byId.get(id)!;
        const record = await readRecord(this.o.outDir, id);
        if (record?.status === 'ok' && record.spec_hash === cell.specHash) {
          this.finish(cell, record);
          continue;
        }
        await this.queue.remove(jobIdOf(id)).catch(() => undefined);
        this.state.set(id, 'waiting');
        this.chainParent.delete(id);
        this.release(id);
        again.push(id);
      }
      this.req.events.onNote?.(`Redis had lost ${lost.size} queued job(s) (restarted without its data?): ${lost.size - again.length} finished per their records, ${cellList(again, 'queued again') || 'none queued again'}`);
      await this.pump();
    } finally {
      this.auditing = false;
    }
  }

  /** Ctrl-C: queue nothing more; cells running on workers finish there (their records are reused by the next run). */
  private stop(): void {
    this.stopping = true;
    this.req.events.onNote?.(`stopped queueing; ${this.active.size} cell(s) still running on workers finish there and are reused by the next run`);
    this.end();
  }

  /** Stop listening and every timer (the run is over, or given up). */
  halt(): void {
    this.timers.forEach(clearInterval);
    // its 'error' listener stays: without one, BullMQ prints each error with its stack
    for (const e of ['active', 'stalled', 'completed', 'failed'] as const) this.events.removeAllListeners(e);
  }

  private end(): void {
    this.halt();
    this.resolve(this.outcomes);
  }

  private fail(e: unknown): void {
    this.halt();
    this.reject(e);
  }
}
