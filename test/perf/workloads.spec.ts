// The generation and activation-collection workloads of `npm run perf`: at
// micro size and one timed iteration, molt's measurements are real (positive,
// finite) and count the tokens the workload is defined by (B x N new tokens;
// B x T rows per layer, every layer); the collected residuals are the model's
// own (the last one, through the final norm and unembedding, gives the
// forward's logits); and the runner reports both workloads next to PyTorch
// when a Python with torch is found.
import { strict as assert } from 'node:assert';
import { initBackend } from '../../core/engine/backend';
import { tf } from '../../core/engine/tf';
import { Rng } from '../../core/engine/rng';
import { isMoltError } from '../../core/errors';
import { benchMoltGeneration } from '../../benchmarks/perf/molt-generate';
import { benchMoltActivations, collectResiduals } from '../../benchmarks/perf/molt-activations';
import { paramCount, perfArchitecture, type WorkloadBenchResult } from '../../benchmarks/perf/molt-train';
import { parsePerfArgs, runPerf, TORCH_SETTINGS, WORKLOAD_STEPS, type PerfSummary, type WorkloadPerf } from '../../benchmarks/perf/run';
import { findTorchPython } from '../../benchmarks/perf/python';

const VOCAB = 64;

function microConfig(arch: string) {
  return perfArchitecture(arch).config('micro', { vocabSize: VOCAB });
}

function assertMeasured(r: WorkloadBenchResult, what: string): void {
  for (const k of ['tok_s', 'cpu_tok_s', 'step_ms', 'peak_rss_mb', 'params'] as const) {
    assert.ok(Number.isFinite(r[k]) && r[k] > 0, `${what}: ${k} = ${r[k]}`);
  }
  // the rate is the counted tokens over the timed iteration
  assert.ok(Math.abs(r.tok_s - (r.tokens_per_step * r.steps * 1000) / (r.step_ms * r.steps)) / r.tok_s < 1e-9, `${what}: tok_s vs step_ms`);
}

describe('perf workloads: generate and activations (benchmarks/perf)', function () {
  before(async () => {
    await initBackend('wasm');
  });

  for (const arch of ['olmo2', 'gemma3']) {
    it(`${arch}: generation makes B x N new tokens per iteration, no early stop`, () => {
      const config = microConfig(arch);
      // P + N past gemma3 micro's window of 4
      const r = benchMoltGeneration({ arch, config, batch: 3, prompt: 5, newTokens: 7, temperature: 1, steps: 1, warmup: 0, seed: 0 });
      assertMeasured(r, `${arch} generate`);
      assert.equal(r.tokens_per_step, 3 * 7);
      assert.equal(r.steps, 1);
      const model = perfArchitecture(arch).init(config, new Rng(0).fork('init'));
      assert.equal(r.params, paramCount(model));
      model.dispose();
    });

    it(`${arch}: activation collection reads B x T rows of every layer`, () => {
      const config = microConfig(arch);
      const r = benchMoltActivations({ arch, config, batch: 2, seq: 6, steps: 1, warmup: 0, seed: 0 });
      assertMeasured(r, `${arch} activations`);
      assert.equal(r.tokens_per_step, 2 * 6);
      assert.equal(r.layers, config.num_hidden_layers);
      assert.equal(r.values, config.num_hidden_layers * 2 * 6 * config.hidden_size);
    });

    it(`${arch}: the collected residual after the last block is what the logits are made from`, () => {
      const model = perfArchitecture(arch).init(microConfig(arch), new Rng(1).fork('init'));
      const rows = [[3, 9, 27, 17, 51, 25], [8, 2, 60, 44, 1, 30]];
      const acts = collectResiduals(model, rows);
      assert.equal(acts.length, model.numLayers);
      const d = model.hiddenSize;
      const T = rows[0].length;
      // rows b * T + T - 1 of the last layer: each sequence's last position
      const last = new Float32Array(rows.length * d);
      rows.forEach((_, b) => last.set(acts[model.numLayers - 1].subarray((b * T + T - 1) * d, (b * T + T) * d), b * d));
      const fromActs = tf.tidy(() => model.unembed(model.finalNorm(tf.tensor3d(last, [rows.length, 1, d]))).dataSync());
      const ids = tf.tensor2d(rows, [rows.length, T], 'int32');
      const out = model.forward(ids, { lastOnly: true });
      const want = out.logits.dataSync();
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i] - fromActs[i]));
      assert.ok(worst < 1e-4, `max |diff| ${worst}`);
      // and the layers differ from each other (not one tensor read L times)
      assert.notDeepEqual(Array.from(acts[0].subarray(0, d)), Array.from(acts[model.numLayers - 1].subarray(0, d)));
      ids.dispose();
      out.logits.dispose();
      model.dispose();
    });
  }

  it('the runner reports generate and activations for both architectures, molt next to PyTorch', async function () {
    let text = '';
    const s: PerfSummary = await runPerf({
      json: true, steps: 1, warmup: 1, archs: ['olmo2', 'gemma3'], workloads: ['activations', 'generate'], size: 'micro',
      batch: 2, seq: 8, genBatch: 3, prompt: 4, newTokens: 5, vocab: VOCAB, write: (t) => (text += t),
    });
    assert.equal(text.trim().split('\n').length, 1, 'the JSON summary is one line');
    assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(s)));
    assert.deepEqual(s.settings.workloads, ['generate', 'activations'], 'in the report order');
    assert.deepEqual(s.train, {}, 'train was not asked for');
    assert.equal(s.backend, 'wasm');
    // the workers ran on what this process runs on (with or without the native matmul)
    const here = await initBackend('wasm');
    assert.equal(s.backend_id, here.id);
    assert.equal(s.native_skipped, here.nativeSkipped);
    assert.equal(s.settings.generate.new_tokens, 5);
    const torch = findTorchPython();
    const expected: [keyof PerfSummary & ('generate' | 'activations'), number][] = [['generate', 3 * 5], ['activations', 2 * 8]];
    for (const arch of ['olmo2', 'gemma3']) {
      for (const [w, tokens] of expected) {
        const r: WorkloadPerf = s[w][arch];
        assert.ok(r, `${w}/${arch} present`);
        assert.equal(r.tokens_per_step, tokens, `${w}/${arch} molt tokens`);
        for (const k of ['molt_tok_s', 'molt_cpu_tok_s', 'molt_peak_rss_mb', 'molt_step_ms'] as const) {
          assert.ok(Number.isFinite(r[k]) && r[k] > 0, `${w}/${arch} ${k} = ${r[k]}`);
        }
        assert.equal(r.config.vocab_size, VOCAB);
        if (torch) {
          assert.equal(r.torch_runs.length, TORCH_SETTINGS.length);
          for (const t of r.torch_runs) {
            assert.equal(t.tokens_per_step, tokens, `${w}/${arch} torch ${t.threads}t tokens`);
            assert.ok(t.tok_s > 0 && t.cpu_tok_s > 0 && t.peak_rss_mb > 50, `${w}/${arch} torch ${JSON.stringify(t)}`);
          }
          const best = r.torch_runs.reduce((a, b) => (b.tok_s > a.tok_s ? b : a));
          assert.equal(r.torch_tok_s, best.tok_s);
          assert.equal(r.ratio, r.molt_tok_s / best.tok_s);
          assert.equal(r.cpu_ratio, r.molt_cpu_tok_s / r.torch_runs.find((t) => t.threads === 1)!.cpu_tok_s);
        } else {
          assert.equal(r.ratio, null);
        }
      }
      assert.equal(s.activations[arch].layers, s.activations[arch].config.num_hidden_layers);
    }
  });

  it('parses --workloads and the generation sizes, and names a bad workload', () => {
    const o = parsePerfArgs(['--workloads', 'generate,train', '--gen-batch', '8', '--prompt', '16', '--new-tokens', '4', '--temperature', '0.7']);
    assert.deepEqual(o.workloads, ['train', 'generate']);
    assert.equal(o.steps, undefined, 'each workload keeps its own default');
    assert.deepEqual([o.genBatch, o.prompt, o.newTokens, o.temperature], [8, 16, 4, 0.7]);
    assert.ok(WORKLOAD_STEPS.activations >= WORKLOAD_STEPS.train);
    assert.throws(() => parsePerfArgs(['--workloads', 'train,infer']), (e: unknown) => isMoltError(e) && /unknown workload 'infer'/.test((e as Error).message));
  });
});
