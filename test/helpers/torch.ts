// The Python with torch that the reference checks run on, or the calling
// test skipped with the reason printed (what was tried, how to set it up).
import { probeTorchPython } from '../../benchmarks/perf/python';

/** one thread each: the test suite shares the machine's cores */
export const TORCH_ENV = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };

export function torchPythonOrSkip(ctx: Mocha.Context): string {
  const probe = probeTorchPython();
  if (!probe.found) {
    console.log(`      skipped: no python with torch found (${probe.tried.join('; ')}); run benchmarks/perf/setup.sh`);
    ctx.skip();
  }
  return probe.found!.python;
}
