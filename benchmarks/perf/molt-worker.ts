// Child-process entry for one molt training measurement, so that each
// architecture's peak RSS is its own (RSS never shrinks within a process,
// and the wasm heap only grows). Input: one JSON TrainBenchOptions argument.
// Output: one line `MOLT_PERF_RESULT <json>` on stdout.
import { initBackend } from '../../core/engine/backend';
import { benchMoltTraining, type TrainBenchOptions } from './molt-train';

export const RESULT_PREFIX = 'MOLT_PERF_RESULT ';

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2]) as TrainBenchOptions;
  const backend = await initBackend('wasm');
  const result = benchMoltTraining(opts);
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ ...result, backend: backend.name })}\n`);
}

if (require.main === module) {
  main().catch((e: Error) => {
    process.stderr.write(`${e.stack ?? e.message}\n`);
    process.exit(1);
  });
}
