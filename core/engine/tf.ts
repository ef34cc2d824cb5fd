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
import * as ts from 'typescript';
import * as tf from '@tensorflow/tfjs-core';
// types of the chained methods registered below (module augmentation only)
import type {} from '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';

function registerGradientsAndChainedOps(): void {
  if (tf.getGradient('Abs') && 'toInt' in tf.Tensor.prototype) return;
  const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-core/package.json')), 'dist') + path.sep;
  const exts = (Module as unknown as { _extensions: Record<string, (m: NodeModule, f: string) => void> })._extensions;
  const previous = exts['.js'];
  exts['.js'] = function (this: unknown, m: NodeModule, filename: string) {
    if (!filename.startsWith(dist) || filename.endsWith('tf-core.node.js')) return previous.call(this, m, filename);
    const source = fs.readFileSync(filename, 'utf8');
    const out = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 },
    }).outputText;
    (m as unknown as { _compile(code: string, file: string): void })._compile(out, filename);
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
