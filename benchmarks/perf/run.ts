// `npm run perf`: the performance baseline. Trains each architecture's
// configured size for a fixed number of steps with molt (tfjs wasm) and,
// when a Python with torch exists, the same model (same HF config, same
// shapes, same step) with the reference PyTorch implementation
// (benchmarks/reference/hf_models.py). Reports tokens/s, peak RSS and the
// molt/PyTorch ratio. Every measurement runs in its own child process, one
// after another, so peak RSS is per run and runs do not compete for cores.
//
//   node -r ts-node/register benchmarks/perf/run.ts [--json] [--steps N] [--arch olmo2,gemma3]
//        [--size default] [--batch 16] [--seq 64] [--vocab <world's>] [--warmup 2] [--set key=value]... [--no-torch]
import { buildWorld } from '../../core/world/world';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { MoltError } from '../../core/errors';
import type { HfConfig } from '../../core/model/types';
import { DEFAULT_ADAMW } from '../../core/train/optimizer';
import { perfArchitecture, type TrainBenchOptions, type TrainBenchResult } from './molt-train';
import { RESULT_PREFIX } from './molt-worker';
import { probeTorchPython, TORCH_TRAIN_PY } from './python';

export interface PerfOptions {
  json: boolean;
  /** timed steps per measurement */
  steps: number;
  archs: string[];
  size?: string;
  batch?: number;
  seq?: number;
  vocab?: number;
  warmup?: number;
  lr?: number;
  seed?: number;
  /** HF config fields to override on the named size (e.g. hidden_size) */
  overrides?: Record<string, unknown>;
  /** false: molt only */
  torch?: boolean;
  /** where the report goes (default stdout) */
  write?: (text: string) => void;
}

// vocab: the default world's tokenizer, so perf measures the shapes molt trains
export const PERF_DEFAULTS = { size: 'default', batch: 16, seq: 64, vocab: buildWorld(0).tokenizer.size, warmup: 2, lr: 1e-3, seed: 0, steps: 10 };

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
  peak_rss_mb: number;
  final_loss: number;
}

export interface ArchPerf {
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
  /** loss after the last timed step (about ln(vocab) on random tokens) */
  molt_final_loss: number;
  params: number;
  /** the best torch setting, as "threads/openblas" */
  torch_best: string | null;
  torch_runs: TorchRun[];
  config: HfConfig;
}

export interface PerfSummary {
  train: Record<string, ArchPerf>;
  machine: { nproc: number; cpu: string; memory_gb: number; node: string; tfjs: string; torch: string | null; python: string | null };
  backend: string;
  date: string;
  settings: { size: string; batch: number; seq: number; vocab: number; steps: number; warmup: number; lr: number; adamw: typeof DEFAULT_ADAMW };
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

async function moltRun(o: TrainBenchOptions): Promise<TrainBenchResult & { backend: string }> {
  const worker = join(__dirname, __filename.endsWith('.ts') ? 'molt-worker.ts' : 'molt-worker.js');
  const pre = worker.endsWith('.ts') ? ['-r', require.resolve('ts-node/register')] : [];
  const env = { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: 'true' };
  return lastJsonLine(await run(process.execPath, [...pre, worker, JSON.stringify(o)], env), RESULT_PREFIX);
}

async function torchRun(python: string, configFile: string, o: TrainBenchOptions, threads: number, openblas: number): Promise<TorchRun> {
  const a = DEFAULT_ADAMW;
  const args = [
    TORCH_TRAIN_PY, '--config', configFile, '--batch', `${o.batch}`, '--seq', `${o.seq}`, '--steps', `${o.steps}`,
    '--warmup', `${o.warmup}`, '--threads', `${threads}`, '--lr', `${o.lr}`, '--seed', `${o.seed}`,
    '--beta1', `${a.beta1}`, '--beta2', `${a.beta2}`, '--eps', `${a.eps}`, '--weight-decay', `${a.weightDecay}`,
    '--max-grad-norm', `${Number.isFinite(a.maxGradNorm) ? a.maxGradNorm : 0}`,
  ];
  const env = { ...process.env, OPENBLAS_NUM_THREADS: `${openblas}`, OMP_NUM_THREADS: `${threads}` };
  const r = lastJsonLine(await run(python, args, env));
  return { threads, openblas_threads: openblas, tok_s: r.tok_s, cpu_tok_s: r.cpu_tok_s, step_ms: r.step_ms, peak_rss_mb: r.peak_rss_mb, final_loss: r.final_loss };
}

function fmt(x: number | null, digits = 0): string {
  return x === null ? '-' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function formatPerf(s: PerfSummary): string {
  const st = s.settings;
  const lines = [
    `molt perf baseline  ${s.date}`,
    `machine: ${s.machine.nproc} cores, ${s.machine.cpu}, node ${s.machine.node}, tfjs ${s.machine.tfjs} (${s.backend}), torch ${s.machine.torch ?? 'not found'}`,
    `training: size '${st.size}', batch ${st.batch} x seq ${st.seq}, vocab ${st.vocab}, ${st.steps} timed steps after ${st.warmup} warm-up, AdamW lr ${st.lr}`,
    '',
    'arch     params    molt tok/s  molt ms/step  molt RSS MB  torch tok/s (1t / 2t)        torch RSS MB  molt/torch  | per CPU-s: molt  torch-1t  ratio',
  ];
  for (const [arch, r] of Object.entries(s.train)) {
    const runs = r.torch_runs.map((t) => fmt(t.tok_s)).join(' / ');
    lines.push(
      `${arch.padEnd(8)} ${fmt(r.params).padStart(9)} ${fmt(r.molt_tok_s).padStart(11)} ${fmt(r.molt_step_ms).padStart(13)} ${fmt(r.molt_peak_rss_mb).padStart(12)}  ` +
        `${(fmt(r.torch_tok_s) + (runs ? ` (${runs})` : '')).padEnd(28)} ${fmt(r.torch_peak_rss_mb).padStart(12)}  ${(r.ratio === null ? '-' : r.ratio.toFixed(3)).padStart(10)}  |` +
        ` ${fmt(r.molt_cpu_tok_s).padStart(15)} ${fmt(r.torch_cpu_tok_s).padStart(9)} ${(r.cpu_ratio === null ? '-' : r.cpu_ratio.toFixed(3)).padStart(6)}`,
    );
  }
  lines.push('', 'tok/s is wall-clock; per CPU-s divides by the process CPU time, which shared cores disturb less. molt/torch uses the best torch setting.');
  if (s.torch_skipped) lines.push('', `PyTorch skipped: ${s.torch_skipped}`);
  return lines.join('\n') + '\n';
}

export async function runPerf(opts: PerfOptions): Promise<PerfSummary> {
  const o = { ...PERF_DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as PerfOptions & typeof PERF_DEFAULTS;
  if (!Number.isInteger(o.steps) || o.steps < 1) throw new MoltError(`perf: --steps must be a positive integer, got ${opts.steps}`, 'steps');
  if (!o.archs.length) throw new MoltError('perf: no architecture given', 'arch');
  const write = opts.write ?? ((t: string) => process.stdout.write(t));
  const probe = opts.torch === false ? { found: null, tried: ['disabled by --no-torch'] } : probeTorchPython();
  const tmp = mkdtempSync(join(tmpdir(), 'molt-perf-'));
  const summary: PerfSummary = {
    train: {},
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
    date: new Date().toISOString(),
    settings: { size: o.size, batch: o.batch, seq: o.seq, vocab: o.vocab, steps: o.steps, warmup: o.warmup, lr: o.lr, adamw: DEFAULT_ADAMW },
  };
  if (!probe.found) summary.torch_skipped = `no python with torch (${probe.tried.join('; ')})`;
  try {
    for (const id of o.archs) {
      const arch = perfArchitecture(id);
      const config = arch.config(o.size, { vocabSize: o.vocab, overrides: o.overrides });
      arch.validateConfig(config);
      const configFile = join(tmp, `${id}.config.json`);
      writeFileSync(configFile, JSON.stringify(config, null, 2));
      const bench: TrainBenchOptions = { arch: id, config, batch: o.batch, seq: o.seq, steps: o.steps, warmup: o.warmup, seed: o.seed, lr: o.lr };
      if (!opts.json) write(`${id}: molt (wasm) ...\n`);
      const m = await moltRun(bench);
      summary.backend = m.backend;
      const torchRuns: TorchRun[] = [];
      if (probe.found) {
        for (const s of TORCH_SETTINGS) {
          if (!opts.json) write(`${id}: PyTorch, ${s.threads} thread(s), OPENBLAS_NUM_THREADS=${s.openblas} ...\n`);
          torchRuns.push(await torchRun(probe.found.python, configFile, bench, s.threads, s.openblas));
        }
      }
      const oneThread = torchRuns.find((t) => t.threads === 1);
      const best = torchRuns.length ? torchRuns.reduce((a, b) => (b.tok_s > a.tok_s ? b : a)) : null;
      summary.train[id] = {
        molt_tok_s: m.tok_s,
        torch_tok_s: best?.tok_s ?? null,
        ratio: best ? m.tok_s / best.tok_s : null,
        molt_peak_rss_mb: m.peak_rss_mb,
        torch_peak_rss_mb: best?.peak_rss_mb ?? null,
        molt_step_ms: m.step_ms,
        molt_cpu_tok_s: m.cpu_tok_s,
        torch_cpu_tok_s: oneThread?.cpu_tok_s ?? null,
        cpu_ratio: oneThread ? m.cpu_tok_s / oneThread.cpu_tok_s : null,
        molt_final_loss: m.final_loss,
        params: m.params,
        torch_best: best ? `${best.threads}/${best.openblas_threads}` : null,
        torch_runs: torchRuns,
        config,
      };
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  // one line: the last line of stdout parses even behind npm's script banner
  write(opts.json ? JSON.stringify(summary) + '\n' : '\n' + formatPerf(summary));
  return summary;
}

/** Parse `key=value` overrides; numbers and JSON literals are decoded. */
export function parseOverride(text: string, into: Record<string, unknown>): Record<string, unknown> {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new MoltError(`perf: --set expects key=value, got '${text}'`, text);
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
  const o: PerfOptions = { json: false, steps: PERF_DEFAULTS.steps, archs: ['olmo2', 'gemma3'] };
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
      case '--steps': o.steps = num(a, argv[++i]); break;
      case '--warmup': o.warmup = num(a, argv[++i]); break;
      case '--batch': o.batch = num(a, argv[++i]); break;
      case '--seq': o.seq = num(a, argv[++i]); break;
      case '--vocab': o.vocab = num(a, argv[++i]); break;
      case '--lr': o.lr = num(a, argv[++i]); break;
      case '--seed': o.seed = num(a, argv[++i]); break;
      case '--size': o.size = argv[++i]; break;
      case '--arch': o.archs = (argv[++i] ?? '').split(',').filter(Boolean); break;
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
