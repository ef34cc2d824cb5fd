// Building the parameter map of a DecoderModel: fresh (HF initialisation) or
// from HF-named tensors (a checkpoint).
import { tf } from '../engine/tf';
import type { Rng } from '../engine/rng';
import { MoltError } from '../errors';
import type { ParamEntry } from './decoder-spec';

/**
 * HF _init_weights: Linear and Embedding weights ~ N(0, std); the padding
 * row of the embedding zeroed (nn.Embedding padding_idx); norm weights ones
 * or zeros as the architecture says. Each tensor draws from its own named
 * stream, so its values do not depend on the order or number of others.
 */
export function initParams(
  layout: readonly ParamEntry[],
  rng: Rng,
  std: number,
  padTokenId: number | null,
): Map<string, tf.Variable> {
  const params = new Map<string, tf.Variable>();
  for (const { name, shape, init } of layout) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (init === 'ones') values.fill(1);
    else if (init === 'normal') {
      const stream = rng.fork(name);
      for (let i = 0; i < size; i++) values[i] = stream.normal() * std;
      if (name === 'model.embed_tokens.weight' && padTokenId !== null) {
        values.fill(0, padTokenId * shape[1], (padTokenId + 1) * shape[1]);
      }
    }
    const t = tf.tensor(values, shape, 'float32');
    params.set(name, tf.variable(t));
    t.dispose();
  }
  return params;
}

/**
 * Parameters from HF-named tensors, taking ownership of them (each is
 * disposed once its variable exists). Names and shapes must match the
 * layout exactly; `ignorable` names (e.g. a tied lm_head.weight that a
 * checkpoint spelled out) are accepted and dropped.
 */
export function paramsFromWeights(
  arch: string,
  layout: readonly ParamEntry[],
  weights: Map<string, tf.Tensor>,
  ignorable: readonly string[] = [],
): Map<string, tf.Variable> {
  const expected = new Map(layout.map((e) => [e.name, e.shape]));
  for (const [name, t] of weights) {
    if (ignorable.includes(name)) continue;
    const shape = expected.get(name);
    if (!shape) throw new MoltError(`${arch}: unexpected tensor '${name}' in weights`, name);
    if (t.shape.join() !== shape.join()) {
      throw new MoltError(`${arch}: tensor '${name}' has shape [${t.shape}], expected [${shape}]`, name);
    }
  }
  for (const name of expected.keys()) {
    if (!weights.has(name)) throw new MoltError(`${arch}: tensor '${name}' is missing from weights`, name);
  }
  const params = new Map<string, tf.Variable>();
  for (const { name } of layout) {
    const t = weights.get(name)!;
    const f = t.dtype === 'float32' ? t : tf.cast(t, 'float32');
    params.set(name, tf.variable(f));
    if (f !== t) f.dispose();
    t.dispose();
  }
  for (const name of ignorable) weights.get(name)?.dispose();
  return params;
}
