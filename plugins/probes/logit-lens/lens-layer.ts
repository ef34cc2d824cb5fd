// The logit lens of one layer's mean vectors, every position graded with
// every family's S: per-position relevant mass and hit@k, the best rank in
// the position-averaged distribution, and that distribution's top tokens.
import { lensLogits, rankRow, softmaxRows, HIT_KS, MoltError, type CausalLM, type Grader } from '../../../core/public';

export interface LensLayer {
  /** per family: per-position relevant mass */
  massByFamily: Map<string, number[]>;
  /** per family: per-position hit@k (0/1) */
  hitsByFamily: Map<string, Record<number, number[]>>;
  /** per family: best rank in the position-averaged distribution */
  bestRankByFamily: Map<string, number | null>;
  top: { id: number; prob: number }[];
  /** positions some sequence reached */
  positions: number;
}

/** Lens one [P x d] block of mean vectors (rows whose count is 0 are left out). */
export function lensLayer(model: CausalLM, vocab: readonly string[], vectors: Float32Array, counts: readonly number[], graders: ReadonlyMap<string, Grader>, topK: number): LensLayer {
  const d = model.hiddenSize;
  const used = counts.map((c, i) => (c > 0 ? i : -1)).filter((i) => i >= 0);
  const P = used.length;
  if (P === 0) throw new MoltError('logit-lens: no sequence reaches any position of the window', 'positionStart');
  const x = new Float32Array(P * d);
  used.forEach((pi, r) => x.set(vectors.subarray(pi * d, (pi + 1) * d), r * d));
  const V = model.vocabSize;
  const probs = softmaxRows(lensLogits(model, x, P), P, V);
  const massByFamily = new Map<string, number[]>();
  const hitsByFamily = new Map<string, Record<number, number[]>>();
  for (const f of graders.keys()) {
    massByFamily.set(f, []);
    hitsByFamily.set(f, Object.fromEntries(HIT_KS.map((k) => [k, [] as number[]])));
  }
  const avg = new Float64Array(V);
  const word = (id: number) => vocab[id] ?? `<${id}>`;
  for (let r = 0; r < P; r++) {
    const order = rankRow(probs, r * V, V, topK);
    const tokens = order.map(word);
    const p = order.map((id) => probs[r * V + id]);
    for (const [f, g] of graders) {
      const s = g.ranking(tokens, p);
      massByFamily.get(f)!.push(s.relevantMass);
      for (const k of HIT_KS) hitsByFamily.get(f)![k].push(s.hitAt[k]);
    }
    for (let i = 0; i < V; i++) avg[i] += probs[r * V + i] / P;
  }
  const full = rankRow(avg, 0, V);
  const bestRankByFamily = new Map<string, number | null>();
  for (const [f, g] of graders) bestRankByFamily.set(f, g.ranking(full.map(word)).bestRank);
  return { massByFamily, hitsByFamily, bestRankByFamily, top: full.slice(0, topK).map((id) => ({ id, prob: avg[id] })), positions: P };
}
