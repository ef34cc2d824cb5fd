// Logit parity between molt's TypeScript models and an independent PyTorch
// implementation of the Hugging Face definitions (benchmarks/reference/):
// random weights -> saveHfDir -> forward in TS -> check_parity.py on the same
// directory. Skipped only when no Python with torch is found.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveHfDir } from '../../core/checkpoint/hf-dir';
import { initBackend } from '../../core/engine/backend';
import { Rng } from '../../core/engine/rng';
import { tf } from '../../core/engine/tf';
import type { CausalLM, HfConfig } from '../../core/model/types';
import type { Architecture } from '../../core/plugins/types';
import { WordTokenizer } from '../../core/tokenizer/word-tokenizer';
import { gemma3Architecture } from '../../plugins/architectures/gemma3';
import { olmo2Architecture } from '../../plugins/architectures/olmo2';
import { CHECK_GRADS_PY, CHECK_PARITY_PY } from '../../benchmarks/perf/python';
import { maskedCrossEntropy } from '../../core/train/losses';
import { torchPythonOrSkip, TORCH_ENV } from '../helpers/torch';

const VOCAB = 48;
const TOL = 1e-4;
const tokenizer = new WordTokenizer(Array.from({ length: 30 }, (_, i) => `w${i}`));

/**
 * HF's init (std 0.02) gives near-uniform logits that would hide most
 * mistakes; draw every weight at a scale where each part of the block moves
 * the logits: matrices N(0, 0.3^2), norm weights (1 or 0) + N(0, 0.2^2).
 */
function salientWeights(arch: Architecture, config: HfConfig, seed: number): CausalLM {
  const shapes = arch.init(config, new Rng(seed));
  const rng = new Rng(seed).fork('salient');
  const weights = new Map<string, tf.Tensor>();
  for (const [name, v] of shapes.params) {
    const isNorm = /norm\.weight$/.test(name);
    const base = isNorm ? (config.model_type === 'gemma3_text' ? 0 : 1) : 0;
    const sd = isNorm ? 0.2 : 0.3;
    const vals = new Float32Array(v.size);
    for (let i = 0; i < vals.length; i++) vals[i] = base + sd * rng.normal();
    weights.set(name, tf.tensor(vals, v.shape, 'float32'));
  }
  shapes.dispose();
  return arch.fromWeights(config, weights);
}

function randomIds(rng: Rng, batch: number, seq: number): number[][] {
  return Array.from({ length: batch }, () => Array.from({ length: seq }, () => rng.int(VOCAB)));
}

interface ParityReport {
  max_abs_diff: number;
  argmax_agreement: number;
  logit_scale: number;
  ok: boolean;
}

describe('logit parity with the reference PyTorch implementation (benchmarks/reference)', function () {
  let python = '';
  let dir = '';

  before(async function () {
    python = torchPythonOrSkip(this);
    await initBackend('wasm');
    dir = mkdtempSync(join(tmpdir(), 'molt-parity-'));
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** save the model, run it in TS, and ask the reference for the max |diff| */
  async function compare(model: CausalLM, config: HfConfig, ids: number[][], name: string, logitsFrom?: CausalLM): Promise<{ code: number; report: ParityReport }> {
    const ckpt = join(dir, name);
    await saveHfDir(ckpt, { config, weights: new Map(model.params), tokenizer, metadata: { stage: 'parity-test' } });
    const runner = logitsFrom ?? model;
    const logits = tf.tidy(() => runner.forward(tf.tensor2d(ids, [ids.length, ids[0].length], 'int32')).logits.arraySync());
    const file = join(ckpt, 'forward.json');
    writeFileSync(file, JSON.stringify({ ids, logits }));
    const r = spawnSync(python, [CHECK_PARITY_PY, '--checkpoint', ckpt, '--ids-json', file, '--tol', `${TOL}`, '--json'], {
      encoding: 'utf8',
      env: TORCH_ENV,
    });
    assert.ok(r.status === 0 || r.status === 1, `check_parity.py failed (exit ${r.status}): ${r.stderr}`);
    return { code: r.status!, report: JSON.parse(r.stdout) as ParityReport };
  }

  const cases: Array<{ label: string; arch: Architecture; size: string; overrides?: Record<string, unknown> }> = [
    { label: 'olmo2 micro (GQA)', arch: olmo2Architecture, size: 'micro' },
    { label: 'olmo2 default', arch: olmo2Architecture, size: 'default' },
    { label: 'gemma3 micro (GQA, sliding window 4, pattern 2)', arch: gemma3Architecture, size: 'micro' },
    { label: 'gemma3 default', arch: gemma3Architecture, size: 'default' },
    {
      label: 'gemma3 micro, explicit layer_types global-first, window 3',
      arch: gemma3Architecture,
      size: 'micro',
      overrides: { num_hidden_layers: 3, layer_types: ['full_attention', 'sliding_attention', 'sliding_attention'], sliding_window: 3 },
    },
  ];

  cases.forEach((c, i) => {
    it(`${c.label}: max |logit diff| <= ${TOL}`, async () => {
      const config = c.arch.config(c.size, { vocabSize: VOCAB, overrides: c.overrides });
      const model = salientWeights(c.arch, config, 100 + i);
      try {
        // sequences longer than the sliding window so the window matters
        const { code, report } = await compare(model, config, randomIds(new Rng(7 + i), 2, 13), `case${i}`);
        console.log(`      max |diff| ${report.max_abs_diff.toExponential(2)}, |logits| up to ${report.logit_scale.toFixed(2)}, argmax agreement ${report.argmax_agreement}`);
        assert.ok(report.logit_scale > 1, `logits too flat (${report.logit_scale}) for a meaningful check`);
        assert.equal(code, 0);
        assert.ok(report.max_abs_diff <= TOL, `max abs diff ${report.max_abs_diff}`);
      } finally {
        model.dispose();
      }
    });
  });

  it('fails when the TS logits come from a slightly different model (the check can fail)', async () => {
    const config = gemma3Architecture.config('micro', { vocabSize: VOCAB });
    const model = salientWeights(gemma3Architecture, config, 1);
    const other = salientWeights(gemma3Architecture, config, 1);
    const w = other.params.get('model.layers.1.pre_feedforward_layernorm.weight')!;
    w.assign(tf.tidy(() => tf.add(w, 0.05)));
    try {
      const { code, report } = await compare(model, config, randomIds(new Rng(3), 1, 9), 'tampered', other);
      assert.equal(code, 1);
      assert.ok(report.max_abs_diff > TOL);
    } finally {
      model.dispose();
      other.dispose();
    }
  });

  // The training path uses custom gradients (explicit-transpose matmuls,
  // one-hot embeddings); check them against PyTorch autograd in float64.
  [
    { label: 'olmo2 micro', arch: olmo2Architecture },
    { label: 'gemma3 micro', arch: gemma3Architecture },
  ].forEach((c, i) => {
    it(`${c.label}: loss and every parameter gradient match PyTorch autograd`, async () => {
      const config = c.arch.config('micro', { vocabSize: VOCAB });
      const model = salientWeights(c.arch, config, 200 + i);
      const rng = new Rng(50 + i);
      const ids = randomIds(rng, 2, 11);
      // include the pad id: HF's embedding gives its row no gradient through the lookup
      const pad = config.pad_token_id as number;
      ids[0][1] = pad;
      ids[1][6] = pad;
      const targets = randomIds(rng, 2, 11);
      // some zero weights, as padding and prompt tokens have in training
      const weights = ids.map((row) => row.map((_, t) => (t < 3 ? 0 : 1)));
      const ckpt = join(dir, `grads${i}`);
      try {
        await saveHfDir(ckpt, { config, weights: new Map(model.params), tokenizer, metadata: {} });
        const vars = [...model.params.values()];
        const { value, grads } = tf.variableGrads(
          () => maskedCrossEntropy(model.forward(tf.tensor2d(ids, undefined, 'int32')).logits, tf.tensor2d(targets, undefined, 'int32'), tf.tensor2d(weights)),
          vars,
        );
        const byName: Record<string, number[]> = {};
        for (const [name, v] of model.params) byName[name] = Array.from(grads[v.name].dataSync());
        const doc = { ids, targets, weights, loss: value.dataSync()[0], grads: byName };
        value.dispose();
        Object.values(grads).forEach((g) => g.dispose());
        const file = join(ckpt, 'grads.json');
        writeFileSync(file, JSON.stringify(doc));
        const r = spawnSync(python, [CHECK_GRADS_PY, '--checkpoint', ckpt, '--grads-json', file, '--json'], {
          encoding: 'utf8',
          env: TORCH_ENV,
        });
        assert.ok(r.status === 0 || r.status === 1, `check_grads.py failed (exit ${r.status}): ${r.stderr}`);
        const rep = JSON.parse(r.stdout) as { loss_diff: number; max_grad_diff: number; worst_tensor: string; failing: string[]; tensors: number };
        console.log(`      loss diff ${rep.loss_diff.toExponential(2)}, max grad diff ${rep.max_grad_diff.toExponential(2)} (${rep.worst_tensor}) over ${rep.tensors} tensors`);
        assert.deepEqual(rep.failing, []);
        assert.equal(r.status, 0);
      } finally {
        model.dispose();
      }
    });
  });
});
