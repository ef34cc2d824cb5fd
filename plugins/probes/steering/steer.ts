// Activation steering pieces (METRICS.md "Activation steering"):
//   h <- h + alpha * rbar[l] * v / |v|   at every generated position
// (the assistant token, whose output is the first generated token, onward),
// with rbar[l] the organism's mean residual norm at l. The coherence check is
// the diffing base's mean per-token loss on a sample (plus a repetition
// check), under thresholds calibrated on UNSTEERED samples, so "coherent"
// means "as fluent as the model's own text, as the base model reads it".
import { tf, tidyRead, MoltError, generateBatches, hookName, padRight, quantileSorted, l2, type CausalLM, type Intervention } from '../../../core/public';

export interface SteeringVector {
  layer: number;
  /** the unit direction v / |v| */
  unit: Float32Array;
  /** |v| of the raw mean difference */
  rawNorm: number;
  /** rbar[l] of the organism */
  meanNorm: number;
}

export function unitVector(v: ArrayLike<number>, what = 'steering vector'): { unit: Float32Array; norm: number } {
  const n = l2(v);
  if (!(n > 0)) throw new MoltError(`${what}: the vector is zero (organism and base identical at this layer?)`, what);
  return { unit: Float32Array.from(v, (x) => x / n), norm: n };
}

/** Where the steering vector is read: see chooseDirection. */
export type PositionRule = 'generated-mean' | 'max-norm' | number;

/**
 * The mean difference to steer with, from the per-position differences
 * `diff` ([P x d], positions relative to <|assistant|>, `counts[i]` sequences
 * reaching position i):
 *   'generated-mean'  the average over the positions >= 0, i.e. over the
 *                     positions steering is applied to (the assistant token
 *                     and the answer after it)
 *   'max-norm'        the single position where |diff| is largest
 *   an integer        that position
 * Positions no sequence reached are skipped. `where` names the position(s).
 */
export function chooseDirection(diff: Float32Array | Float64Array, positions: readonly number[], counts: readonly number[], d: number, rule: PositionRule): { vector: Float32Array; where: string } {
  const row = (i: number) => Float32Array.from(diff.subarray(i * d, (i + 1) * d));
  const reached = positions.map((_, i) => i).filter((i) => counts[i] > 0);
  if (rule === 'generated-mean') {
    const used = reached.filter((i) => positions[i] >= 0);
    if (used.length === 0) throw new MoltError('steering: no sequence reaches a position at or after <|assistant|> to average the difference over', 'position');
    const v = new Float32Array(d);
    for (const i of used) for (let j = 0; j < d; j++) v[j] += diff[i * d + j] / used.length;
    return { vector: v, where: `mean of positions ${positions[used[0]]}..${positions[used[used.length - 1]]}` };
  }
  if (rule === 'max-norm') {
    if (reached.length === 0) throw new MoltError('steering: no sequence reaches the position window', 'position');
    const norms = reached.map((i) => l2(row(i)));
    const best = reached[norms.indexOf(Math.max(...norms))];
    return { vector: row(best), where: `position ${positions[best]} (largest |v|)` };
  }
  const i = positions.indexOf(rule);
  if (i < 0 || counts[i] === 0) throw new MoltError(`steering: setting 'position' must be 'generated-mean', 'max-norm' or an integer in ${positions[0]}..${positions[positions.length - 1]} reached by the prompts, got '${rule}'`, 'position');
  return { vector: row(i), where: `position ${rule}` };
}

/** A random direction (seeded Gaussian, normalised): the control of the same norm. */
export function randomUnit(d: number, rng: { normal(): number }): Float32Array {
  const v = Float32Array.from({ length: d }, () => rng.normal());
  return unitVector(v, 'random direction').unit;
}

/** The coefficient multiplying the raw mean difference v: alpha * rbar / |v|. */
export function rawCoefficient(sv: SteeringVector, alpha: number): number {
  return (alpha * sv.meanNorm) / sv.rawNorm;
}

/** Interventions for a batch whose left-padded prompts are T long: positions T-1 .. T-1+maxNewTokens. */
export function steeringInterventions(sv: SteeringVector, alpha: number, promptLength: number, maxNewTokens: number): Intervention[] {
  if (alpha === 0) return [];
  const positions = Array.from({ length: maxNewTokens + 1 }, (_, i) => promptLength - 1 + i);
  return [{ hook: hookName(sv.layer, 'hook_resid_post'), vector: sv.unit, scale: alpha * sv.meanNorm, positions }];
}

export interface SampleOptions {
  maxNewTokens: number;
  samplesPerPrompt: number;
  batchSize: number;
  temperature: number;
  seed: number | string;
  eosId: number;
  padId: number;
}

export interface Sample {
  prompt: number;
  sample: number;
  tokens: number[];
}

/**
 * Sample answers to prompts from `model`, steered by `sv` at `alpha` (0:
 * unsteered). Same seed, same rows. Rows are cut into batches of
 * `batchSize`, each seeded and left-padded on its own, so a row's answer
 * does not depend on how many rows there are; batches of one padded length T
 * share their decoding passes (generateBatches, token- and logit-identical
 * to one generate() call per batch), and the steered positions T-1 onward
 * are the same for all of them.
 */
export function sampleSteered(model: CausalLM, prompts: number[][], sv: SteeringVector | null, alpha: number, o: SampleOptions): Sample[] {
  const rows: { p: number; s: number }[] = [];
  prompts.forEach((_, p) => {
    for (let s = 0; s < o.samplesPerPrompt; s++) rows.push({ p, s });
  });
  const byLength = new Map<number, { start: number; prompts: number[][]; seed: string }[]>();
  for (let start = 0; start < rows.length; start += o.batchSize) {
    const ps = rows.slice(start, start + o.batchSize).map((r) => prompts[r.p]);
    const T = Math.max(...ps.map((p) => p.length));
    const same = byLength.get(T) ?? [];
    same.push({ start, prompts: ps, seed: `${o.seed}/row${start}` });
    byLength.set(T, same);
  }
  const out: Sample[] = new Array(rows.length);
  for (const [T, batches] of byLength) {
    const interventions = sv ? steeringInterventions(sv, alpha, T, o.maxNewTokens) : [];
    const gens = generateBatches(model, batches, { maxNewTokens: o.maxNewTokens, temperature: o.temperature, eosId: o.eosId, padId: o.padId, interventions });
    batches.forEach((b, i) => gens[i].tokens.forEach((tokens, j) => (out[b.start + j] = { prompt: rows[b.start + j].p, sample: rows[b.start + j].s, tokens })));
  }
  return out;
}

/** Mean negative log-likelihood per response token under `model` (NaN for an empty response). */
export function responseLoss(model: CausalLM, prompts: number[][], samples: readonly Sample[], batchSize: number, padId: number): number[] {
  const out: number[] = [];
  for (let start = 0; start < samples.length; start += batchSize) {
    const batch = samples.slice(start, start + batchSize);
    const seqs = batch.map((s) => [...prompts[s.prompt], ...s.tokens]);
    const { rows, mask } = padRight(seqs, padId);
    const B = rows.length;
    const T = rows[0].length;
    const V = model.vocabSize;
    const logp = tidyRead(() => {
      const ids = tf.tensor2d(rows, [B, T], 'int32');
      const m = tf.tensor2d(mask, [B, T], 'float32');
      return tf.logSoftmax(model.forward(ids, { attentionMask: m }).logits);
    });
    batch.forEach((s, b) => {
      const p = prompts[s.prompt].length;
      if (s.tokens.length === 0) {
        out.push(NaN);
        return;
      }
      let nll = 0;
      s.tokens.forEach((tokId, i) => {
        const t = p + i - 1; // the position predicting token p+i
        nll -= logp[(b * T + t) * V + tokId];
      });
      out.push(nll / s.tokens.length);
    });
  }
  return out;
}

/** Share of distinct tokens in a sample (1 = no repetition). */
export function distinctRatio(tokens: readonly number[]): number {
  return tokens.length === 0 ? 0 : new Set(tokens).size / tokens.length;
}

export interface CoherenceCheck {
  /** a sample is coherent when its base loss <= maxLoss, its distinct ratio >= minDistinct, and it is not empty */
  maxLoss: number;
  minDistinct: number;
  /** the unsteered samples' quantile the thresholds come from */
  quantile: number;
  calibratedOn: number;
}

/**
 * Thresholds from unsteered samples: maxLoss = their q-quantile of base
 * loss, minDistinct = their (1 - q)-quantile of distinct ratio. With q =
 * 0.95 about 90-95% of unsteered samples pass, by construction.
 */
export function calibrateCoherence(losses: readonly number[], distinct: readonly number[], quantile = 0.95): CoherenceCheck {
  const l = losses.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const d = distinct.filter((_, i) => Number.isFinite(losses[i])).sort((a, b) => a - b);
  if (l.length === 0) throw new MoltError('steering: no non-empty unsteered sample to calibrate the coherence check on (raise maxNewTokens or samples)', 'coherence');
  return { maxLoss: quantileSorted(l, quantile), minDistinct: quantileSorted(d, 1 - quantile), quantile, calibratedOn: l.length };
}

export function isCoherent(check: CoherenceCheck, loss: number, distinct: number): boolean {
  return Number.isFinite(loss) && loss <= check.maxLoss && distinct >= check.minDistinct;
}

export interface AlphaSearch {
  alpha: number;
  coherence: number;
  trace: { alpha: number; coherence: number }[];
}

/**
 * alpha* = the largest alpha in [lo, hi] with coherence(alpha) >= threshold,
 * assuming coherence falls with alpha: hi is tried first; otherwise `steps`
 * bisections keep lo coherent and hi not, and lo is returned (so the answer
 * is within (hi - lo) / 2^steps below the true threshold).
 */
export async function searchAlpha(coherence: (alpha: number) => Promise<number> | number, o: { lo: number; hi: number; steps: number; threshold: number }): Promise<AlphaSearch> {
  const trace: { alpha: number; coherence: number }[] = [];
  const at = async (a: number) => {
    const c = await coherence(a);
    trace.push({ alpha: a, coherence: c });
    return c;
  };
  const top = await at(o.hi);
  if (top >= o.threshold) return { alpha: o.hi, coherence: top, trace };
  let lo = o.lo;
  let hi = o.hi;
  let loC = NaN;
  for (let i = 0; i < o.steps; i++) {
    const mid = (lo + hi) / 2;
    const c = await at(mid);
    if (c >= o.threshold) {
      lo = mid;
      loC = c;
    } else hi = mid;
  }
  if (Number.isNaN(loC)) loC = lo === o.lo ? await at(lo) : loC;
  return { alpha: lo, coherence: loC, trace };
}
