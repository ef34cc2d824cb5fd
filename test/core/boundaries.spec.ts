import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const PLUGINS = join(ROOT, 'plugins');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.(c|m)?[jt]s$/.test(name) ? [p] : [];
  });
}

// import ... from 'x', export ... from 'x', import 'x', require('x'), import('x')
const SPEC = /(?:from\s+|require\s*\(\s*|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g;

/** Module specifiers in `text` (a file at `file`) that reach into plugins/. */
function pluginImports(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(SPEC)) {
    const spec = m[1];
    const target = spec.startsWith('.') ? resolve(dirname(file), spec) : spec;
    if (target === PLUGINS || target.startsWith(PLUGINS + '/')) out.push(spec);
  }
  return out;
}

describe('module boundaries', () => {
  it('core/ never imports plugins/', () => {
    const offenders = sourceFiles(join(ROOT, 'core')).flatMap((f) =>
      pluginImports(f, readFileSync(f, 'utf8')).map((s) => `${relative(ROOT, f)} -> ${s}`),
    );
    assert.deepEqual(offenders, []);
  });

  it('the check recognises every import form that reaches plugins/', () => {
    const file = join(ROOT, 'core', 'cli', 'x.ts');
    const text = [
      `import { a } from '../../plugins/index';`,
      `import '../../plugins/architectures/olmo2';`,
      `export * from "../../plugins";`,
      `const b = require('../../plugins/x');`,
      `const c = await import('../../plugins/y');`,
      `import { d } from '../plugins/registry';`, // core/plugins: allowed
    ].join('\n');
    assert.deepEqual(pluginImports(file, text), [
      '../../plugins/index',
      '../../plugins/architectures/olmo2',
      '../../plugins',
      '../../plugins/x',
      '../../plugins/y',
    ]);
  });
});
