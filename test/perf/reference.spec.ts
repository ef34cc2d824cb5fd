// The reference PyTorch models must be right before they can judge molt's:
// run their known-answer tests (benchmarks/reference/test_reference.py:
// RMSNorm, tanh-GELU, RoPE, sliding-window mask, layer types, zero-block
// logits, a loop-by-loop numpy forward, safetensors I/O, check_parity exit
// codes). Skipped only when no Python with torch is found.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REFERENCE_DIR } from '../../benchmarks/perf/python';
import { torchPythonOrSkip, TORCH_ENV } from '../helpers/torch';

describe('reference PyTorch implementation (benchmarks/reference)', function () {
  it('passes its own known-answer tests', function () {
    const python = torchPythonOrSkip(this);
    const r = spawnSync(python, [join(REFERENCE_DIR, 'test_reference.py')], {
      encoding: 'utf8',
      cwd: REFERENCE_DIR,
      env: TORCH_ENV,
    });
    const tail = (r.stderr || '').trim().split('\n').slice(-25).join('\n');
    assert.equal(r.status, 0, `test_reference.py failed:\n${tail}`);
    assert.match(r.stderr, /Ran \d+ tests/);
    assert.match(r.stderr, /\nOK/);
  });
});
