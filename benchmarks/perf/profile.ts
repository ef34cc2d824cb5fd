// Where a training step's time goes, by tfjs kernel: one profiled step of
// the perf benchmark's training step (forward, loss, gradients, AdamW).
//   node -r ts-node/register benchmarks/perf/profile.ts [olmo2|gemma3] [batch] [seq]
// Prints kernels per step, total kernel ms and the top kernels by time.
import { tf } from '../../core/engine/tf';
import { initBackend } from '../../core/engine/backend';
import { Rng } from '../../core/engine/rng';
import { AdamW, DEFAULT_ADAMW } from '../../core/train/optimizer';
import { perfArchitecture, trainStep } from './molt-train';

async function main(): Promise<void> {
  const [archId = 'olmo2', b = '16', t = '64'] = process.argv.slice(2);
  const [B, T] = [Number(b), Number(t)];
  await initBackend('wasm');
  const arch = perfArchitecture(archId);
  const model = arch.init(arch.config('default', { vocabSize: 1870 }), new Rng(0));
  const opt = new AdamW(model.params, DEFAULT_ADAMW);
  const rng = new Rng(1);
  const tokens = () => tf.tensor2d(Int32Array.from({ length: B * T }, () => rng.int(model.vocabSize)), [B, T], 'int32');
  const [ids, targets] = [tokens(), tokens()];
  const weights = tf.ones([B, T]) as tf.Tensor2D;
  for (let i = 0; i < 2; i++) trainStep(model, opt, ids, targets, weights, 1e-4); // warm-up
  const info = await tf.profile(() => {
    trainStep(model, opt, ids, targets, weights, 1e-4);
  });
  const by = new Map<string, { n: number; ms: number }>();
  for (const k of info.kernels) {
    const e = by.get(k.name) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += Number(k.kernelTimeMs) || 0;
    by.set(k.name, e);
  }
  const total = [...by.values()].reduce((s, e) => s + e.ms, 0);
  console.log(`${archId} default, batch ${B} x seq ${T}: ${info.kernels.length} kernels per step, ${total.toFixed(1)} kernel ms`);
  for (const [name, e] of [...by.entries()].sort((x, y) => y[1].ms - x[1].ms).slice(0, 15)) {
    console.log(`${name.padEnd(20)} ${String(e.n).padStart(5)} calls ${e.ms.toFixed(1).padStart(8)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)}%`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
