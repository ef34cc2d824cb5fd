// molt as installed: bin/molt.js running the compiled JavaScript in dist/
// (scripts/build.js, run by `npm install` / `npm ci` and `npm run build`),
// not the TypeScript sources the other tests run.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';
import { runMolt } from '../helpers/cli';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'molt.js');
const DIST = join(ROOT, 'dist');
const EXAMPLE = join(ROOT, 'examples', 'plugins');

/** A node process with no TypeScript support: what a user's shell starts. */
function compiled(args: string[], cwd = tmpdir()): { code: number; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, MOLT_STORE: '' };
  delete env.MOLT_FROM_SOURCE;
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('the built molt (dist/)', function () {
  this.timeout(120_000);

  before(function () {
    assert.ok(existsSync(join(DIST, 'core', 'cli', 'main.js')), `${DIST} is not built: run \`npm run build\` (npm install does)`);
  });

  it('molt --help and molt ls run from dist, and list what the sources list, with an external JavaScript plugin package', async () => {
    const help = compiled([BIN, '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: molt /);
    const built = compiled([BIN, 'ls', '--json', '--plugin', EXAMPLE]);
    assert.equal(built.code, 0, built.stderr);
    const fromSource = await runMolt(['ls', '--json', '--plugin', EXAMPLE]);
    assert.equal(fromSource.code, 0, fromSource.stderr);
    assert.deepEqual(JSON.parse(built.stdout), JSON.parse(fromSource.stdout), 'dist is older than the sources? npm run build');
    assert.ok(JSON.parse(built.stdout).trainers.some((t: { id: string }) => t.id === 'posthoc-kto'), 'the example package registers its trainer');
    // the build recorded the sources it compiled, and they are the tree's (else molt would have refused to run)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { readRecord, sourceHash, buildDirs } = require('../../scripts/source-hash.js');
    assert.equal(readRecord(ROOT).source_hash, sourceHash(ROOT, buildDirs(ROOT)));
  });

  it('a TypeScript plugin file is a one-line error naming it (molt runs JavaScript)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'molt-build-'));
    const file = join(dir, 'my-probe.ts');
    writeFileSync(file, 'export const register = (molt: unknown): void => undefined;\n');
    const r = compiled([BIN, 'ls', '--plugin', file]);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr, `molt: error: plugin '${file}': a TypeScript file; molt runs JavaScript: compile the plugin (e.g. tsc) and load the .js\n`);
  });

  it('a class plugin compiled with the build settings gets its services injected by the built runtime (decorator metadata)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'molt-build-'));
    const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.build.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(String(d.messageText)) })!;
    const tsyringe = require.resolve('tsyringe');
    const source = `
      import { injectable, inject } from ${JSON.stringify(tsyringe)};
      export class Clock { readonly now = 7; }
      // the Clock is found by its type alone: what emitDecoratorMetadata records
      @injectable()
      export class SeedProbe {
        readonly id = 'seed-probe';
        readonly description = 'reports the injected seed';
        constructor(@inject(Symbol.for('molt.settings')) readonly settings: { seed: number }, readonly clock: Clock) {}
      }`;
    writeFileSync(join(dir, 'seed-probe.js'), ts.transpileModule(source, { compilerOptions: parsed.options }).outputText);
    const script = `
      require(${JSON.stringify(require.resolve('reflect-metadata'))});
      const { Runtime } = require(${JSON.stringify(join(DIST, 'core', 'container.js'))});
      const { SeedProbe } = require(${JSON.stringify(join(dir, 'seed-probe.js'))});
      Runtime.create({ seed: 42 }).then((rt) => {
        rt.registry.register({ kind: 'probe', id: 'seed-probe', description: 'reports the injected seed', useClass: SeedProbe }, 'test');
        const p = rt.plugin('probe', 'seed-probe');
        process.stdout.write(p.settings.seed + ' ' + (p.clock && p.clock.now));
      });`;
    const r = compiled(['-e', script]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '42 7');
  });
});
