import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isMoltError } from '../../core/errors';
import { ArtifactStore } from '../../core/store/artifact-store';
import { writeFileAtomic, writeFileNamed } from '../../core/store/atomic';
import { writeSafetensors } from '../../core/checkpoint/safetensors';
import { aliasDataTag, pointAlias, stageAlias } from '../../core/pipeline/base';
import { organismAlias } from '../../core/organisms/build';

const HELLO_SHA = '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03'; // sha256("hello\n")
const EMPTY_SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function moltError(...mentions: string[]) {
  return (e: unknown) => {
    assert.ok(isMoltError(e), `expected a MoltError, got ${e}`);
    for (const m of mentions) assert.ok((e as Error).message.includes(m), `"${(e as Error).message}" should mention "${m}"`);
    return true;
  };
}

function runNode(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register', ...args], {
      cwd: resolve(__dirname, '../..'),
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms).unref())]);
}

describe('ArtifactStore', () => {
  let root: string;
  let store: ArtifactStore;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'molt-store-'));
    store = new ArtifactStore({ root });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const build = async (dir: string) => {
    await writeFile(join(dir, 'a.txt'), 'hello\n');
    mkdirSync(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'empty.bin'), '');
  };

  it('builds a directory artifact with a manifest of sizes and sha256', async () => {
    assert.equal(store.has('checkpoints', 'k1'), false);
    const res = await store.writeDir('checkpoints', 'k1', build);
    assert.deepEqual(res, { path: join(root, 'checkpoints', 'k1'), created: true });
    assert.ok(store.has('checkpoints', 'k1'));
    assert.equal(readFileSync(join(res.path, 'a.txt'), 'utf8'), 'hello\n');
    const manifest = JSON.parse(readFileSync(join(res.path, 'manifest.json'), 'utf8'));
    assert.deepEqual(manifest, {
      version: 1,
      files: [
        { path: 'a.txt', size: 6, sha256: HELLO_SHA },
        { path: 'sub/empty.bin', size: 0, sha256: EMPTY_SHA },
      ],
    });
    assert.deepEqual(await store.verify('checkpoints', 'k1'), manifest);
    // no temporary left beside it
    assert.deepEqual(readdirSync(join(root, 'checkpoints')), ['k1']);
  });

  it('keeps the first artifact when the key exists (builder not called)', async () => {
    await store.writeDir('checkpoints', 'k1', build);
    let called = false;
    const res = await store.writeDir('checkpoints', 'k1', async () => {
      called = true;
    });
    assert.equal(res.created, false);
    assert.equal(called, false);
  });

  it('shows nothing while a build runs, and nothing after a builder throws', async () => {
    let sawDuring: boolean | undefined;
    let listDuring: string[] | undefined;
    await assert.rejects(
      store.writeDir('checkpoints', 'k2', async (tmp) => {
        await writeFile(join(tmp, 'half.bin'), 'partial');
        sawDuring = store.has('checkpoints', 'k2');
        listDuring = await store.list('checkpoints');
        throw new Error('out of memory in step 3');
      }),
      /out of memory in step 3/,
    );
    assert.equal(sawDuring, false);
    assert.deepEqual(listDuring, []);
    assert.equal(store.has('checkpoints', 'k2'), false);
    assert.deepEqual(readdirSync(join(root, 'checkpoints')), []);
    await assert.rejects(store.verify('checkpoints', 'k2'), moltError('checkpoints/k2'));
  });

  it('refuses a builder that writes manifest.json itself, and bad kinds or keys', async () => {
    await assert.rejects(store.writeDir('checkpoints', 'k3', async (tmp) => writeFile(join(tmp, 'manifest.json'), '{}')), moltError('manifest.json'));
    assert.equal(store.has('checkpoints', 'k3'), false);
    assert.throws(() => store.path('checkpoints', '../etc'), moltError("'../etc'"));
    assert.throws(() => store.path('checkpoints', 'a.json'), moltError("'a.json'"));
    assert.throws(() => store.path('Check points', 'k'), moltError("'Check points'"));
  });

  it('two processes writing the same key both succeed and leave one complete artifact from one of them', async () => {
    const barrier = join(root, 'barrier');
    mkdirSync(barrier);
    const script = 'test/store/fixtures/concurrent-writer.ts';
    const [a, b] = await Promise.all([runNode([script, root, barrier, 'A']), runNode([script, root, barrier, 'B'])]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const results = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
    const winners = results.filter((r) => r.created);
    assert.equal(winners.length, 1, JSON.stringify(results));
    const dir = store.path('checkpoints', 'samekey');
    assert.equal(readFileSync(join(dir, 'writer.txt'), 'utf8'), winners[0].id);
    const model = readFileSync(join(dir, 'model.bin'));
    assert.equal(model.length, 200_000);
    assert.ok(model.every((x) => x === winners[0].id.charCodeAt(0)), 'all bytes from the winning writer');
    await store.verify('checkpoints', 'samekey');
    assert.deepEqual(readdirSync(join(root, 'checkpoints')), ['samekey']);
  });

  it('verify names the artifact and the file when a byte flips, a file goes or one appears', async () => {
    const { path } = await store.writeDir('checkpoints', 'k4', build);
    const file = join(path, 'a.txt');
    const bytes = readFileSync(file);
    bytes[0] ^= 0x01;
    writeFileSync(file, bytes);
    await assert.rejects(store.verify('checkpoints', 'k4'), moltError('checkpoints/k4', "'a.txt'", 'sha256'));
    writeFileSync(file, 'hello\n');
    await store.verify('checkpoints', 'k4');
    writeFileSync(file, 'hello\n\n');
    await assert.rejects(store.verify('checkpoints', 'k4'), moltError("'a.txt'", '7 bytes'));
    writeFileSync(file, 'hello\n');
    rmSync(join(path, 'sub', 'empty.bin'));
    await assert.rejects(store.verify('checkpoints', 'k4'), moltError("'sub/empty.bin'", 'missing'));
    writeFileSync(join(path, 'sub', 'empty.bin'), '');
    writeFileSync(join(path, 'stray.txt'), 'x');
    await assert.rejects(store.verify('checkpoints', 'k4'), moltError("'stray.txt'", 'not in the manifest'));
  });

  it('writes and reads JSON artifacts atomically, and lists both kinds of artifact', async () => {
    await store.writeDir('evals', 'dirkey', build);
    const file = await store.writeJson('evals', 'r1', { qer: 0.3, n: 100 });
    assert.equal(file, join(root, 'evals', 'r1.json'));
    assert.deepEqual(await store.readJson('evals', 'r1'), { qer: 0.3, n: 100 });
    await store.writeJson('evals', 'r1', { qer: 0.31, n: 100 });
    assert.deepEqual(await store.readJson('evals', 'r1'), { qer: 0.31, n: 100 });
    assert.ok(store.has('evals', 'r1'));
    assert.deepEqual(await store.list('evals'), ['dirkey', 'r1']);
    assert.deepEqual(readdirSync(join(root, 'evals')).sort(), ['dirkey', 'r1.json']);
    await assert.rejects(store.readJson('evals', 'nope'), moltError('evals/nope'));
    writeFileSync(join(root, 'evals', 'bad.json'), '{');
    await assert.rejects(store.readJson('evals', 'bad'), moltError('bad.json'));
    await store.remove('evals', 'dirkey');
    await store.remove('evals', 'r1');
    assert.deepEqual(await store.list('evals'), ['bad']);
  });

  it('keeps a work directory across store instances until removed, out of the listing', async () => {
    const work = await store.workDir('checkpoints', 'run1');
    writeFileSync(join(work, 'step-100.safetensors'), 'x');
    const again = await new ArtifactStore({ root }).workDir('checkpoints', 'run1');
    assert.equal(again, work);
    assert.ok(existsSync(join(again, 'step-100.safetensors')));
    assert.deepEqual(await store.list('checkpoints'), []);
    await store.removeWorkDir('checkpoints', 'run1');
    assert.equal(existsSync(work), false);
  });

  it('build locks: one builder at a time per key; a dead holder on this host is broken, one on another host is not', async () => {
    const order: string[] = [];
    const slow = (name: string) => async () => {
      order.push(`${name} in`);
      await new Promise((r) => setTimeout(r, 50));
      order.push(`${name} out`);
      return name;
    };
    const waits: string[] = [];
    const [a, b] = await Promise.all([store.withBuildLock('checkpoints', 'k1', slow('a'), (h) => waits.push(h)), store.withBuildLock('checkpoints', 'k1', slow('b'), (h) => waits.push(h))]);
    assert.deepEqual([a, b], ['a', 'b']);
    const first = order[0][0];
    const second = first === 'a' ? 'b' : 'a';
    assert.deepEqual(order, [`${first} in`, `${first} out`, `${second} in`, `${second} out`], 'never both inside');
    assert.equal(waits.length, 1, 'exactly one waited');
    assert.match(waits[0], new RegExp(`^${hostname()} ${process.pid}$`), 'the waiter is told who holds the lock');
    const lock = join(root, 'checkpoints', '.work', 'k2.lock');
    // a crashed holder on this host (a pid that cannot exist)
    writeFileSync(lock, `${hostname()} 999999999`);
    assert.equal(await store.withBuildLock('checkpoints', 'k2', async () => 'ran'), 'ran');
    assert.equal(existsSync(lock), false, 'released');
    // the same pid on another machine sharing the store: alive as far as we can tell
    writeFileSync(lock, 'some-other-host 999999999');
    const waiting = store.withBuildLock('checkpoints', 'k2', async () => 'ran');
    assert.equal(await withTimeout(waiting, 300), 'timeout');
    rmSync(lock); // that machine finishes: the waiter goes ahead
    assert.equal(await waiting, 'ran');
  });

  it('a failed write names the file (a full disk: /dev/full)', async function () {
    if (!existsSync('/dev/full')) this.skip();
    await assert.rejects(writeFileNamed('/dev/full', 'x'), moltError('/dev/full: cannot write', 'ENOSPC'));
    const tensors = new Map([['w', { dtype: 'F32' as const, shape: [2], data: new Float32Array(2) }]]);
    await assert.rejects(writeSafetensors('/dev/full', tensors), moltError('/dev/full: cannot write', 'ENOSPC'));
    // an atomic write names the file it was writing, not its temporary sibling
    const target = join(root, 'no-such-dir', 'f.json');
    await assert.rejects(writeFileAtomic(target, 'x'), moltError(`${target}: cannot write`, 'ENOENT'));
  });

  it('removes temporary directories of crashed writers only when stale', async () => {
    mkdirSync(join(root, 'checkpoints', '.k.tmp-1-abc'), { recursive: true });
    mkdirSync(join(root, 'checkpoints', '.j.tmp-2-def'));
    const old = new Date(Date.now() - 3 * 24 * 3600_000);
    utimesSync(join(root, 'checkpoints', '.k.tmp-1-abc'), old, old);
    assert.equal(await store.removeStaleTemp('checkpoints'), 1);
    assert.deepEqual(readdirSync(join(root, 'checkpoints')), ['.j.tmp-2-def']);
  });

  describe('aliases and resolution', () => {
    const key1 = 'aaaaaa1111';
    const key2 = 'aaaaaa2222';
    beforeEach(async () => {
      await store.writeDir('checkpoints', key1, build);
      await store.writeDir('checkpoints', key2, build);
    });

    it('maps names to keys in aliases.json and resolves keys, aliases, prefixes and paths', async () => {
      assert.equal(await store.setAlias('checkpoints', 'olmo2/default/base', key1), undefined);
      assert.equal(await store.setAlias('checkpoints', 'olmo2-base', key1), undefined);
      assert.equal(await store.setAlias('checkpoints', 'olmo2-base', key1), undefined, 'the same target again is no move');
      assert.equal(await store.setAlias('checkpoints', 'olmo2-base', key2), key1, 're-pointed: the key it named before');
      assert.deepEqual(JSON.parse(readFileSync(join(root, 'checkpoints', 'aliases.json'), 'utf8')), { 'olmo2-base': key2, 'olmo2/default/base': key1 });
      assert.deepEqual(await store.resolve('checkpoints', 'olmo2/default/base'), { by: 'alias', key: key1, path: store.path('checkpoints', key1) });
      assert.deepEqual(await store.resolve('checkpoints', 'olmo2-base'), { by: 'alias', key: key2, path: store.path('checkpoints', key2) });
      assert.deepEqual(await store.resolve('checkpoints', key1), { by: 'key', key: key1, path: store.path('checkpoints', key1) });
      assert.deepEqual(await store.resolve('checkpoints', 'aaaaaa2'), { by: 'prefix', key: key2, path: store.path('checkpoints', key2) });
      await assert.rejects(store.resolve('checkpoints', 'aaaaaa'), moltError('ambiguous'));
      const hfDir = join(root, 'exported');
      mkdirSync(hfDir);
      assert.deepEqual(await store.resolve('checkpoints', hfDir), { by: 'path', path: hfDir });
      await assert.rejects(store.resolve('checkpoints', 'gemma3-base'), moltError("'gemma3-base'", 'olmo2-base'));
      await assert.rejects(store.resolve('checkpoints', './nowhere'), moltError('./nowhere'));
      await store.removeAlias('checkpoints', 'olmo2-base');
      assert.deepEqual(await store.aliases('checkpoints'), { 'olmo2/default/base': key1 });
      assert.ok(!(await store.list('checkpoints')).includes('aliases'));
    });

    it('an alias that moves to another checkpoint says so, naming both keys; pointing it again at the same one says nothing', async () => {
      const said: string[] = [];
      await pointAlias(store, 'olmo2/default/base', key1, (l) => said.push(l));
      await pointAlias(store, 'olmo2/default/base', key1, (l) => said.push(l));
      assert.equal(said.length, 0);
      await pointAlias(store, 'olmo2/default/base', key2, (l) => said.push(l));
      assert.deepEqual(said, ['alias olmo2/default/base now names checkpoint aaaaaa2222; it named aaaaaa1111, built from other inputs (still in the store under that key)']);
    });

    it('aliases carry the data: nothing for the default world, world<seed> for another, data-<12 hex> for JSONL', () => {
      assert.equal(aliasDataTag({ seed: 0 }), '');
      assert.equal(aliasDataTag({ seed: 7 }), 'world7');
      assert.equal(aliasDataTag({ seed: 'jsonl:0123456789abcdef' }), 'data-0123456789ab');
      assert.equal(stageAlias('olmo2', 'micro', 0, 'base'), 'olmo2/micro/base');
      assert.equal(stageAlias('olmo2', 'micro', 2, 'base', 'world7'), 'olmo2/micro/world7/seed2/base');
      assert.equal(organismAlias('olmo2', 'micro', 'cake-bake', 'posthoc-fd', 0), 'olmo2/micro/organism/cake-bake/posthoc-fd');
      assert.equal(organismAlias('olmo2', 'micro', 'cake-bake', 'posthoc-fd', 1, 'data-0123456789ab'), 'olmo2/micro/data-0123456789ab/organism/cake-bake/posthoc-fd/seed1');
    });

    it('refuses aliases to missing artifacts and reports aliases left dangling', async () => {
      await assert.rejects(store.setAlias('checkpoints', 'x', 'nokey'), moltError('checkpoints/nokey'));
      await assert.rejects(store.setAlias('checkpoints', '../x', key1), moltError("'../x'"));
      await store.setAlias('checkpoints', 'gone', key1);
      await store.remove('checkpoints', key1);
      await assert.rejects(store.resolve('checkpoints', 'gone'), moltError("'gone'", key1));
    });

    it('loses no update when many aliases are set at once', async () => {
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.setAlias('checkpoints', `name-${i}`, i % 2 ? key1 : key2)));
      const table = await store.aliases('checkpoints');
      assert.equal(Object.keys(table).length, 20);
      assert.equal(table['name-3'], key1);
      assert.ok(!existsSync(join(root, 'checkpoints', '.aliases.lock')));
    });
  });

  it('takes its root from the option, else MOLT_STORE, else <cwd>/.molt/store', () => {
    const saved = process.env.MOLT_STORE;
    try {
      process.env.MOLT_STORE = join(root, 'env-store');
      assert.equal(new ArtifactStore().root, join(root, 'env-store'));
      assert.equal(new ArtifactStore({ root: join(root, 'opt') }).root, join(root, 'opt'));
      assert.equal(new ArtifactStore(join(root, 'positional')).root, join(root, 'positional'));
      delete process.env.MOLT_STORE;
      assert.equal(new ArtifactStore().root, join(process.cwd(), '.molt', 'store'));
    } finally {
      if (saved === undefined) delete process.env.MOLT_STORE;
      else process.env.MOLT_STORE = saved;
    }
  });
});
