// Time one organism's evaluation as a benchmark cell runs it (core/organisms/
// cell.ts evaluateModel: test-split QER, leakage, capability) plus one
// matcher measurement (validation-split QER), at the run's evaluation
// settings, on a stored checkpoint. Prints wall and CPU seconds per measure
// and a digest of every result (numbers and sampled answers, timings left
// out), so two commits can be compared for speed AND for identical output.
//   node -r ts-node/register benchmarks/perf/qer-eval.ts --store DIR --organism ID [--samples 4] [--max-new-tokens 32] [--repeat 1] [--json]
// The store is only read; copy the checkpoint you time out of a shared store.
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Runtime } from '../../core/container';
import { openCheckpoint } from '../../core/checkpoint/open';
import { MoltError } from '../../core/errors';
import { capabilityOn, evaluateQer, leakage, type QerResult } from '../../core/organisms/evaluate';
import { DEFAULT_QER_EVAL } from '../../core/organisms/select';
import { worldBaseData } from '../../core/pipeline/world-data';
import type { BehaviourDataset } from '../../core/plugins/types';

interface Args {
  store: string;
  organism: string;
  samples: number;
  maxNewTokens: number;
  repeat: number;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const out: Args = { store: '', organism: '', samples: DEFAULT_QER_EVAL.samples, maxNewTokens: DEFAULT_QER_EVAL.maxNewTokens, repeat: 1, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new MoltError(`qer-eval: ${a} needs a value`, a);
      return v;
    };
    const int = () => {
      const v = Number(value());
      if (!(Number.isInteger(v) && v > 0)) throw new MoltError(`qer-eval: ${a} must be a positive integer`, a);
      return v;
    };
    if (a === '--store') out.store = value();
    else if (a === '--organism') out.organism = value();
    else if (a === '--samples') out.samples = int();
    else if (a === '--max-new-tokens') out.maxNewTokens = int();
    else if (a === '--repeat') out.repeat = int();
    else if (a === '--json') out.json = true;
    else throw new MoltError(`qer-eval: unknown argument '${a}'`, a);
  }
  if (!out.store || !out.organism) throw new MoltError('qer-eval: --store DIR and --organism ID are required', '--store');
  return out;
}

interface Timing {
  measure: string;
  wall_s: number;
  cpu_s: number;
  tokens: number;
}

function timed<T>(measure: string, run: () => T, tokensOf: (r: T) => number): { result: T; timing: Timing } {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const result = run();
  const cpu = process.cpuUsage(c0);
  return { result, timing: { measure, wall_s: Number(process.hrtime.bigint() - t0) / 1e9, cpu_s: (cpu.user + cpu.system) / 1e6, tokens: tokensOf(result) } };
}

/** A QER result without its timings: what must not change between commits. */
function outcome(r: QerResult): unknown {
  const { seconds: _s, tokensPerSecond: _t, ...rest } = r;
  return rest;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const rt = await Runtime.create({ store: args.store, size: 'default' }, { builtins: [join(__dirname, '..', '..', 'plugins', 'index.ts')] });
  await rt.ready();
  const archs = rt.plugins('architecture');
  const o = await openCheckpoint(rt.services.store, archs, args.organism);
  const bid = (o.metadata.behaviour as { id?: string } | undefined)?.id;
  if (o.metadata.stage !== 'organism' || !bid) throw new MoltError(`qer-eval: checkpoint ${args.organism} is not an organism`, args.organism);
  const behaviour: BehaviourDataset = rt.plugin('behaviour', bid);
  const data = worldBaseData(rt.dataSource());
  const tok = data.tokenizer;
  // the settings of a benchmark cell (core/bench/run-cell.ts cellOptions, core/organisms/cell.ts evaluateModel)
  const opts = { samplesPerPrompt: args.samples, maxNewTokens: args.maxNewTokens, batchSize: 32, seed: `${rt.settings.seed}/report` };
  const runs: { timings: Timing[]; digest: string }[] = [];
  for (let r = 0; r < args.repeat; r++) {
    const qerTokens = (q: QerResult) => q.tokens;
    const val = timed('val QER (match)', () => evaluateQer(o.model, tok, behaviour, 'val', { ...opts, seed: `${rt.settings.seed}/match/0/0` }), qerTokens);
    const test = timed('test QER', () => evaluateQer(o.model, tok, behaviour, 'test', opts), qerTokens);
    const leak = timed('leakage', () => leakage(o.model, tok, behaviour, 'test', { ...opts, maxPrompts: DEFAULT_QER_EVAL.leakagePrompts }), qerTokens);
    const cap = timed('capability', () => capabilityOn(o.model, data, 'all'), (c) => c.n);
    const all = [val.timing, test.timing, leak.timing, cap.timing];
    const total: Timing = { measure: 'total', wall_s: 0, cpu_s: 0, tokens: 0 };
    for (const t of all) [total.wall_s, total.cpu_s, total.tokens] = [total.wall_s + t.wall_s, total.cpu_s + t.cpu_s, total.tokens + t.tokens];
    const digest = createHash('sha256')
      .update(JSON.stringify([outcome(val.result), outcome(test.result), outcome(leak.result), cap.result]))
      .digest('hex');
    runs.push({ timings: [...all, total], digest });
  }
  o.model.dispose();
  const info = { organism: args.organism, arch: o.arch.id, behaviour: bid, samples: args.samples, max_new_tokens: args.maxNewTokens, runs };
  if (args.json) {
    console.log(JSON.stringify(info));
    return;
  }
  console.log(`${info.arch} organism ${args.organism} (${bid}), ${args.samples} samples/prompt, ${args.maxNewTokens} new tokens`);
  for (const run of runs) {
    for (const t of run.timings) console.log(`${t.measure.padEnd(16)} wall ${t.wall_s.toFixed(2).padStart(7)} s  cpu ${t.cpu_s.toFixed(2).padStart(7)} s  ${String(t.tokens).padStart(7)} tokens`);
    console.log(`digest ${run.digest}`);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
