// Where a training step's time goes, by tfjs kernel: one profiled step of
// the perf benchmark's training step (forward, loss, gradients, AdamW).
//   node -r ts-node/register benchmarks/perf/profile.ts [olmo2|gemma3] [batch] [seq] [--set key=value]...
// Prints kernels per step, total kernel ms, the step's wall ms outside the
// profiler and the top kernels by time. --set overrides the default size's
// config as `npm run perf -- --set` does (e.g. hidden_size=256).
import { tf } from '../../core/engine/tf';
import { initBackend } from '../../core/engine/backend';
import { Rng } from '../../core/engine/rng';
import { AdamW, DEFAULT_ADAMW } from '../../core/train/optimizer';
import { timeIterations } from './measure';
import { perfArchitecture, trainStep } from './molt-train';
import { parseOverride } from './run';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let overrides: Record<string, unknown> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--set') overrides = parseOverride(args[++i] ?? '', overrides);
    else positional.push(args[i]);
  }
  const [archId = 'olmo2', b = '16', t = '64'] = positional;
  const [B, T] = [Number(b), Number(t)];
  await initBackend('wasm');
  const arch = perfArchitecture(archId);
  const model = arch.init(arch.config('default', { vocabSize: 1870, overrides }), new Rng(0));
  const opt = new AdamW(model.params, DEFAULT_ADAMW);
  const rng = new Rng(1);
  const tokens = () => tf.tensor2d(Int32Array.from({ length: B * T }, () => rng.int(model.vocabSize)), [B, T], 'int32');
  const [ids, targets] = [tokens(), tokens()];
  const weights = tf.ones([B, T]) as tf.Tensor2D;
  // the profiler times each kernel synchronously, so the step's own wall time is taken without it
  const timed = 5;
  const stepMs = (timeIterations(2, timed, () => trainStep(model, opt, ids, targets, weights, 1e-4)).seconds * 1000) / timed;
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
  const sets = Object.entries(overrides).map(([k, v]) => ` ${k}=${v}`).join('');
  console.log(`${archId} default${sets}, batch ${B} x seq ${T}: ${info.kernels.length} kernels per step, ${total.toFixed(1)} kernel ms; step ${stepMs.toFixed(1)} ms without the profiler`);
  for (const [name, e] of [...by.entries()].sort((x, y) => y[1].ms - x[1].ms).slice(0, 15)) {
    console.log(`${name.padEnd(20)} ${String(e.n).padStart(5)} calls ${e.ms.toFixed(1).padStart(8)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)}%`);
  }
  // matrix products by operand shapes: where the GEMM's time goes and at what rate
  const products = new Map<string, { n: number; ms: number; flop: number }>();
  for (const k of info.kernels.filter((k) => k.name === 'BatchMatMul')) {
    const [a, b] = k.inputShapes as number[][];
    const out = k.outputShapes[0] as number[];
    // A holds (batch x m) x k elements whether or not it is transposed (no product here broadcasts A)
    const outSize = out.reduce((p, d) => p * d, 1);
    const inner = (a.reduce((p, d) => p * d, 1) * out[out.length - 1]) / outSize;
    const key = `[${a}] x [${b}] -> [${out}]`;
    const e = products.get(key) ?? { n: 0, ms: 0, flop: 0 };
    e.n++;
    e.ms += Number(k.kernelTimeMs) || 0;
    e.flop += 2 * outSize * inner;
    products.set(key, e);
  }
  console.log('matrix products by operand shapes:');
  for (const [key, e] of [...products.entries()].sort((x, y) => y[1].ms - x[1].ms)) {
    console.log(`  ${key.padEnd(48)} ${String(e.n).padStart(4)} calls ${e.ms.toFixed(1).padStart(7)} ms ${(e.flop / e.ms / 1e6).toFixed(1).padStart(6)} GFLOP/s`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
