// molt bench --queue against a real redis-server on 127.0.0.1: the ci suite
// on two `molt worker` processes, one of them SIGKILLed in the middle of an
// organism cell, ends with the same results.csv, byte for byte, as an
// in-process run; the killed worker's cell is found stalled and run again by
// the other. Redis shut down without saving mid-run and started again: the
// run finishes with the same results.csv; Redis gone for good: the harness
// gives up with one line. .ci/run installs redis-server, so this skips only
// on a machine without it.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runMolt } from '../helpers/cli';
import { storeDir } from '../../core/store/store-url';
import { isConnectionError, reconnectDelay, redisOptions } from '../../core/bench/queue-protocol';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'molt.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A child process with its stdout and stderr gathered. */
interface Proc {
  child: ChildProcess;
  log: () => string;
  exit: Promise<number | null>;
}
function start(args: string[], cwd: string): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (c) => (text += c));
  child.stderr!.on('data', (c) => (text += c));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, log: () => text, exit };
}

/** A redis-server on 127.0.0.1:port without persistence, ready. */
async function startRedis(port: number): Promise<ChildProcess> {
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  redis.stdout!.on('data', (c) => (out += c));
  await until('redis-server is ready', 10_000, () => /Ready to accept connections/.test(out));
  return redis;
}

/** What `redis-cli -p port shutdown nosave` does: Redis exits and forgets everything. */
async function shutdownNosave(redis: ChildProcess, port: number): Promise<void> {
  const exited = new Promise((r) => redis.once('exit', r));
  assert.equal(spawnSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave']).status, 0, 'redis-cli shutdown nosave');
  await exited;
}

const finishedCells = (log: string) => (log.match(/^\[\d+\/\d+\] /gm) ?? []).length;
const STACK = /\n\s+at \S/;

async function until(what: string, ms: number, ok: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    assert.ok(Date.now() - t0 < ms, `${what} within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('store and queue URLs', () => {
  it('--store takes a path or a file:// URL, and nothing else', () => {
    assert.equal(storeDir('/shared/store'), '/shared/store');
    assert.equal(storeDir('rel/store'), 'rel/store');
    assert.equal(storeDir('file:///shared/molt%20store'), '/shared/molt store');
    assert.throws(() => storeDir('s3://bucket/store'), /--store 's3:\/\/bucket\/store': only directories and file:\/\/ URLs/);
    assert.throws(() => storeDir('file://otherhost/store'), /not a usable file:\/\/ URL/);
  });

  it('--queue takes redis://[user:password@]host[:port][/db]', () => {
    assert.deepEqual(redisOptions('redis://10.1.2.3:7000/2'), { host: '10.1.2.3', port: 7000, db: 2, maxRetriesPerRequest: null, retryStrategy: reconnectDelay });
    assert.deepEqual(redisOptions('redis://u:p%40ss@h'), { host: 'h', port: 6379, username: 'u', password: 'p@ss', maxRetriesPerRequest: null, retryStrategy: reconnectDelay });
    assert.throws(() => redisOptions('http://h:1'), /--queue 'http:\/\/h:1': expected a redis:\/\//);
    assert.throws(() => redisOptions('redis://h:1/queue'), /the path must be a database number, got 'queue'/);
    assert.throws(() => redisOptions('h:1'), /expected a redis:\/\//);
  });

  it('a lost Redis is retried with back-off; only connection errors count as the outage', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 50].map(reconnectDelay), [250, 500, 1000, 2000, 4000, 4000, 4000]);
    assert.ok(isConnectionError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' })));
    assert.ok(isConnectionError(new Error('Connection is closed.')));
    assert.ok(isConnectionError(new Error("Stream isn't writeable and enableOfflineQueue options is false")));
    assert.ok(!isConnectionError(new Error('Missing key for job x. moveToFinished')));
  });
});

describe('molt bench --queue (BullMQ on a real redis-server)', function () {
  this.timeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), 'molt-queue-'));
  const procs: ChildProcess[] = [];
  let url = '';

  // the reference: the ci suite in process (once, for every test that compares with it)
  let localRun: Promise<string> | undefined;
  const localResults = () =>
    (localRun ??= runMolt(['--store', join(dir, 'store-local'), 'bench', '--suite', 'ci', '--workers', '0', '--out', join(dir, 'local')], dir).then((r) => {
      assert.equal(r.code, 0, r.stderr);
      return readFileSync(join(dir, 'local', 'results.csv'), 'utf8');
    }));

  before(async function () {
    if (spawnSync('redis-server', ['--version']).error || spawnSync('redis-cli', ['--version']).error) {
      console.log('    (skipped: no redis-server or redis-cli binary; .ci/run installs them with apt-get install redis-server)');
      this.skip();
    }
    const port = await freePort();
    procs.push(await startRedis(port));
    url = `redis://127.0.0.1:${port}`;
  });

  after(() => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  });

  it('runs the ci suite on 2 workers, one SIGKILLed mid-cell, to the same results.csv as an in-process run', async () => {
    const local = await localResults();

    // another store, named by URL: the workers compute every artifact themselves
    const store = pathToFileURL(join(dir, 'store-q')).href;
    // a short lock: a dead worker's cell is found stalled within seconds
    const workerArgs = ['--store', store, 'worker', '--queue', url, '--lock-duration', '4000', '--stalled-interval', '1000'];
    const workers = [start(workerArgs, dir), start(workerArgs, dir)];
    procs.push(...workers.map((w) => w.child));
    await until('both workers are up', 120_000, () => workers.every((w) => /waiting for runs/.test(w.log())));

    const bench = start(['--store', store, 'bench', '--suite', 'ci', '--queue', url, '--out', join(dir, 'queued')], dir);
    procs.push(bench.child);
    const started = /start (organism:\S+)/;
    await until('a worker starts an organism cell', 120_000, () => workers.some((w) => started.test(w.log())));
    const victim = workers.find((w) => started.test(w.log()))!;
    const survivor = workers.find((w) => w !== victim)!;
    const cell = started.exec(victim.log())![1];
    // into the cell's training, then no chance to save anything
    await new Promise((r) => setTimeout(r, 300));
    victim.child.kill('SIGKILL');

    const code = await bench.exit;
    assert.equal(code, 0, bench.log());
    assert.match(bench.log(), /bench ci: 31 ok, 0 failed, 0 skipped of 31 cells/);
    assert.match(bench.log(), new RegExp(`${cell.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: its worker stopped answering`), 'the harness saw the cell stall');
    assert.ok(survivor.log().includes(`start ${cell} `), `the surviving worker ran ${cell} again`);
    assert.equal(readFileSync(join(dir, 'queued', 'results.csv'), 'utf8'), local, 'results.csv byte-identical');

    // Ctrl-C stops an idle worker cleanly
    survivor.child.kill('SIGINT');
    assert.equal(await survivor.exit, 0, survivor.log());
  });

  it('Redis shut down without saving mid-run and started again: workers rejoin, lost jobs are queued again, results.csv is byte-identical', async () => {
    const local = await localResults();
    const port = await freePort();
    const redisUrl = `redis://127.0.0.1:${port}`;
    let redis = await startRedis(port);
    procs.push(redis);
    const store = join(dir, 'store-q');
    const workerArgs = ['--store', store, 'worker', '--queue', redisUrl];
    const workers = [start(workerArgs, dir), start(workerArgs, dir)];
    procs.push(...workers.map((w) => w.child));
    await until('both workers are up', 120_000, () => workers.every((w) => /waiting for runs/.test(w.log())));
    const bench = start(['--store', store, 'bench', '--suite', 'ci', '--queue', redisUrl, '--out', join(dir, 'restarted'), '--redis-timeout', '120'], dir);
    procs.push(bench.child);

    await until('10 cells finished', 180_000, () => finishedCells(bench.log()) >= 10);
    await shutdownNosave(redis, port);
    await until('everyone saw Redis go', 30_000, () => [bench, ...workers].every((p) => /lost the connection to Redis/.test(p.log())));
    await new Promise((r) => setTimeout(r, 3000));
    redis = await startRedis(port);
    procs.push(redis);

    assert.equal(await bench.exit, 0, bench.log());
    const log = bench.log();
    assert.match(log, /bench ci: 31 ok, 0 failed, 0 skipped of 31 cells/);
    assert.equal(readFileSync(join(dir, 'restarted', 'results.csv'), 'utf8'), local, 'results.csv byte-identical');
    // one line for the outage, one when Redis is back, one for the jobs it lost; no stack traces
    assert.equal(log.split('lost the connection to Redis').length - 1, 1, log);
    assert.match(log, new RegExp(`Redis at ${redisUrl} is back after \\d+ s`));
    assert.match(log, /Redis had lost \d+ queued job\(s\) \(restarted without its data\?\)/);
    assert.doesNotMatch(log, STACK);
    for (const w of workers) {
      assert.doesNotMatch(w.log(), STACK);
      assert.equal(w.log().split('lost the connection to Redis').length - 1, 1, w.log());
    }
    // the workers rejoined the run: cells were started after Redis came back
    assert.ok(workers.some((w) => /start \S+ \(job/.test(w.log().split(' is back after ')[1] ?? '')), 'a worker started cells after the restart');
    // the first Ctrl-C stops a worker
    for (const w of workers) {
      w.child.kill('SIGINT');
      assert.equal(await w.exit, 0, w.log());
    }
  });

  it('Redis gone for good: the harness gives up with one line, finished cells kept; a worker still stops on the first Ctrl-C', async () => {
    const port = await freePort();
    const redisUrl = `redis://127.0.0.1:${port}`;
    const redis = await startRedis(port);
    procs.push(redis);
    const store = join(dir, 'store-q');
    const worker = start(['--store', store, 'worker', '--queue', redisUrl], dir);
    procs.push(worker.child);
    await until('the worker is up', 120_000, () => /waiting for runs/.test(worker.log()));
    const out = join(dir, 'gone');
    const bench = start(['--store', store, 'bench', '--suite', 'ci', '--queue', redisUrl, '--out', out, '--redis-timeout', '3'], dir);
    procs.push(bench.child);
    await until('3 cells finished', 180_000, () => finishedCells(bench.log()) >= 3);
    await shutdownNosave(redis, port);

    assert.equal(await bench.exit, 1, bench.log());
    const log = bench.log();
    const errors = log.split('\n').filter((l) => l.startsWith('molt: error:'));
    assert.equal(errors.length, 1, log);
    assert.match(errors[0], new RegExp(`^molt: error: --queue ${redisUrl}: Redis has not answered for \\d+ s \\(.+\\); gave up\\. The (\\d+) finished cells are kept in ${out}: run the same command again once Redis is back$`));
    assert.doesNotMatch(log, STACK);
    const kept = Number(/The (\d+) finished cells/.exec(errors[0])![1]);
    assert.ok(kept >= 3 && readdirSync(join(out, 'cells')).length >= kept, 'the finished records are kept');

    worker.child.kill('SIGINT');
    assert.equal(await worker.exit, 0, worker.log());
    assert.doesNotMatch(worker.log(), STACK);
  });

  it('a failing cell fails after its retries and skips its dependants, as in a local run', async () => {
    const ext = mkdtempSync(join(tmpdir(), 'molt-queue-ext-'));
    copyFileSync(join(__dirname, 'fixtures', 'ext-plugins.ts'), join(ext, 'ext-plugins.ts'));
    copyFileSync(join(__dirname, 'fixtures', 'broken-trainer.ts'), join(ext, 'broken-trainer.ts'));
    writeFileSync(
      join(ext, 'suite.yaml'),
      ['size: micro', 'match: false', 'reproducible: true', 'eval: { samples: 1, max_new_tokens: 8, leakage_prompts: 8 }', 'organisms:', '  - { behaviours: [cake-bake], techniques: [posthoc-fd, ext-broken-trainer], architectures: [olmo2] }', 'probes: [logit-lens, ext-broken]', ''].join('\n'),
    );
    process.env.MOLT_ROOT = ROOT;
    const plugins = ['--plugin', './ext-plugins.ts', '--plugin', './broken-trainer.ts'];
    const local = await runMolt([...plugins, '--store', join(dir, 'store-local'), 'bench', '--suite', './suite.yaml', '--workers', '0', '--out', join(ext, 'local')], ext);
    assert.equal(local.code, 1, local.stderr);
    assert.match(local.stdout, /3 ok, 2 failed, 2 skipped of 7 cells/);
    const notOk = /molt: error: bench suite: 2 failed \(organism:olmo2:cake-bake:ext-broken-trainer:s0, probe:olmo2:cake-bake:posthoc-fd:s0:ext-broken@ancestor\), 2 skipped \(probe:olmo2:cake-bake:ext-broken-trainer:s0:logit-lens@ancestor, probe:olmo2:cake-bake:ext-broken-trainer:s0:ext-broken@ancestor\) of 7 cells/;
    assert.match(local.stderr, notOk);

    // the worker runs elsewhere: the plugins reach it as absolute paths in the jobs
    const worker = start(['--store', join(dir, 'store-q'), 'worker', '--queue', url], dir);
    procs.push(worker.child);
    const bench = start([...plugins, '--store', join(dir, 'store-q'), 'bench', '--suite', './suite.yaml', '--queue', url, '--out', join(ext, 'queued')], ext);
    procs.push(bench.child);
    assert.equal(await bench.exit, 1, bench.log());
    assert.match(bench.log(), /3 ok, 2 failed, 2 skipped of 7 cells/);
    assert.match(bench.log(), notOk);
    // each failing cell was tried 3 times
    for (const cell of ['organism:olmo2:cake-bake:ext-broken-trainer:s0', 'probe:olmo2:cake-bake:posthoc-fd:s0:ext-broken@ancestor']) {
      assert.equal(worker.log().split(`start ${cell} `).length - 1, 3, `${cell} tried 3 times`);
    }
    // the skipped probes never reached a worker
    assert.ok(!worker.log().includes('start probe:olmo2:cake-bake:ext-broken-trainer'), 'probes of the failed organism not run');
    assert.equal(readFileSync(join(ext, 'queued', 'results.csv'), 'utf8'), readFileSync(join(ext, 'local', 'results.csv'), 'utf8'), 'results.csv byte-identical');
    worker.child.kill('SIGINT');
    assert.equal(await worker.exit, 0, worker.log());
  });
});
