// Timing shared by molt's perf workloads: untimed warm-up iterations (kernel
// set-up, wasm heap growth), then timed ones, measured in wall time and in this
// process's CPU time, which other jobs on shared cores disturb less.

export interface Timed<T> {
  seconds: number;
  /** user + system CPU seconds of this process over the timed iterations */
  cpuSeconds: number;
  /** what the last timed iteration returned */
  last: T;
}

export function timeIterations<T>(warmup: number, steps: number, step: () => T): Timed<T> {
  for (let i = 0; i < warmup; i++) step();
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let last: T | undefined;
  for (let i = 0; i < steps; i++) last = step();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, last: last as T };
}

/** This process's peak resident set so far, in MB. */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
}

/** The rates every workload reports, from tokens per iteration and a timing. */
export function rates(tokensPerStep: number, steps: number, t: { seconds: number; cpuSeconds: number }): { tok_s: number; cpu_tok_s: number; step_ms: number } {
  return {
    tok_s: (tokensPerStep * steps) / t.seconds,
    cpu_tok_s: (tokensPerStep * steps) / t.cpuSeconds,
    step_ms: (1000 * t.seconds) / steps,
  };
}
