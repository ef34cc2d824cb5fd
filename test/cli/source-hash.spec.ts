// scripts/source-hash.js and bin/molt.js: dist/ records which sources it was
// compiled from, and molt refuses to run a dist/ the sources have moved on from.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sh = require('../../scripts/source-hash.js') as {
  sourceFiles(root: string, dirs: string[]): string[];
  sourceHash(root: string, dirs: string[]): string | undefined;
  buildDirs(root: string): string[];
  writeRecord(root: string, hash: string | undefined): void;
  clearRecord(root: string): void;
  staleDist(root: string): string | undefined;
};

const repo = join(__dirname, '..', '..');

function put(root: string, rel: string, text: string): void {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), text);
}

/** a root with tsconfig.build.json (include core, plugins) and two sources */
function project(): string {
  const root = mkdtempSync(join(tmpdir(), 'molt-source-hash-'));
  put(root, 'tsconfig.build.json', JSON.stringify({ include: ['core', 'plugins'] }));
  put(root, 'core/a.ts', 'export const a = 1;\n');
  put(root, 'plugins/p/index.ts', 'export const p = 2;\n');
  put(root, 'core/notes.md', 'not a source');
  mkdirSync(join(root, 'dist'), { recursive: true });
  return root;
}

describe('source hash of dist/', () => {
  it('hashes the .ts files of the build dirs: content, names and additions change it, other files do not', () => {
    const root = project();
    const dirs = sh.buildDirs(root);
    assert.deepEqual(sh.sourceFiles(root, dirs), ['core/a.ts', 'plugins/p/index.ts']);
    const h0 = sh.sourceHash(root, dirs)!;
    assert.match(h0, /^[0-9a-f]{64}$/);
    put(root, 'core/notes.md', 'edited');
    assert.equal(sh.sourceHash(root, dirs), h0);
    put(root, 'core/a.ts', 'export const a = 2;\n');
    const h1 = sh.sourceHash(root, dirs);
    assert.notEqual(h1, h0);
    put(root, 'core/b.ts', '');
    assert.notEqual(sh.sourceHash(root, dirs), h1);
    rmSync(join(root, 'core/b.ts'));
    assert.equal(sh.sourceHash(root, dirs), h1);
    // the same bytes under another name are other sources
    rmSync(join(root, 'core/a.ts'));
    put(root, 'core/c.ts', 'export const a = 2;\n');
    assert.notEqual(sh.sourceHash(root, dirs), h1);
    assert.equal(sh.sourceHash(mkdtempSync(join(tmpdir(), 'molt-empty-')), ['core']), undefined);
  });

  it('dist/ is stale without a record, after an edit, and after a failed build (record cleared); fresh when recorded from the same sources', () => {
    const root = project();
    assert.match(sh.staleDist(root)!, /dist\/ has no source-hash\.json/);
    sh.writeRecord(root, sh.sourceHash(root, sh.buildDirs(root)));
    assert.equal(sh.staleDist(root), undefined);
    put(root, 'plugins/p/index.ts', 'export const p = 3;\n');
    assert.match(sh.staleDist(root)!, /the sources in core\/, plugins\/ have changed since dist\/ was built/);
    sh.writeRecord(root, sh.sourceHash(root, sh.buildDirs(root)));
    assert.equal(sh.staleDist(root), undefined);
    sh.clearRecord(root);
    assert.match(sh.staleDist(root)!, /no source-hash\.json/);
  });

  it('bin/molt.js refuses a stale dist/ in one line, runs a fresh one, and leaves worker processes to their parent', () => {
    // a copy of bin/molt.js over a stand-in dist/ whose CLI prints 'ran'
    const root = project();
    for (const f of ['bin/molt.js', 'scripts/source-hash.js']) {
      mkdirSync(join(root, f, '..'), { recursive: true });
      copyFileSync(join(repo, f), join(root, f));
    }
    symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'));
    put(root, 'dist/core/cli/main.js', "exports.runCli = async () => { process.stdout.write('ran'); return 0; };\n");
    const molt = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'molt.js'), ...args], { encoding: 'utf8', env: { ...process.env, MOLT_FROM_SOURCE: '' } });
    const hash = sh.sourceHash(root, sh.buildDirs(root))!;
    sh.writeRecord(root, hash);
    const fresh = molt('checkpoints');
    assert.equal(fresh.status, 0, fresh.stderr);
    assert.equal(fresh.stdout, 'ran');
    put(root, 'core/a.ts', 'export const a = 5;\n');
    const stale = molt('checkpoints');
    assert.equal(stale.status, 1);
    assert.equal(stale.stdout, '');
    assert.match(stale.stderr, /^molt: the sources in core\/, plugins\/ have changed since dist\/ was built \([^)]+\): run `npm run build` in .+ \(or MOLT_FROM_SOURCE=1 to run the sources\)\n$/);
    assert.equal(molt('_worker').stdout, 'ran', 'a worker runs what its parent checked');
  });
});
