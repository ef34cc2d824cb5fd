// Norm-matched injection (Activation Oracles, Karvonen et al. 2025): at the
// injection hook, placeholder position i gets h_i + c * |h_i| * v_i / |v_i|,
// so the injected vector has the norm the residual already has there,
// whatever the scale of v (an MO activation, a base one, or their small
// difference). The oracle prompt is
//   <bos> <|user|> <|placeholder|> x N  question  <|assistant|> answer <eos>
// so placeholder positions are 2 .. N+1 in every row.
import { tf, MoltError, hookName, type CausalLM, type Intervention, type WordTokenizer } from '../../../core/public';

export const PLACEHOLDER_START = 2;

/** the injection point: after `layer` blocks (layer 1 = the first block's output) */
export function injectionHook(layer: number): string {
  if (!(Number.isInteger(layer) && layer >= 1)) throw new MoltError(`activation oracle: injection layer must be an integer >= 1, got ${layer}`, 'injectLayer');
  return hookName(layer - 1, 'hook_resid_post');
}

/** <bos> <|user|> <|placeholder|> x slots */
export function oraclePrefix(tok: WordTokenizer, slots: number): number[] {
  return [tok.specials.bos, tok.specials.user, ...new Array<number>(slots).fill(tok.specials.placeholder)];
}

/** |h| at the injection hook for each placeholder position (the prefix is the same in every oracle prompt, so one short pass serves all). */
export function placeholderNorms(model: CausalLM, tok: WordTokenizer, slots: number, hook: string): number[] {
  const prefix = oraclePrefix(tok, slots);
  const norms = tf.tidy(() => {
    const out = model.forward(tf.tensor2d([prefix], [1, prefix.length], 'int32'), { capture: [hook], lastOnly: true });
    const h = out.captured.get(hook)!;
    return tf.norm(tf.slice(h, [0, PLACEHOLDER_START, 0], [1, slots, -1]), 'euclidean', -1).reshape([slots]);
  });
  const values = Array.from(norms.dataSync());
  norms.dispose();
  return values;
}

/** One intervention per placeholder: c * |h_i| * v_i / |v_i| (a zero v_i adds nothing). vectors: [slots, d] row-major. */
export function injectionInterventions(hook: string, vectors: Float32Array, d: number, norms: readonly number[], coefficient: number): Intervention[] {
  const slots = norms.length;
  if (vectors.length !== slots * d) throw new MoltError(`activation oracle: ${vectors.length / d} vectors for ${slots} placeholders`, 'vectors');
  const out: Intervention[] = [];
  for (let i = 0; i < slots; i++) {
    const v = vectors.subarray(i * d, (i + 1) * d);
    let n = 0;
    for (const x of v) n += x * x;
    n = Math.sqrt(n);
    if (n === 0) continue;
    const f = (coefficient * norms[i]) / n;
    out.push({ hook, vector: Float32Array.from(v, (x) => x * f), positions: [PLACEHOLDER_START + i] });
  }
  return out;
}
