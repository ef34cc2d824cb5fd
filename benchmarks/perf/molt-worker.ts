// Child-process entry for one molt measurement, so that each workload's and
// architecture's peak RSS is its own (RSS never shrinks within a process, and
// the wasm heap only grows). Input: one JSON MoltJob argument (a job without
// `workload` is a training job, as before). Output: one line
// `MOLT_PERF_RESULT <json>` on stdout.
import { initBackend } from '../../core/engine/backend';
import { MoltError } from '../../core/errors';
import { benchMoltActivations, type ActivationsBenchOptions } from './molt-activations';
import { benchMoltGeneration, type GenerateBenchOptions } from './molt-generate';
import { benchMoltTraining, type TrainBenchOptions, type WorkloadBenchResult } from './molt-train';

export const RESULT_PREFIX = 'MOLT_PERF_RESULT ';

export type MoltJob =
  | ({ workload?: 'train' } & TrainBenchOptions)
  | ({ workload: 'generate' } & GenerateBenchOptions)
  | ({ workload: 'activations' } & ActivationsBenchOptions);

export function runMoltJob(job: MoltJob): WorkloadBenchResult {
  switch (job.workload) {
    case undefined:
    case 'train':
      return benchMoltTraining(job);
    case 'generate':
      return benchMoltGeneration(job);
    case 'activations':
      return benchMoltActivations(job);
    default:
      throw new MoltError(`perf: unknown workload '${(job as { workload: string }).workload}'`, 'workload');
  }
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]) as MoltJob;
  const backend = await initBackend('wasm');
  const result = runMoltJob(job);
  // name: tfjs's backend (as before); id: what computed the numbers ('wasm+native-<version>' when molt's native kernels are in)
  const info = { backend: backend.name, backend_id: backend.id, native_skipped: backend.nativeSkipped };
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ ...result, ...info })}\n`);
}

if (require.main === module) {
  main().catch((e: Error) => {
    process.stderr.write(`${e.stack ?? e.message}\n`);
    process.exit(1);
  });
}
