// `npm run perf`: the performance baseline. For each architecture's
// configured size, three workloads, each timed with molt (tfjs wasm) and,
// when a Python with torch exists, with the reference PyTorch implementation
// of the same model (benchmarks/reference/hf_models.py, same HF config and
// shapes):
//   train        fixed number of training steps (forward, loss, gradients, AdamW)
//   generate     B prompts of P random tokens -> N new tokens each, KV cache, temperature sampling
//   activations  forward without gradients over B x T tokens, residual stream of every layer to host memory
// Reports tokens/s (wall and per CPU second), peak RSS and the molt/PyTorch
// ratio. Every measurement runs in its own child process, one after another,
// so peak RSS is per run and runs do not compete for cores.
//
//   node -r ts-node/register benchmarks/perf/run.ts [--json] [--workloads train,generate,activations] [--steps N]
//        [--arch olmo2,gemma3] [--size default] [--batch 16] [--seq 64] [--vocab <world's>] [--warmup 2]
//        [--gen-batch 16] [--prompt 32] [--new-tokens 32] [--temperature 1] [--set key=value]... [--no-torch]
//        [--molt-threads 1,2]
import { builtInWorld } from '../../test/helpers/world';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { MoltError } from '../../core/errors';
import type { HfConfig } from '../../core/model/types';
import { DEFAULT_ADAMW } from '../../core/train/optimizer';
import { perfArchitecture, type TrainBenchResult, type WorkloadBenchResult } from './molt-train';
import type { ActivationsBenchResult } from './molt-activations';
import { RESULT_PREFIX, type MoltJob } from './molt-worker';
import { probeTorchPython, TORCH_ACTIVATIONS_PY, TORCH_GENERATE_PY, TORCH_TRAIN_PY } from './python';

export const WORKLOADS = ['train', 'generate', 'activations'] as const;
export type Workload = (typeof WORKLOADS)[number];

export interface PerfOptions {
  json: boolean;
  /** timed iterations of every workload (default: WORKLOAD_STEPS) */
  steps?: number;
  archs: string[];
  /** default: all */
  workloads?: Workload[];
  size?: string;
  /** train and activations: batch x seq tokens */
  batch?: number;
  seq?: number;
  /** generate: genBatch prompts of `prompt` tokens -> newTokens each */
  genBatch?: number;
  prompt?: number;
  newTokens?: number;
  temperature?: number;
  vocab?: number;
  warmup?: number;
  lr?: number;
  seed?: number;
  /** HF config fields to override on the named size (e.g. hidden_size) */
  overrides?: Record<string, unknown>;
  /** false: molt only */
  torch?: boolean;
  /** molt's settings of MOLT_THREADS (threads per product), each measured; the wall ratio takes the fastest (default 1 and 2, as PyTorch's) */
  moltThreads?: number[];
  /** where the report goes (default stdout) */
  write?: (text: string) => void;
}

// vocab: the default world's tokenizer, so perf measures the shapes molt trains
export const PERF_DEFAULTS = {
  size: 'default', batch: 16, seq: 64, vocab: builtInWorld(0).tokenizer.size, warmup: 2, lr: 1e-3, seed: 0,
  genBatch: 16, prompt: 32, newTokens: 32, temperature: 1, moltThreads: [1, 2],
};

/**
 * Timed iterations when --steps is not given. PyTorch runs a default-size
 * generation in ~60 ms and an activation pass in ~11 ms; timing only 10 of
 * those (under a second) on the shared cores moved even its CPU-time rate by
 * up to 2x between runs, so the short workloads get more iterations.
 */
export const WORKLOAD_STEPS: Record<Workload, number> = { train: 10, generate: 20, activations: 100 };

/** torch thread settings tried: intra-op threads, OpenBLAS threads (STACK.md: OpenBLAS's own threads oversubscribe 2 cores) */
export const TORCH_SETTINGS = [
  { threads: 1, openblas: 1 },
  { threads: 2, openblas: 1 },
] as const;

export interface TorchRun {
  threads: number;
  openblas_threads: number;
  tok_s: number;
  /** tokens per CPU second summed over threads */
  cpu_tok_s: number;
  step_ms: number;
  /** tokens one iteration processed, as the script counted them */
  tokens_per_step: number;
  peak_rss_mb: number;
  /** train only */
  final_loss?: number;
}

/** One workload on one architecture, molt next to PyTorch. */
export interface WorkloadPerf {
  molt_tok_s: number;
  torch_tok_s: number | null;
  /** molt / best PyTorch tokens/s */
  ratio: number | null;
  molt_peak_rss_mb: number;
  torch_peak_rss_mb: number | null;
  molt_step_ms: number;
  /** molt tokens per CPU second (steadier than molt_tok_s under load) */
  molt_cpu_tok_s: number;
  /** 1-thread PyTorch tokens per CPU second */
  torch_cpu_tok_s: number | null;
  /** molt_cpu_tok_s / torch_cpu_tok_s: the engine gap with the machine's load factored out */
  cpu_ratio: number | null;
  /** tokens one molt iteration processed (generate: counted from its output) */
  tokens_per_step: number;
  params: number;
  /** the best torch setting, as "threads/openblas" */
  torch_best: string | null;
  torch_runs: TorchRun[];
  /** MOLT_THREADS of the fastest molt run (molt_tok_s, molt_peak_rss_mb and molt_step_ms are that run's) */
  molt_best: number;
  /** every molt run, one per MOLT_THREADS setting; molt_cpu_tok_s is the 1-thread run's, like torch_cpu_tok_s */
  molt_runs: MoltRun[];
  config: HfConfig;
}

export interface MoltRun {
  threads: number;
  tok_s: number;
  cpu_tok_s: number;
  step_ms: number;
  peak_rss_mb: number;
}

/** The training workload (the original JSON shape). */
export interface ArchPerf extends WorkloadPerf {
  /** loss after the last timed step (about ln(vocab) on random tokens) */
  molt_final_loss: number;
  torch_runs: (TorchRun & { final_loss: number })[];
}

export interface ActivationsPerf extends WorkloadPerf {
  /** layers read per forward, and floats copied to host memory per iteration (molt) */
  layers: number;
  values: number;
}

export interface PerfSummary {
  /** empty for a workload left out with --workloads */
  train: Record<string, ArchPerf>;
  generate: Record<string, WorkloadPerf>;
  activations: Record<string, ActivationsPerf>;
  machine: { nproc: number; cpu: string; memory_gb: number; node: string; tfjs: string; torch: string | null; python: string | null };
  /** tfjs's backend name (wasm) */
  backend: string;
  /** what computed molt's numbers: backend_id 'wasm+native-<version>' when molt's native kernels replaced the backend's (core/engine/native-kernels.ts), with why not in native_skipped */
  backend_id: string;
  native_skipped: string | null;
  date: string;
  /** top level: train's (as before); generate and activations their own */
  settings: {
    size: string; batch: number; seq: number; vocab: number; steps: number; warmup: number; lr: number; adamw: typeof DEFAULT_ADAMW;
    workloads: Workload[];
    generate: { batch: number; prompt: number; new_tokens: number; temperature: number; steps: number; warmup: number };
    activations: { batch: number; seq: number; steps: number; warmup: number; hooks: string };
  };
  torch_skipped?: string;
}

const ROOT = resolve(__dirname, '..', '..');

function tfjsVersion(): string {
  return (require('@tensorflow/tfjs-core/package.json') as { version: string }).version;
}

/** Run a command; resolve with stdout, reject with the stderr tail on failure. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise(out);
      else reject(new Error(`${cmd} ${args[args.length > 2 ? 1 : 0]} exited ${code}: ${err.trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}

function lastJsonLine(out: string, prefix = ''): any {
  const line = out.trim().split('\n').reverse().find((l) => l.startsWith(prefix) && l.slice(prefix.length).trimStart().startsWith('{'));
  if (!line) throw new Error(`no JSON result in output: ${out.slice(-300)}`);
  return JSON.parse(line.slice(prefix.length));
}

/** What a molt worker prints: the common fields, plus the ones of its workload. */
type MoltResult = WorkloadBenchResult & Partial<Pick<TrainBenchResult, 'final_loss'> & Pick<ActivationsBenchResult, 'layers' | 'values'>> & {
  backend: string;
  backend_id: string;
  native_skipped: string | null;
};

/** A workload-specific number a result must carry (a worker that omits it is a bug, not a measurement). */
function field(from: object, name: string): number {
  const v = (from as Record<string, unknown>)[name];
  if (typeof v !== 'number') throw new Error(`perf: result without '${name}': ${JSON.stringify(from)}`);
  return v;
}

async function moltRun(job: MoltJob, threads: number): Promise<MoltResult> {
  const worker = join(__dirname, __filename.endsWith('.ts') ? 'molt-worker.ts' : 'molt-worker.js');
  const pre = worker.endsWith('.ts') ? ['-r', require.resolve('ts-node/register')] : [];
  const env = { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: 'true', MOLT_THREADS: `${threads}` };
  return lastJsonLine(await run(process.execPath, [...pre, worker, JSON.stringify(job)], env), RESULT_PREFIX);
}

async function torchRun(python: string, script: string, args: string[], threads: number, openblas: number): Promise<TorchRun> {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: `${openblas}`, OMP_NUM_THREADS: `${threads}` };
  const r = lastJsonLine(await run(python, [script, ...args, '--threads', `${threads}`], env));
  const out: TorchRun = {
    threads, openblas_threads: openblas, tok_s: r.tok_s, cpu_tok_s: r.cpu_tok_s, step_ms: r.step_ms,
    tokens_per_step: r.tokens_per_step, peak_rss_mb: r.peak_rss_mb,
  };
  if (typeof r.final_loss === 'number') out.final_loss = r.final_loss;
  return out;
}

type Resolved = PerfOptions & typeof PERF_DEFAULTS;

/** One workload's molt job and PyTorch command line (without --threads). */
function workloadJobs(w: Workload, arch: string, config: HfConfig, configFile: string, o: Resolved): { molt: MoltJob; script: string; args: string[] } {
  const steps = o.steps ?? WORKLOAD_STEPS[w];
  const common = { arch, config, steps, warmup: o.warmup, seed: o.seed };
  const torchCommon = ['--config', configFile, '--steps', `${steps}`, '--warmup', `${o.warmup}`, '--seed', `${o.seed}`];
  switch (w) {
    case 'train': {
      const a = DEFAULT_ADAMW;
      return {
        molt: { workload: 'train', ...common, batch: o.batch, seq: o.seq, lr: o.lr },
        script: TORCH_TRAIN_PY,
        args: [
          ...torchCommon, '--batch', `${o.batch}`, '--seq', `${o.seq}`, '--lr', `${o.lr}`,
          '--beta1', `${a.beta1}`, '--beta2', `${a.beta2}`, '--eps', `${a.eps}`, '--weight-decay', `${a.weightDecay}`,
          '--max-grad-norm', `${Number.isFinite(a.maxGradNorm) ? a.maxGradNorm : 0}`,
        ],
      };
    }
    case 'generate':
      return {
        molt: { workload: 'generate', ...common, batch: o.genBatch, prompt: o.prompt, newTokens: o.newTokens, temperature: o.temperature },
        script: TORCH_GENERATE_PY,
        args: [...torchCommon, '--batch', `${o.genBatch}`, '--prompt', `${o.prompt}`, '--new-tokens', `${o.newTokens}`, '--temperature', `${o.temperature}`],
      };
    case 'activations':
      return {
        molt: { workload: 'activations', ...common, batch: o.batch, seq: o.seq },
        script: TORCH_ACTIVATIONS_PY,
        args: [...torchCommon, '--batch', `${o.batch}`, '--seq', `${o.seq}`],
      };
  }
}

/**
 * molt's runs next to PyTorch's, each side at its fastest setting for the wall
 * ratio and at one thread for the CPU-time ratio.
 */
function compare(moltRuns: readonly { threads: number; r: MoltResult }[], torchRuns: TorchRun[], config: HfConfig): WorkloadPerf {
  const mBest = moltRuns.reduce((a, b) => (b.r.tok_s > a.r.tok_s ? b : a));
  const mOne = moltRuns.find((x) => x.threads === 1) ?? null;
  const m = mBest.r;
  const oneThread = torchRuns.find((t) => t.threads === 1);
  const best = torchRuns.length ? torchRuns.reduce((a, b) => (b.tok_s > a.tok_s ? b : a)) : null;
  const cpu = mOne?.r.cpu_tok_s ?? null;
  return {
    molt_tok_s: m.tok_s,
    torch_tok_s: best?.tok_s ?? null,
    ratio: best ? m.tok_s / best.tok_s : null,
    molt_peak_rss_mb: m.peak_rss_mb,
    torch_peak_rss_mb: best?.peak_rss_mb ?? null,
    molt_step_ms: m.step_ms,
    molt_cpu_tok_s: cpu ?? NaN,
    torch_cpu_tok_s: oneThread?.cpu_tok_s ?? null,
    cpu_ratio: oneThread && cpu !== null ? cpu / oneThread.cpu_tok_s : null,
    tokens_per_step: m.tokens_per_step,
    params: m.params,
    torch_best: best ? `${best.threads}/${best.openblas_threads}` : null,
    torch_runs: torchRuns,
    molt_best: mBest.threads,
    molt_runs: moltRuns.map(({ threads, r }) => ({ threads, tok_s: r.tok_s, cpu_tok_s: r.cpu_tok_s, step_ms: r.step_ms, peak_rss_mb: r.peak_rss_mb })),
    config,
  };
}

function fmt(x: number | null, digits = 0): string {
  return x === null ? '-' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function workloadTitle(w: Workload, s: PerfSummary): string {
  const st = s.settings;
  switch (w) {
    case 'train':
      return `train: size '${st.size}', batch ${st.batch} x seq ${st.seq}, vocab ${st.vocab}, ${st.steps} timed steps after ${st.warmup} warm-up, AdamW lr ${st.lr}`;
    case 'generate': {
      const g = st.generate;
      return `generate: ${g.batch} prompts x ${g.prompt} random tokens -> ${g.new_tokens} new tokens each, temperature ${g.temperature}, KV cache, no eos; tok/s = new tokens; ${g.steps} timed after ${g.warmup} warm-up`;
    }
    case 'activations': {
      const a = st.activations;
      return `activations: batch ${a.batch} x seq ${a.seq}, no grad, ${a.hooks} copied to host memory; ${a.steps} timed after ${a.warmup} warm-up`;
    }
  }
}

export function formatPerf(s: PerfSummary): string {
  const lines = [
    `molt perf baseline  ${s.date}`,
    `machine: ${s.machine.nproc} cores, ${s.machine.cpu}, node ${s.machine.node}, tfjs ${s.machine.tfjs} (${s.backend_id}${s.native_skipped ? `; native matmul not used: ${s.native_skipped}` : ''}), torch ${s.machine.torch ?? 'not found'}`,
  ];
  for (const w of s.settings.workloads) {
    lines.push(
      '',
      workloadTitle(w, s),
      'arch     params    molt tok/s (1t / 2t)        molt ms/iter  molt RSS MB  torch tok/s (1t / 2t)        torch RSS MB  molt/torch  | per CPU-s: molt-1t  torch-1t  ratio',
    );
    for (const [arch, r] of Object.entries(s[w] as Record<string, WorkloadPerf>)) {
      const runs = r.torch_runs.map((t) => fmt(t.tok_s)).join(' / ');
      const moltRuns = r.molt_runs.length > 1 ? ` (${r.molt_runs.map((t) => fmt(t.tok_s)).join(' / ')})` : '';
      lines.push(
        `${arch.padEnd(8)} ${fmt(r.params).padStart(9)}  ${(fmt(r.molt_tok_s) + moltRuns).padEnd(27)} ${fmt(r.molt_step_ms).padStart(12)} ${fmt(r.molt_peak_rss_mb).padStart(12)}  ` +
          `${(fmt(r.torch_tok_s) + (runs ? ` (${runs})` : '')).padEnd(28)} ${fmt(r.torch_peak_rss_mb).padStart(12)}  ${(r.ratio === null ? '-' : r.ratio.toFixed(3)).padStart(10)}  |` +
          ` ${fmt(r.molt_cpu_tok_s).padStart(18)} ${fmt(r.torch_cpu_tok_s).padStart(9)} ${(r.cpu_ratio === null ? '-' : r.cpu_ratio.toFixed(3)).padStart(6)}`,
      );
    }
  }
  lines.push('', 'tok/s is wall-clock; per CPU-s divides by the process CPU time, which shared cores disturb less. molt/torch takes each side at its fastest thread setting (molt: MOLT_THREADS); per CPU-s both at one thread.');
  if (s.torch_skipped) lines.push('', `PyTorch skipped: ${s.torch_skipped}`);
  return lines.join('\n') + '\n';
}

export async function runPerf(opts: PerfOptions): Promise<PerfSummary> {
  const o = { ...PERF_DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as Resolved;
  if (o.steps !== undefined && (!Number.isInteger(o.steps) || o.steps < 1)) throw new MoltError(`perf: --steps must be a positive integer, got ${opts.steps}`, 'steps');
  if (!o.archs.length) throw new MoltError('perf: no architecture given', 'arch');
  const workloads = checkWorkloads(o.workloads ?? [...WORKLOADS]);
  for (const [flag, v] of [['--gen-batch', o.genBatch], ['--prompt', o.prompt], ['--new-tokens', o.newTokens]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new MoltError(`perf: ${flag} must be a positive integer, got ${v}`, flag);
  }
  if (!o.moltThreads.length || o.moltThreads.some((t) => !Number.isInteger(t) || t < 1)) throw new MoltError(`perf: --molt-threads must be positive integers, got ${o.moltThreads.join(',')}`, '--molt-threads');
  const write = opts.write ?? ((t: string) => process.stdout.write(t));
  const probe = opts.torch === false ? { found: null, tried: ['disabled by --no-torch'] } : probeTorchPython();
  const tmp = mkdtempSync(join(tmpdir(), 'molt-perf-'));
  const stepsOf = (w: Workload) => o.steps ?? WORKLOAD_STEPS[w];
  const summary: PerfSummary = {
    train: {},
    generate: {},
    activations: {},
    machine: {
      nproc: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      memory_gb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      tfjs: tfjsVersion(),
      torch: probe.found?.torchVersion ?? null,
      python: probe.found?.python ?? null,
    },
    backend: 'wasm',
    backend_id: 'wasm',
    native_skipped: null,
    date: new Date().toISOString(),
    settings: {
      size: o.size, batch: o.batch, seq: o.seq, vocab: o.vocab, steps: stepsOf('train'), warmup: o.warmup, lr: o.lr, adamw: DEFAULT_ADAMW,
      workloads,
      generate: { batch: o.genBatch, prompt: o.prompt, new_tokens: o.newTokens, temperature: o.temperature, steps: stepsOf('generate'), warmup: o.warmup },
      activations: { batch: o.batch, seq: o.seq, steps: stepsOf('activations'), warmup: o.warmup, hooks: 'blocks.{l}.hook_resid_post for every layer l' },
    },
  };
  if (!probe.found) summary.torch_skipped = `no python with torch (${probe.tried.join('; ')})`;
  try {
    for (const id of o.archs) {
      const arch = perfArchitecture(id);
      const config = arch.config(o.size, { vocabSize: o.vocab, overrides: o.overrides });
      arch.validateConfig(config);
      const configFile = join(tmp, `${id}.config.json`);
      writeFileSync(configFile, JSON.stringify(config, null, 2));
      for (const w of workloads) {
        const job = workloadJobs(w, id, config, configFile, o);
        const moltRuns: { threads: number; r: MoltResult }[] = [];
        for (const threads of o.moltThreads) {
          if (!opts.json) write(`${id} ${w}: molt, MOLT_THREADS=${threads} ...\n`);
          moltRuns.push({ threads, r: await moltRun(job.molt, threads) });
        }
        const m = moltRuns[0].r;
        summary.backend = m.backend;
        summary.backend_id = m.backend_id;
        summary.native_skipped = m.native_skipped;
        const torchRuns: TorchRun[] = [];
        if (probe.found) {
          for (const s of TORCH_SETTINGS) {
            if (!opts.json) write(`${id} ${w}: PyTorch, ${s.threads} thread(s), OPENBLAS_NUM_THREADS=${s.openblas} ...\n`);
            torchRuns.push(await torchRun(probe.found.python, job.script, job.args, s.threads, s.openblas));
          }
        }
        const row = compare(moltRuns, torchRuns, config);
        if (w === 'train') {
          const runs = torchRuns.map((t) => ({ ...t, final_loss: field(t, 'final_loss') }));
          summary.train[id] = { ...row, torch_runs: runs, molt_final_loss: field(m, 'final_loss') };
        } else if (w === 'activations') {
          summary.activations[id] = { ...row, layers: field(m, 'layers'), values: field(m, 'values') };
        } else {
          summary.generate[id] = row;
        }
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  // one line: the last line of stdout parses even behind npm's script banner
  write(opts.json ? JSON.stringify(summary) + '\n' : '\n' + formatPerf(summary));
  return summary;
}

function checkWorkloads(list: string[]): Workload[] {
  if (!list.length) throw new MoltError(`perf: no workload given; valid: ${WORKLOADS.join(', ')}`, 'workloads');
  for (const w of list) {
    if (!(WORKLOADS as readonly string[]).includes(w)) throw new MoltError(`perf: unknown workload '${w}'; valid: ${WORKLOADS.join(', ')}`, w);
  }
  // the report's order, whatever order they were named in
  return WORKLOADS.filter((w) => list.includes(w));
}

/** Parse `key=value` overrides; numbers and JSON literals are decoded. `flag` names the option in the error. */
export function parseOverride(text: string, into: Record<string, unknown>, flag = 'perf: --set'): Record<string, unknown> {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new MoltError(`${flag} expects key=value, got '${text}'`, text);
  const raw = text.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // a bare string
  }
  return { ...into, [text.slice(0, eq)]: value };
}

export function parsePerfArgs(argv: string[]): PerfOptions {
  const o: PerfOptions = { json: false, archs: ['olmo2', 'gemma3'] };
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n)) throw new MoltError(`perf: ${flag} expects a number, got '${v}'`, flag);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--json': o.json = true; break;
      case '--no-torch': o.torch = false; break;
      case '--molt-threads': o.moltThreads = (argv[++i] ?? '').split(',').filter(Boolean).map((t) => num(a, t)); break;
      case '--steps': o.steps = num(a, argv[++i]); break;
      case '--warmup': o.warmup = num(a, argv[++i]); break;
      case '--batch': o.batch = num(a, argv[++i]); break;
      case '--seq': o.seq = num(a, argv[++i]); break;
      case '--vocab': o.vocab = num(a, argv[++i]); break;
      case '--lr': o.lr = num(a, argv[++i]); break;
      case '--seed': o.seed = num(a, argv[++i]); break;
      case '--size': o.size = argv[++i]; break;
      case '--arch': o.archs = (argv[++i] ?? '').split(',').filter(Boolean); break;
      case '--workloads': o.workloads = checkWorkloads((argv[++i] ?? '').split(',').filter(Boolean)); break;
      case '--gen-batch': o.genBatch = num(a, argv[++i]); break;
      case '--prompt': o.prompt = num(a, argv[++i]); break;
      case '--new-tokens': o.newTokens = num(a, argv[++i]); break;
      case '--temperature': o.temperature = num(a, argv[++i]); break;
      case '--set': o.overrides = parseOverride(argv[++i] ?? '', o.overrides ?? {}); break;
      default: throw new MoltError(`perf: unknown option '${a}'`, a);
    }
  }
  return o;
}

if (require.main === module) {
  runPerf(parsePerfArgs(process.argv.slice(2))).catch((e: Error) => {
    process.stderr.write(`perf: ${e.message}\n`);
    process.exit(1);
  });
}
