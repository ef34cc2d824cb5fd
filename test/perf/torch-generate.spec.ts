// The PyTorch generation benchmark must time a real KV cache, so its cached
// decoding is checked against the full uncached forward
// (benchmarks/perf/test_torch_generate.py: greedy tokens identical and logits
// within 1e-10 in float64, GQA and gemma3 sliding layers past their window,
// sampled draws identical, and a cache that loses its positions is caught).
// Skipped only when no Python with torch is found.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { torchPythonOrSkip, TORCH_ENV } from '../helpers/torch';


const PERF_DIR = join(__dirname, '..', '..', 'benchmarks', 'perf');

describe('PyTorch KV-cache generation (benchmarks/perf/torch_generate.py)', function () {
  it('decodes with the cache exactly what the uncached forward decodes', function () {
    const python = torchPythonOrSkip(this);
    const r = spawnSync(python, [join(PERF_DIR, 'test_torch_generate.py')], {
      encoding: 'utf8',
      cwd: PERF_DIR,
      env: TORCH_ENV,
    });
    const tail = (r.stderr || '').trim().split('\n').slice(-25).join('\n');
    assert.equal(r.status, 0, `test_torch_generate.py failed:\n${tail}`);
    assert.match(r.stderr, /Ran [1-9]\d* tests/);
    assert.match(r.stderr, /\nOK/);
  });
});
