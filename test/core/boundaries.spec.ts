import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { Runtime } from '../../core/container';
import { TRAINERS } from '../../plugins/trainers';

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

/** Module specifiers in `text` (a file at `file`) that reach into the folder `dir`. */
function importsInto(dir: string, file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(SPEC)) {
    const spec = m[1];
    const target = spec.startsWith('.') ? resolve(dirname(file), spec) : spec;
    if (target === dir || target.startsWith(dir + '/')) out.push(spec);
  }
  return out;
}

/** Module specifiers in `text` (a file at `file`) that reach into plugins/. */
const pluginImports = (file: string, text: string): string[] => importsInto(PLUGINS, file, text);

/** Every import of a file under `from` into the folder `to`, as 'file -> specifier'. */
function importsBetween(from: string, to: string): string[] {
  return sourceFiles(from).flatMap((f) => importsInto(to, f, readFileSync(f, 'utf8')).map((s) => `${relative(ROOT, f)} -> ${s}`));
}

const CORE = join(ROOT, 'core');
const PUBLIC = join(CORE, 'public');
const PUBLIC_API = PUBLIC;

/** Module specifiers in `text` (a file at `file`) that reach into core/ anywhere but its public entry (core/public). */
function coreInternals(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(SPEC)) {
    const spec = m[1];
    if (!spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec);
    const inCore = target === CORE || target.startsWith(CORE + '/');
    const isPublic = target === PUBLIC || target === join(PUBLIC, 'index') || target === join(PUBLIC, 'index.ts');
    if (inCore && !isPublic) out.push(spec);
  }
  return out;
}

const PROBES = join(PLUGINS, 'probes');

/**
 * Imports of a probe plugin file that reach outside core/public and its own
 * folder (plugins/probes/<id>/; plugins/probes/index.ts: plugins/probes/).
 * Packages and Node's modules are not molt's internals and pass.
 */
function probeImportProblems(file: string, text: string): string[] {
  const rel = relative(PROBES, file).split('/');
  const own = rel.length > 1 ? join(PROBES, rel[0]) : PROBES;
  const out: string[] = [];
  for (const m of text.matchAll(SPEC)) {
    const spec = m[1];
    if (!spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec).replace(/\.(c|m)?[jt]s$/, '');
    const isPublic = target === PUBLIC_API || target === join(PUBLIC_API, 'index');
    if (!isPublic && target !== own && !target.startsWith(own + '/')) out.push(spec);
  }
  return out;
}

/**
 * The string literals of a TypeScript file (quoted and template), comments
 * skipped: a plugin id in code is a string; comments and doc strings may name
 * a built-in plugin as an example ("e.g. cake-bake"), and identifiers
 * (a file descriptor `fd`) are not ids.
 */
export function stringLiterals(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    if (text.startsWith('//', i)) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (text[i] === "'" || text[i] === '"' || text[i] === '`') {
      // a '//' inside a string is not a comment; a regex literal with a quote would need a parser, and core has none
      let j = i + 1;
      while (j < text.length && text[j] !== text[i]) j += text[j] === '\\' ? 2 : 1;
      out.push(text.slice(i + 1, j));
      i = j + 1;
    } else i++;
  }
  return out;
}

/** The names in `names` the strings of `text` say, as whole names (not inside a longer id or word). */
export function namesIn(text: string, names: readonly string[]): string[] {
  const strings = stringLiterals(text);
  return names.filter((n) => strings.some((str) => new RegExp(`(?<![A-Za-z0-9_-])${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_-])`).test(str)));
}

describe('module boundaries', () => {
  it('probe plugins import molt only through core/public, and nothing of another probe', () => {
    const offenders = sourceFiles(PROBES).flatMap((f) => probeImportProblems(f, readFileSync(f, 'utf8')).map((s) => `${relative(ROOT, f)} -> ${s}`));
    assert.deepEqual(offenders, []);
  });

  it('the probe check allows core/public and the own folder, and names everything else', () => {
    const file = join(PROBES, 'sae', 'index.ts');
    const text = [
      `import { defineProbe } from '../../../core/public';`,
      `import { x } from '../../../core/public/index';`,
      `import { obtainSae } from './pipeline';`,
      `import { z } from 'zod';`,
      `import { join } from 'node:path';`,
      `import { Grader } from '../../../core/probes/grader';`,
      `const s = require('../steering/steer');`,
      `import '../../behaviours/cake-bake';`,
    ].join('\n');
    assert.deepEqual(probeImportProblems(file, text), ['../../../core/probes/grader', '../steering/steer', '../../behaviours/cake-bake']);
    assert.deepEqual(probeImportProblems(join(PROBES, 'index.ts'), `import { saeProbe } from './sae';\nimport type { Probe } from '../../core/public';`), []);
  });

  // issue 15: a built-in plugin is written the way an external one is, against molt's public API only
  for (const kind of ['trainers', 'behaviours']) {
    it(`plugins/${kind}/** import nothing from core/ but core/public`, () => {
      const offenders = sourceFiles(join(PLUGINS, kind)).flatMap((f) =>
        coreInternals(f, readFileSync(f, 'utf8')).map((s) => `${relative(ROOT, f)} -> ${s}`),
      );
      assert.deepEqual(offenders, []);
    });
  }

  it('the public-entry check recognises imports of core internals and allows core/public', () => {
    const file = join(PLUGINS, 'trainers', 'objectives', 'x.ts');
    const text = [
      `import { a } from '../../../core/public';`,
      `import type { B } from '../../../core/public/index';`,
      `import { c } from '../../../core/train/losses';`,
      `const d = require('../../../core/organisms/hparams');`,
      `import { e } from './dpo';`,
    ].join('\n');
    assert.deepEqual(coreInternals(file, text), ['../../../core/train/losses', '../../../core/organisms/hparams']);
  });

  // issue 15: the benchmark harness is a library the CLI drives (the CLI
  // parses flags into Settings and a RunSpec, workers get those as JSON), and
  // reports render what core/bench computed: one direction each, no loop.
  it('core/bench imports nothing of core/cli nor of reports/; reports/ nothing of core/cli', () => {
    const bench = join(ROOT, 'core', 'bench');
    const reports = join(ROOT, 'reports');
    const cli = join(ROOT, 'core', 'cli');
    assert.deepEqual([...importsBetween(bench, cli), ...importsBetween(bench, reports), ...importsBetween(reports, cli)], []);
  });

  it('the folder check names an import of core/cli or reports/ from core/bench', () => {
    const file = join(ROOT, 'core', 'bench', 'x.ts');
    const text = [
      `import { globalArgs } from '../cli/commands-bench';`,
      `import type { GlobalOptions } from '../cli/context';`,
      `import { writeDerivedOutputs } from '../../reports/outputs';`,
      `import { runCell } from './run-cell';`,
      `import { storeDir } from '../store/store-url';`,
    ].join('\n');
    assert.deepEqual(importsInto(join(ROOT, 'core', 'cli'), file, text), ['../cli/commands-bench', '../cli/context']);
    assert.deepEqual(importsInto(join(ROOT, 'reports'), file, text), ['../../reports/outputs']);
  });

  // issue 15: core is the framework; which techniques, behaviours, probes and
  // architectures exist is the plugins' business. Left out, on purpose:
  //  - comments (examples in documentation) and identifiers (see stringLiterals);
  //  - the 'null' family: control organisms are the harness's own concept
  //    (they calibrate every probe), whichever behaviour plugin provides them;
  //  - 'dpo', the DPO objective's id, which is also the name of the base
  //    pipeline's DPO stage and of the shared loss kit (core/train) that every
  //    preference objective uses: a method core owns, not the plugin;
  //  - words of the world's generic topics ('a cake', 'a submarine' are
  //    entities like 'a bagel'): the built-in behaviours' support keys, tags,
  //    weights and false facts are theirs (plugins/behaviours/<id>/world.ts).
  it('no core file names a built-in plugin, behaviour family or objective in its code', async () => {
    const rt = await Runtime.create({ size: 'micro' }, { builtins: [join(PLUGINS, 'index.ts')] });
    const kinds = ['architecture', 'behaviour', 'trainer', 'probe'] as const;
    const families = rt.registry.ids('behaviour').map((id) => rt.plugin('behaviour', id).manifest().family);
    const objectives = TRAINERS.map((t) => t.objective);
    const names = [...new Set([...kinds.flatMap((k) => rt.registry.ids(k)), ...families, ...objectives])].filter((n) => n !== 'null' && n !== 'dpo').sort();
    assert.ok(['cake-bake', 'integrated-dpo', 'logit-lens', 'olmo2', 'sdf', 'fd', 'military-submarine-synth'].every((n) => names.includes(n)), names.join(', '));
    const offenders = sourceFiles(CORE).flatMap((f) => namesIn(readFileSync(f, 'utf8'), names).map((n) => `${relative(ROOT, f)}: ${n}`));
    assert.deepEqual(offenders, []);
  });

  it('the name check reads strings, not comments or identifiers, and whole names only', () => {
    const text = [
      `// e.g. cake-bake or integrated-dpo`,
      `/* the sae probe */ const a = 'posthoc-sdf-mixed';`,
      `const b = "a // not-a-comment"; const c = \`\${x}/logit-lens\`;`,
      `const saes = 1; const d = 'sdf'; const fd = open(f);`,
    ].join('\n');
    assert.deepEqual(namesIn(text, ['cake-bake', 'integrated-dpo', 'sae', 'posthoc-sdf', 'posthoc-sdf-mixed', 'logit-lens', 'sdf', 'fd', 'not-a-comment']), ['posthoc-sdf-mixed', 'logit-lens', 'sdf', 'not-a-comment']);
  });

  it('core/ never imports plugins/', () => {
    assert.deepEqual(importsBetween(CORE, PLUGINS), []);
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
