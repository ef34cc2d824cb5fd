// scripts/prune-dist.js: after a build, compiled files whose source is gone
// are deleted, and nothing else is.
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pruneDist } = require('../../scripts/prune-dist.js') as {
  pruneDist(root: string, dirs: string[]): string[];
};

function touch(root: string, rel: string): void {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), '');
}

describe('pruneDist', () => {
  it('deletes the .js, .js.map and .d.ts of a removed source, keeps those of live sources and files it does not own', () => {
    const root = mkdtempSync(join(tmpdir(), 'molt-prune-'));
    touch(root, 'core/kept.ts');
    touch(root, 'plugins/b/index.ts');
    for (const ext of ['.js', '.js.map', '.d.ts']) {
      touch(root, `dist/core/kept${ext}`);
      touch(root, `dist/core/gone${ext}`);
      touch(root, `dist/plugins/b/index${ext}`);
      touch(root, `dist/plugins/b${ext}`);
    }
    touch(root, 'dist/core/notes.json');
    touch(root, 'dist/tfjs-core-cjs/index.js');

    const removed = pruneDist(root, ['core', 'plugins', 'reports']).sort();

    assert.deepEqual(removed, [
      'dist/core/gone.d.ts', 'dist/core/gone.js', 'dist/core/gone.js.map',
      'dist/plugins/b.d.ts', 'dist/plugins/b.js', 'dist/plugins/b.js.map',
    ].map((p) => join(...p.split('/'))));
    for (const ext of ['.js', '.js.map', '.d.ts']) {
      assert.ok(existsSync(join(root, `dist/core/kept${ext}`)));
      assert.ok(existsSync(join(root, `dist/plugins/b/index${ext}`)));
    }
    assert.ok(existsSync(join(root, 'dist/core/notes.json')), 'a file that is not a compiler output stays');
    assert.ok(existsSync(join(root, 'dist/tfjs-core-cjs/index.js')), 'only the compiled dirs are walked');
  });
});
