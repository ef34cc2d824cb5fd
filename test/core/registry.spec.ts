import 'reflect-metadata';
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { injectable, inject } from 'tsyringe';
import { PluginRegistry } from '../../core/plugins/registry';
import { loadPlugin } from '../../core/plugins/loader';
import { Runtime } from '../../core/container';
import { TOKENS } from '../../core/services';
import type { Logger } from '../../core/log';
import type { Probe } from '../../core/plugins/types';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

describe('plugin registry', () => {
  it('rejects a duplicate id and names both sources', () => {
    const r = new PluginRegistry();
    const def = { kind: 'probe' as const, id: 'p', description: 'a probe', instance: { id: 'p', description: 'a probe' } as never };
    r.register(def, '/one.js');
    assert.throws(() => r.register(def, '/two.js'), (e: Error) => /duplicate probe id 'p'/.test(e.message) && /\/one\.js/.test(e.message) && /\/two\.js/.test(e.message));
  });

  it('lists the valid ids when an unknown id is asked for', () => {
    const r = new PluginRegistry();
    r.register({ kind: 'trainer', id: 'b', description: 'B', instance: { id: 'b', description: 'B', startsFrom: 'base' } as never }, 'x');
    r.register({ kind: 'trainer', id: 'a', description: 'A', instance: { id: 'a', description: 'A', startsFrom: 'base' } as never }, 'x');
    assert.throws(() => r.entry('trainer', 'zzz'), /unknown trainer 'zzz'; valid: a, b/);
  });

  it('refuses malformed definitions with the source named', () => {
    const r = new PluginRegistry();
    assert.throws(() => r.register({ kind: 'nope', id: 'x', description: 'd', instance: {} } as any, 'src.js'), /src\.js.*unknown kind 'nope'/);
    assert.throws(() => r.register({ kind: 'probe', id: 'Bad Id', description: 'd', instance: {} } as any, 'src.js'), /src\.js.*id "Bad Id"/);
    assert.throws(() => r.register({ kind: 'probe', id: 'x', description: '', instance: {} } as any, 'src.js'), /probe 'x' \(src\.js\): field 'description'/);
    assert.throws(() => r.register({ kind: 'probe', id: 'x', description: 'd' } as any, 'src.js'), /exactly one of/);
  });

  it('injects services into class plugins through tsyringe tokens', async () => {
    @injectable()
    class SeedProbe implements Probe {
      readonly id = 'seed-probe';
      readonly description = 'reports the injected seed';
      constructor(@inject(TOKENS.settings) readonly settings: { seed: number }, @inject(TOKENS.logger) readonly logger: Logger) {}
      defaults() { return {}; }
      run(): never { throw new Error('not run in this test'); }
    }
    const rt = await Runtime.create({ seed: 42 }, { logger: quiet });
    rt.registry.register({ kind: 'probe', id: 'seed-probe', description: 'reports the injected seed', useClass: SeedProbe }, 'test');
    const p = rt.plugin('probe', 'seed-probe') as unknown as SeedProbe;
    assert.equal(p.settings.seed, 42);
    assert.equal(p.logger, quiet);
    assert.equal(rt.plugin('probe', 'seed-probe'), p, 'resolved once per runtime');
  });
});

describe('external plugins', () => {
  it('loads a plugin module from a directory outside the repo, with services injected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'molt-ext-'));
    const file = join(dir, 'my-probe.js');
    writeFileSync(
      file,
      `exports.register = (molt) => {
        molt.register({ kind: 'probe', id: 'ext-probe', description: 'an outside probe',
          create: (s) => ({ id: 'ext-probe', description: 'an outside probe', seed: s.settings.seed, hasTf: typeof molt.lib.tf.tensor === 'function' }) });
      };`,
    );
    const rt = await Runtime.create({ seed: 7, plugins: [file] }, { logger: quiet, cwd: dir });
    assert.deepEqual(rt.registry.ids('probe'), ['ext-probe']);
    assert.equal(rt.registry.entry('probe', 'ext-probe').source, file);
    const p = rt.plugin('probe', 'ext-probe') as any;
    assert.equal(p.seed, 7);
    assert.equal(p.hasTf, true);
  });

  it('accepts a module exporting a plugins array, and reports a bad module clearly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'molt-ext-'));
    writeFileSync(join(dir, 'arr.js'), `exports.plugins = [{ kind: 'trainer', id: 'ext-t', description: 'T', instance: { id: 'ext-t', description: 'T', startsFrom: 'base' } }];`);
    writeFileSync(join(dir, 'empty.js'), `exports.nothing = 1;`);
    writeFileSync(join(dir, 'broken.js'), `throw new Error('boom at load');`);
    const r = new PluginRegistry();
    await loadPlugin('./arr.js', r, dir);
    assert.deepEqual(r.ids('trainer'), ['ext-t']);
    await assert.rejects(loadPlugin('./empty.js', r, dir), /exports neither a register\(molt\) function nor a 'plugins' array/);
    await assert.rejects(loadPlugin('./broken.js', r, dir), /plugin '\.\/broken\.js' failed to load: boom at load/);
    await assert.rejects(loadPlugin('./missing.js', r, dir), /plugin '\.\/missing\.js': file not found/);
    await assert.rejects(loadPlugin('no-such-molt-plugin-pkg', r, dir), /no such file or installed package/);
  });
});
