// The one place molt takes TensorFlow.js from: tfjs-core plus every gradient
// and the chained tensor methods (x.reshape(), x.toInt(), ...), so that a
// backend package loaded later registers into the same engine.
//
// tfjs-core's CommonJS bundle has neither: it ships them only as ES modules
// with extension-less imports ('./gradients/Abs_grad'), which Node (>= 20.19
// loads them as ESM) cannot resolve. While registering them we compile those files to CommonJS
// with TypeScript's transpiler, where extension-less require() works. The
// registries, the engine and the Tensor class used for chaining live in
// globals, and Tensor has a duck-typed instanceof, so this second copy of the
// core modules feeds the same engine.
import Module from 'module';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';

// Transpiling ~400 files costs seconds of CPU at every process start; the
// output depends only on the tfjs-core version, so it is cached on disk
// (written atomically: parallel workers may fill the cache at once).
const TFJS_VERSION: string = require('@tensorflow/tfjs-core/package.json').version;
const CACHE_DIR = path.join(path.dirname(require.resolve('@tensorflow/tfjs-core/package.json')), '..', '..', '.cache', 'molt-tfjs-cjs', TFJS_VERSION);

function compiledCommonJs(filename: string, dist: string): string {
  const cached = path.join(CACHE_DIR, path.relative(dist, filename));
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    // not cached yet
  }
  const ts: typeof import('typescript') = require('typescript');
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 },
  }).outputText;
  try {
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, out);
    fs.renameSync(tmp, cached);
  } catch {
    // a read-only install still works, just without the cache
  }
  return out;
}
// types of the chained methods registered below (module augmentation only)
import type {} from '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';

function registerGradientsAndChainedOps(): void {
  if (tf.getGradient('Abs') && 'toInt' in tf.Tensor.prototype) return;
  const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-core/package.json')), 'dist') + path.sep;
  const exts = (Module as unknown as { _extensions: Record<string, (m: NodeModule, f: string) => void> })._extensions;
  const previous = exts['.js'];
  exts['.js'] = function (this: unknown, m: NodeModule, filename: string) {
    if (!filename.startsWith(dist) || filename.endsWith('tf-core.node.js')) return previous.call(this, m, filename);
    (m as unknown as { _compile(code: string, file: string): void })._compile(compiledCommonJs(filename, dist), filename);
  };
  try {
    require('@tensorflow/tfjs-core/dist/register_all_gradients');
    require('@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops');
  } finally {
    exts['.js'] = previous;
  }
}

registerGradientsAndChainedOps();

export { tf };
export type Tensor = tf.Tensor;
