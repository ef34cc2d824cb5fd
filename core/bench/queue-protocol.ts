// What `molt bench --queue` and `molt worker` agree on: the Redis URL, the
// queue of a run, the data of a cell's job and how a failed cell is told
// apart from a crashed worker. bullmq and ioredis load only when a queue is
// used, so a local run never needs them.
import type * as Bullmq from 'bullmq';
import type { RedisOptions } from 'bullmq';
import { MoltError } from '../errors';
import type { GlobalOptions } from '../cli/context';
import type { BenchPlan } from './plan';

/** A Redis set of the queues of the runs going on now: workers serve every one of them. */
export const RUNS_KEY = 'molt:runs';

/** failedReason prefix of a job whose cell ran and failed on its last attempt (its record says why); other failures are crashes. */
export const CELL_FAILED = 'cell failed: ';

/** What a worker needs to run one cell, like the local worker's init message plus the cell. */
export interface CellJobData {
  cell: string;
  /** the harness's spec hash: a worker whose plan disagrees (other version, plugins, backend) refuses the cell */
  specHash: string;
  /** the cells it needs, whose ok records the worker checks first */
  deps: { id: string; specHash: string }[];
  suite: unknown;
  suiteFile: string;
  outDir: string;
  /** the harness's global options, paths made absolute */
  global: GlobalOptions;
}

const GLOBAL_KEYS = ['plugin', 'config', 'backend', 'seed', 'worldSeed', 'size', 'store', 'data', 'verbose'] as const;

/** Only the global options of a command's merged options (a job carries these and nothing else). */
export function onlyGlobals(o: GlobalOptions): GlobalOptions {
  const out: Record<string, unknown> = {};
  for (const k of GLOBAL_KEYS) if (o[k] !== undefined) out[k] = o[k];
  return out as GlobalOptions;
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
  const o: RedisOptions = { host: u.hostname || '127.0.0.1', port: u.port ? Number(u.port) : 6379, maxRetriesPerRequest: null };
  if (db) o.db = Number(db);
  if (u.username) o.username = decodeURIComponent(u.username);
  if (u.password) o.password = decodeURIComponent(u.password);
  if (u.protocol === 'rediss:') o.tls = {};
  return o;
}

type RedisClient = InstanceType<typeof import('ioredis').Redis>;

/** A plain client for the runs set; fails with a MoltError at once if Redis does not answer. */
export async function connectRedis(url: string): Promise<RedisClient> {
  let IORedis: typeof import('ioredis').Redis;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    IORedis = (require('ioredis') as typeof import('ioredis')).Redis;
  } catch (e) {
    throw new MoltError(`--queue needs the ioredis package (npm install ioredis): ${(e as Error).message}`, 'ioredis');
  }
  const client = new IORedis({ ...redisOptions(url), lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    client.disconnect();
    throw new MoltError(`--queue '${url}': Redis does not answer (${(e as Error).message})`, 'queue');
  }
  return client;
}
