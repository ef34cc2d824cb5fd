// Prepares tfjs-core's gradients and chained tensor methods as CommonJS, at
// build time, for core/engine/tf.ts.
//
// tfjs-core's CommonJS bundle has neither: it ships them only as ES modules
// with extension-less imports ('./gradients/Abs_grad'), which Node (>= 20.19
// loads them as ESM) cannot resolve. Here the two entry modules and every
// module they import are compiled to CommonJS with TypeScript's transpiler,
// where extension-less require() works, and written as ONE file,
// dist/tfjs-core-cjs/<version>.js, that runs them in CommonJS's order (each
// module once, on its first require): loading ~600 files one by one costs
// most of molt's start-up. A bare import ('long', 'seedrandom') becomes a
// relative path to the package tfjs-core itself would load.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const ENTRIES = ['register_all_gradients.js', path.join('public', 'chained_ops', 'register_all_chained_ops.js')];

const SCRIPT_HASH = require('crypto').createHash('sha256').update(fs.readFileSync(__filename)).digest('hex').slice(0, 16);

function firstLine(file) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n', 1)[0];
  } catch {
    return undefined;
  }
}

/** The prepared modules of a tfjs-core version, one file that registers them all (tf.ts loads it). */
function preparedFile(root, version) {
  return path.join(root, 'dist', 'tfjs-core-cjs', `${version}.js`);
}

function prepareTfjs(root) {
  const ts = require('typescript');
  const pkgFile = require.resolve('@tensorflow/tfjs-core/package.json', { paths: [root] });
  const version = JSON.parse(fs.readFileSync(pkgFile, 'utf8')).version;
  const src = path.join(path.dirname(pkgFile), 'dist');
  const out = preparedFile(root, version);
  // made again when this script changes (the bundle's first line names it)
  const header = `// @tensorflow/tfjs-core ${version}: its gradients and chained ops as CommonJS, prepared by scripts/prepare-tfjs.js ${SCRIPT_HASH}`;
  if (firstLine(out) === header && fs.existsSync(codeCacheFile(out))) return { out, modules: 0 };

  const id = (file) => path.relative(src, file).split(path.sep).join('/');
  const modules = [];
  const seen = new Set();
  const todo = ENTRIES.map((e) => path.join(src, e));
  while (todo.length) {
    const file = todo.shift();
    if (seen.has(file)) continue;
    seen.add(file);
    const code = ts
      .transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } })
      .outputText.replace(/require\("([^"]+)"\)/g, (_, spec) => {
        if (spec.startsWith('.')) {
          const dep = resolveRelative(path.dirname(file), spec);
          todo.push(dep);
          return `__molt_require(${JSON.stringify(id(dep))})`;
        }
        // the package tfjs-core itself would load, as a path from the bundle
        let rel = path.relative(path.dirname(out), require.resolve(spec, { paths: [path.dirname(file)] })).split(path.sep).join('/');
        if (!rel.startsWith('.')) rel = `./${rel}`;
        return `require(${JSON.stringify(rel)})`;
      });
    modules.push(`${JSON.stringify(id(file))}: function (exports, module, __molt_require) {\n${code}\n}`);
  }
  // one function expression, called with the require of its own path (core/engine/tf.ts)
  const bundle = `${header}
(function (require) {
'use strict';
const modules = {
${modules.join(',\n')}
};
const loaded = {};
function __molt_require(id) {
  if (loaded[id]) return loaded[id].exports;
  const module = (loaded[id] = { exports: {} });
  modules[id].call(module.exports, module.exports, module, __molt_require);
  return module.exports;
}
${ENTRIES.map((e) => `__molt_require(${JSON.stringify(e.split(path.sep).join('/'))});`).join('\n')}
})
`;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  writeAtomic(out, bundle);
  writeAtomic(codeCacheFile(out), codeCache(out, bundle, root));
  return { out, modules: modules.length };
}

/** Where V8's compiled code of the bundle goes, beside it (tf.ts reads it there). */
function codeCacheFile(bundleFile) {
  return `${bundleFile}.v8cache`;
}

/**
 * The bundle compiled by V8: loading it with this code cache saves most of
 * parsing and compiling 5 MB of JavaScript at every start (a V8 of another
 * version rejects it, and the bundle then compiles as usual). It is taken
 * after one run, as tf.ts runs it, so the functions start-up calls are in it.
 */
function codeCache(file, source, root) {
  require(require.resolve('@tensorflow/tfjs-core', { paths: [root] }));
  const script = new vm.Script(source, { filename: file });
  script.runInThisContext()(require('module').createRequire(file));
  return script.createCachedData();
}

function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** An extension-less relative import as Node's CommonJS resolver would find it. */
function resolveRelative(dir, spec) {
  const base = path.join(dir, spec);
  for (const f of [base, `${base}.js`, path.join(base, 'index.js')]) {
    if (fs.existsSync(f) && fs.statSync(f).isFile()) return f;
  }
  throw new Error(`prepare-tfjs: cannot resolve '${spec}' from ${dir}`);
}

module.exports = { prepareTfjs };
