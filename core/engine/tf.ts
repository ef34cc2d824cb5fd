// The one place molt takes TensorFlow.js from: tfjs-core plus every gradient
// and the chained tensor methods (x.reshape(), x.toInt(), ...), so that a
// backend package loaded later registers into the same engine.
//
// tfjs-core's CommonJS bundle has neither: it ships them only as ES modules
// that Node cannot load as they are. molt's build (scripts/prepare-tfjs.js)
// compiles them to CommonJS once, into one function in
// dist/tfjs-core-cjs/<version>.js that registers them. The registries, the engine and the Tensor class used for
// chaining live in globals, and Tensor has a duck-typed instanceof, so this
// second copy of the core modules feeds the same engine.
import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';
import { createRequire } from 'module';
import * as tf from '@tensorflow/tfjs-core';
import { MOLT_ROOT } from '../version';
// types of the chained methods registered below (module augmentation only)
import type {} from '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';

const TFJS_VERSION: string = require('@tensorflow/tfjs-core/package.json').version;
const PREPARED = path.join(MOLT_ROOT, 'dist', 'tfjs-core-cjs', `${TFJS_VERSION}.js`);

function registerGradientsAndChainedOps(): void {
  if (tf.getGradient('Abs') && 'toInt' in tf.Tensor.prototype) return;
  let source: string;
  try {
    source = fs.readFileSync(PREPARED, 'utf8');
  } catch {
    throw new Error(`molt: tfjs-core ${TFJS_VERSION}'s gradients are not prepared (${PREPARED} is missing): run \`npm run build\``);
  }
  // V8's code of the bundle, from the build: start-up skips compiling it (a stale one is rejected and ignored)
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(`${PREPARED}.v8cache`);
  } catch {
    // compiled as usual
  }
  const register = new vm.Script(source, { filename: PREPARED, cachedData }).runInThisContext() as (req: NodeJS.Require) => void;
  register(createRequire(PREPARED));
}

registerGradientsAndChainedOps();

export { tf };
export type Tensor = tf.Tensor;
