// Finding a Python that has PyTorch. The pyenv `python3` first on PATH here
// has no torch; Debian's python3-torch lives under /usr/bin/python3. An
// explicit MOLT_TORCH_PYTHON wins.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export interface TorchPython {
  /** the interpreter to run */
  python: string;
  torchVersion: string;
}

export const REFERENCE_DIR = resolve(__dirname, '..', 'reference');
export const CHECK_PARITY_PY = join(REFERENCE_DIR, 'check_parity.py');
export const CHECK_GRADS_PY = join(REFERENCE_DIR, 'check_grads.py');
export const MAKE_HF_DIR_PY = join(REFERENCE_DIR, 'make_hf_dir.py');
export const TORCH_TRAIN_PY = join(__dirname, 'torch_train.py');
export const TORCH_GENERATE_PY = join(__dirname, 'torch_generate.py');
export const TORCH_ACTIVATIONS_PY = join(__dirname, 'torch_activations.py');

let cached: { found: TorchPython | null; tried: string[] } | undefined;

function candidates(): string[] {
  const list = [process.env.MOLT_TORCH_PYTHON, '/usr/bin/python3', 'python3', 'python'];
  return [...new Set(list.filter((c): c is string => !!c))];
}

/** The first candidate interpreter that imports torch and numpy, or null. */
export function findTorchPython(): TorchPython | null {
  return probeTorchPython().found;
}

/** Like findTorchPython, plus what was tried and why it failed (for skip messages). */
export function probeTorchPython(): { found: TorchPython | null; tried: string[] } {
  if (cached) return cached;
  const tried: string[] = [];
  for (const python of candidates()) {
    const r = spawnSync(python, ['-c', 'import numpy, torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) {
      cached = { found: { python, torchVersion: r.stdout.trim() }, tried };
      return cached;
    }
    const why = r.error ? r.error.message : (r.stderr || '').trim().split('\n').pop() || `exit ${r.status}`;
    tried.push(`${python}: ${why}`);
  }
  cached = { found: null, tried };
  return cached;
}
