// molt bench --queue against a real redis-server on 127.0.0.1: the ci suite
// on two `molt worker` processes, one of them SIGKILLed in the middle of an
// organism cell, ends with the same results.csv, byte for byte, as an
// in-process run; the killed worker's cell is found stalled and run again by
// the other. .ci/run installs redis-server, so this skips only on a machine
// without it.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runMolt } from '../helpers/cli';
import { storeDir } from '../../core/store/store-url';
import { redisOptions } from '../../core/bench/queue-protocol';

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
    assert.deepEqual(redisOptions('redis://10.1.2.3:7000/2'), { host: '10.1.2.3', port: 7000, db: 2, maxRetriesPerRequest: null });
    assert.deepEqual(redisOptions('redis://u:p%40ss@h'), { host: 'h', port: 6379, username: 'u', password: 'p@ss', maxRetriesPerRequest: null });
    assert.throws(() => redisOptions('http://h:1'), /--queue 'http:\/\/h:1': expected a redis:\/\//);
    assert.throws(() => redisOptions('redis://h:1/queue'), /the path must be a database number, got 'queue'/);
    assert.throws(() => redisOptions('h:1'), /expected a redis:\/\//);
  });
});

describe('molt bench --queue (BullMQ on a real redis-server)', function () {
  this.timeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), 'molt-queue-'));
  const procs: ChildProcess[] = [];
  let url = '';

  before(async function () {
    if (spawnSync('redis-server', ['--version']).error) {
      console.log('    (skipped: no redis-server binary; .ci/run installs it with apt-get install redis-server)');
      this.skip();
    }
    const port = await freePort();
    const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(redis);
    let out = '';
    redis.stdout!.on('data', (c) => (out += c));
    await until('redis-server is ready', 10_000, () => /Ready to accept connections/.test(out));
    url = `redis://127.0.0.1:${port}`;
  });

  after(() => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  });

  it('runs the ci suite on 2 workers, one SIGKILLed mid-cell, to the same results.csv as an in-process run', async () => {
    const local = await runMolt(['--store', join(dir, 'store-local'), 'bench', '--suite', 'ci', '--workers', '0', '--out', join(dir, 'local')], dir);
    assert.equal(local.code, 0, local.stderr);

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
    assert.match(bench.log(), /bench ci: 29 ok, 0 failed, 0 skipped of 29 cells/);
    assert.match(bench.log(), new RegExp(`${cell.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: its worker stopped answering`), 'the harness saw the cell stall');
    assert.ok(survivor.log().includes(`start ${cell} `), `the surviving worker ran ${cell} again`);
    assert.equal(readFileSync(join(dir, 'queued', 'results.csv'), 'utf8'), readFileSync(join(dir, 'local', 'results.csv'), 'utf8'), 'results.csv byte-identical');

    // Ctrl-C stops an idle worker cleanly
    survivor.child.kill('SIGINT');
    assert.equal(await survivor.exit, 0, survivor.log());
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
