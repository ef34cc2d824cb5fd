// CE loss with the SAE spliced into the residual stream. The model's
// intervention API adds one vector at listed positions, so replacing the
// activation x_t by xhat_t is one intervention per position adding
// (xhat_t - x_t), with one sequence per forward pass (interventions are
// shared by the rows of a batch). Position 0 (<bos>) is left alone, as the
// SAE never saw it.
import { tf, maskedCrossEntropy, type CausalLM, type Intervention } from '../../../core/public';

/** Maps activations [n, d] (row-major) to their replacements. */
export type Reconstructor = (x: Float32Array, n: number) => Float32Array;

export interface SpliceLosses {
  /** mean next-token CE per target token */
  ceClean: number;
  ceSae: number;
  /** with the activations at the hook set to zero */
  ceZero: number;
  /** target tokens counted */
  tokens: number;
}

function sequenceCe(model: CausalLM, seq: readonly number[], interventions: Intervention[], capture: string[] = []): { ce: number; captured?: Float32Array } {
  const T = seq.length;
  let ce = NaN;
  let captured: Float32Array | undefined;
  tf.tidy(() => {
    const ids = tf.tensor2d([seq.slice()], [1, T], 'int32');
    const out = model.forward(ids, { interventions, capture });
    const logits = tf.slice(out.logits, [0, 0, 0], [1, T - 1, -1]) as tf.Tensor3D;
    const targets = tf.tensor2d([seq.slice(1)], [1, T - 1], 'int32');
    ce = maskedCrossEntropy(logits, targets, tf.ones([1, T - 1]) as tf.Tensor2D).dataSync()[0];
    if (capture.length) captured = (out.captured.get(capture[0])!.dataSync() as Float32Array).slice();
    for (const t of out.captured.values()) t.dispose();
  });
  return { ce, captured };
}

/** One intervention per position t >= 1 adding delta_t, so the hook's value becomes x_t + delta_t. */
function replacements(hook: string, delta: Float32Array, T: number, d: number): Intervention[] {
  const out: Intervention[] = [];
  for (let t = 1; t < T; t++) out.push({ hook, vector: delta.subarray(t * d, (t + 1) * d), positions: [t] });
  return out;
}

/** Clean, spliced and zero-ablated CE over sequences (each at least 3 tokens; shorter ones are skipped). */
export function spliceLosses(model: CausalLM, seqs: readonly (readonly number[])[], hook: string, reconstruct: Reconstructor): SpliceLosses {
  const d = model.hiddenSize;
  let clean = 0;
  let spliced = 0;
  let zero = 0;
  let tokens = 0;
  for (const seq of seqs) {
    const T = seq.length;
    if (T < 3) continue;
    const c = sequenceCe(model, seq, [], [hook]);
    const x = c.captured!;
    const rest = x.subarray(d);
    const xhat = reconstruct(rest.slice(), T - 1);
    const toSae = new Float32Array(T * d);
    const toZero = new Float32Array(T * d);
    for (let j = 0; j < rest.length; j++) {
      toSae[d + j] = xhat[j] - rest[j];
      toZero[d + j] = -rest[j];
    }
    const w = T - 1;
    clean += c.ce * w;
    spliced += sequenceCe(model, seq, replacements(hook, toSae, T, d)).ce * w;
    zero += sequenceCe(model, seq, replacements(hook, toZero, T, d)).ce * w;
    tokens += w;
  }
  return { ceClean: clean / tokens, ceSae: spliced / tokens, ceZero: zero / tokens, tokens };
}
