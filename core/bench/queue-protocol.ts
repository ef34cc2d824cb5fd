// What `molt bench --queue` and `molt worker` agree on: the Redis URL, the
// queue of a run, the data of a cell's job and how a failed cell is told
// apart from a crashed worker. bullmq and ioredis load only when a queue is
// used, so a local run never needs them.
import type * as Bullmq from 'bullmq';
import type { RedisOptions } from 'bullmq';
import { MoltError } from '../errors';
import type { Settings } from '../settings';
import type { BenchPlan, Cell } from './plan';
import type { RunSpec } from './suite';

/** A Redis set of the queues of the runs going on now: workers serve every one of them. */
export const RUNS_KEY = 'molt:runs';

/** failedReason prefix of a job whose cell ran and failed on its last attempt (its record says why); other failures are crashes. */
export const CELL_FAILED = 'cell failed: ';

/** What a worker needs to run one cell: the local pool's init and run messages in one job. */
export interface CellJobData {
  /** the cell, with the harness's spec hash: a worker that computes another (other version, plugins, backend) refuses it */
  cell: Cell;
  /** the spec hashes the cell's hash names (stepsFromHashes) */
  stepsFrom: string[];
  /** the cells it needs, whose ok records the worker checks first */
  deps: { id: string; specHash: string }[];
  outDir: string;
  /** the harness's settings, paths absolute (a worker's --store replaces the store) */
  settings: Settings;
  /** the run's settings (the suite's base seed, matching, evaluation, probe settings) */
  run: RunSpec;
}

/** Job ids cannot contain ':' (BullMQ keys use it); cell ids are plugin ids, digits and ':' '@'. */
export const jobIdOf = (cellId: string) => cellId.replace(/:/g, '~');

/** The queue of a run: the same suite and settings always land on the same queue. */
export const queueNameOf = (plan: BenchPlan) => `molt-${plan.configHash}`;

export function loadBullmq(): typeof Bullmq {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('bullmq') as typeof Bullmq;
  } catch (e) {
    throw new MoltError(`--queue needs the bullmq and ioredis packages (npm install bullmq ioredis): ${(e as Error).message}`, 'bullmq');
  }
}

/**
 * ms before reconnection attempt n (1, 2, ...) to a Redis that went away:
 * 250 ms doubling to 4 s, so a restart is noticed within seconds and a
 * Redis that stays down costs one attempt every few seconds.
 */
export const reconnectDelay = (attempt: number) => Math.min(250 * 2 ** Math.min(attempt - 1, 4), 4000);

/** Connection options for a redis://[user:password@]host[:port][/db] URL. */
export function redisOptions(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new MoltError(`--queue '${url}': not a URL; expected redis://host:port`, 'queue');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new MoltError(`--queue '${url}': expected a redis:// or rediss:// URL`, 'queue');
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new MoltError(`--queue '${url}': the path must be a database number, got '${db}'`, 'queue');
  const o: RedisOptions = { host: u.hostname || '127.0.0.1', port: u.port ? Number(u.port) : 6379, maxRetriesPerRequest: null, retryStrategy: reconnectDelay };
  if (db) o.db = Number(db);
  if (u.username) o.username = decodeURIComponent(u.username);
  if (u.password) o.password = decodeURIComponent(u.password);
  if (u.protocol === 'rediss:') o.tls = {};
  return o;
}

type RedisClient = InstanceType<typeof import('ioredis').Redis>;

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** An error that only says Redis cannot be reached (BullMQ and ioredis raise one per retry while it is down). */
export function isConnectionError(e: unknown): boolean {
  const err = e as NodeJS.ErrnoException | undefined;
  return CONNECTION_CODES.has(err?.code ?? '') || /Connection is closed|Stream isn't writeable|connect E[A-Z]+|Socket closed|Reached the max retries/.test(err?.message ?? '');
}

/**
 * One connection to Redis that is watched: when Redis goes away, ONE line
 * says so, ioredis reconnects with back-off (reconnectDelay), and ONE line
 * says when it is back; in between, `downForMs` says how long it has been
 * unreachable. Errors of the BullMQ objects on the same Redis go through
 * `report`: connection errors are the outage this link already reported,
 * anything else is logged once per distinct message.
 */
export class RedisLink {
  private downSince?: number;
  private cause = '';
  private closed = false;
  private readonly seen = new Set<string>();
  private backListeners: (() => void)[] = [];

  private constructor(readonly url: string, readonly client: RedisClient, private readonly log: (line: string) => void) {
    client.on('error', (e: Error) => this.lost(e.message));
    client.on('close', () => this.lost('connection closed'));
    client.on('ready', () => {
      if (this.downSince === undefined) return;
      this.log(`Redis at ${url} is back after ${((Date.now() - this.downSince) / 1000).toFixed(0)} s`);
      this.downSince = undefined;
      for (const f of this.backListeners) f();
    });
  }

  /** Connect; a MoltError at once if Redis does not answer now. Later losses are waited out. */
  static async open(url: string, log: (line: string) => void): Promise<RedisLink> {
    let IORedis: typeof import('ioredis').Redis;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      IORedis = (require('ioredis') as typeof import('ioredis')).Redis;
    } catch (e) {
      throw new MoltError(`--queue needs the ioredis package (npm install ioredis): ${(e as Error).message}`, 'ioredis');
    }
    // its own commands fail at once while Redis is away (enableOfflineQueue: false): callers retry on their own schedule
    const client = new IORedis({ ...redisOptions(url), lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
    } catch (e) {
      client.disconnect();
      throw new MoltError(`--queue '${url}': Redis does not answer (${(e as Error).message})`, 'queue');
    }
    client.options.retryStrategy = reconnectDelay;
    return new RedisLink(url, client, log);
  }

  private lost(cause: string): void {
    if (this.closed || this.downSince !== undefined) return;
    this.downSince = Date.now();
    this.cause = cause;
    this.log(`lost the connection to Redis at ${this.url} (${cause}); reconnecting with back-off`);
  }

  /** ms Redis has been unreachable (0 while connected) */
  get downForMs(): number {
    return this.downSince === undefined ? 0 : Date.now() - this.downSince;
  }

  /** why Redis was last lost */
  get lastCause(): string {
    return this.cause;
  }

  /** call f each time Redis is back after a loss */
  onBack(f: () => void): void {
    this.backListeners.push(f);
  }

  /** an 'error' listener for a BullMQ object of this Redis, named `what` */
  report(what: string): (e: Error) => void {
    return (e) => {
      if (isConnectionError(e)) return this.lost(e.message);
      const line = `${what}: ${e.message.split('\n')[0]}`;
      if (this.seen.has(line)) return;
      this.seen.add(line);
      this.log(line);
    };
  }

  close(): void {
    this.closed = true;
    this.backListeners = [];
    this.client.disconnect();
  }
}

/**
 * Close a BullMQ object (or anything) within `ms`; past that, `force` it
 * without waiting: a Redis that is down can take neither a graceful close
 * nor BullMQ's disconnect, which waits for an 'end' that a connection still
 * reconnecting never emits (ioredis stops reconnecting all the same).
 */
export async function closeWithin(ms: number, close: () => Promise<unknown>, force: () => unknown): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), ms)));
  const done = await Promise.race([close().then(() => 'closed' as const, () => 'closed' as const), late]);
  clearTimeout(timer);
  if (done === 'late') Promise.resolve().then(force).catch(() => undefined);
}
