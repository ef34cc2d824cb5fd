// The perf runner end to end at micro size with one timed step: a summary
// with every field the lead's report reads, numbers that are real
// measurements (positive, finite), and a molt/PyTorch ratio that is exactly
// the quotient of the two rates.
import { strict as assert } from 'node:assert';
import { isMoltError } from '../../core/errors';
import { parseOverride, parsePerfArgs, runPerf, TORCH_SETTINGS, type PerfSummary } from '../../benchmarks/perf/run';
import { findTorchPython } from '../../benchmarks/perf/python';

describe('perf baseline runner (benchmarks/perf/run.ts)', function () {
  it('trains micro olmo2 with molt (and PyTorch when present) and reports JSON', async function () {
    let text = '';
    const s: PerfSummary = await runPerf({
      json: true, steps: 1, warmup: 1, archs: ['olmo2'], size: 'micro', batch: 2, seq: 8, vocab: 64,
      write: (t) => (text += t),
    });
    assert.equal(text.trim().split('\n').length, 1, 'the JSON summary is one line');
    assert.deepEqual(JSON.parse(text).train.olmo2.molt_tok_s, s.train.olmo2.molt_tok_s);
    const r = s.train.olmo2;
    assert.equal(s.backend, 'wasm');
    assert.ok(Number.isFinite(r.molt_tok_s) && r.molt_tok_s > 0);
    assert.ok(r.molt_peak_rss_mb > 50, `node peak RSS ${r.molt_peak_rss_mb} MB`);
    assert.equal(r.config.hidden_size, 32);
    assert.equal(r.config.vocab_size, 64);
    // cross-entropy on random tokens starts near ln(64)
    assert.ok(Math.abs(r.molt_final_loss - Math.log(64)) < 0.5, `molt loss ${r.molt_final_loss}`);
    assert.ok(s.machine.nproc >= 1 && s.machine.tfjs.length > 0);
    // molt at MOLT_THREADS 1 and 2: the wall rate is the faster run's, the CPU rate the 1-thread run's
    assert.deepEqual(r.molt_runs.map((t) => t.threads), [1, 2]);
    assert.equal(r.molt_tok_s, Math.max(...r.molt_runs.map((t) => t.tok_s)));
    assert.equal(r.molt_tok_s, r.molt_runs.find((t) => t.threads === r.molt_best)!.tok_s);
    assert.equal(r.molt_cpu_tok_s, r.molt_runs[0].cpu_tok_s);
    if (findTorchPython()) {
      assert.equal(r.torch_runs.length, TORCH_SETTINGS.length);
      assert.equal(r.cpu_ratio, r.molt_cpu_tok_s / r.torch_runs.find((t) => t.threads === 1)!.cpu_tok_s);
      const best = Math.max(...r.torch_runs.map((t) => t.tok_s));
      assert.equal(r.torch_tok_s, best);
      assert.equal(r.ratio, r.molt_tok_s / best);
      assert.ok(r.torch_peak_rss_mb! > 50);
      for (const t of r.torch_runs) assert.ok(Math.abs(t.final_loss - Math.log(64)) < 0.5, `torch loss ${t.final_loss}`);
    } else {
      assert.equal(r.ratio, null);
      assert.match(s.torch_skipped!, /no python with torch/);
    }
  });

  it('parses its command line and names bad options', () => {
    const o = parsePerfArgs(['--json', '--steps', '5', '--arch', 'gemma3', '--set', 'hidden_size=96', '--set', 'name=x']);
    assert.equal(o.json, true);
    assert.equal(o.steps, 5);
    assert.deepEqual(o.archs, ['gemma3']);
    assert.deepEqual(o.overrides, { hidden_size: 96, name: 'x' });
    assert.deepEqual(parseOverride('layer_types=["full_attention"]', {}), { layer_types: ['full_attention'] });
    assert.throws(() => parsePerfArgs(['--steps', 'many']), (e: unknown) => isMoltError(e) && /--steps/.test((e as Error).message));
    assert.deepEqual(parsePerfArgs(['--molt-threads', '1,2,4']).moltThreads, [1, 2, 4]);
    assert.throws(() => parsePerfArgs(['--molt-threads', '1,x']), (e: unknown) => isMoltError(e) && /--molt-threads/.test((e as Error).message));
    assert.throws(() => parsePerfArgs(['--fast']), (e: unknown) => isMoltError(e) && /--fast/.test((e as Error).message));
  });

  it('rejects a MOLT_THREADS setting that is not a positive integer', async () => {
    await assert.rejects(runPerf({ json: true, steps: 1, archs: ['olmo2'], torch: false, moltThreads: [0], write: () => {} }), /--molt-threads must be positive integers, got 0/);
  });

  it('rejects an unknown architecture by name', async () => {
    await assert.rejects(runPerf({ json: true, steps: 1, archs: ['llama'], torch: false, write: () => {} }), /unknown architecture 'llama'/);
  });
});
