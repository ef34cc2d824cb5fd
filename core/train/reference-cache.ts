// Reference log-probs (summed over each preference pair's response, under the
// model training starts from) are computed once per run and kept in its work
// directory, so a resumed run, or the matcher's next step, reads them back
// instead of needing the reference model again.
import { join } from 'node:path';
import { readSafetensors, writeSafetensors } from '../checkpoint/safetensors';
import type { ReferenceLogProbs } from './objectives';

const REFERENCE_FILE = 'reference-logprobs.safetensors';

/** The reference of `pairs` pairs from `dir`, else computed and written there (a file of another length is recomputed). */
export async function cachedReferenceLogProbs(dir: string | undefined, pairs: number, compute: () => ReferenceLogProbs): Promise<ReferenceLogProbs> {
  const file = dir ? join(dir, REFERENCE_FILE) : undefined;
  if (file) {
    try {
      const t = (await readSafetensors(file)).tensors;
      const chosen = t.get('chosen')?.data;
      const rejected = t.get('rejected')?.data;
      if (chosen instanceof Float32Array && rejected instanceof Float32Array && chosen.length === pairs) return { chosen, rejected };
    } catch {
      // absent or unreadable: compute
    }
  }
  const ref = compute();
  if (file) {
    await writeSafetensors(file, new Map([
      ['chosen', { dtype: 'F32' as const, shape: [ref.chosen.length], data: ref.chosen }],
      ['rejected', { dtype: 'F32' as const, shape: [ref.rejected.length], data: ref.rejected }],
    ]));
  }
  return ref;
}

