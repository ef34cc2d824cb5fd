// Shared fixtures for the model tests: micro models of both architectures.
import { Rng } from '../../core/engine/rng';
import { tf } from '../../core/engine/tf';
import type { DecoderModel } from '../../core/model/decoder';
import type { Architecture } from '../../core/plugins/types';
import { gemma3Architecture } from '../../plugins/architectures/gemma3';
import { olmo2Architecture } from '../../plugins/architectures/olmo2';

export const ARCHS: Architecture[] = [olmo2Architecture, gemma3Architecture];
export const VOCAB = 40;

/**
 * A micro model with weights perturbed away from HF's init (norm weights
 * drawn around their init too), so that no component is an identity and
 * a bug in any of them shows up in the logits.
 */
export function microModel(arch: Architecture, seed = 7, overrides?: Record<string, unknown>): DecoderModel {
  const config = arch.config('micro', { vocabSize: VOCAB, overrides: { initializer_range: 0.2, ...overrides } });
  const model = arch.init(config, new Rng(seed)) as DecoderModel;
  const rng = new Rng(`${seed}/norms`);
  for (const [name, v] of model.params) {
    if (!name.includes('norm')) continue;
    const vals = v.dataSync().map((x) => x + 0.3 * rng.normal());
    const t = tf.tensor(vals, v.shape, 'float32');
    v.assign(t);
    t.dispose();
  }
  return model;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
