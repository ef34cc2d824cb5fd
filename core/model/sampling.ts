// Choosing the next token from one row of logits, on the CPU in float64.
// Order of filters as HF's logits processors: temperature, top-k, top-p.
import type { Rng } from '../engine/rng';

export interface SamplingOptions {
  /** > 0; ignored when greedy. 0 means greedy. */
  temperature: number;
  /** keep the k most likely tokens (ties with the k-th kept) */
  topK?: number;
  /** keep the smallest most-likely set whose probability reaches topP */
  topP?: number;
  /** argmax, no randomness */
  greedy?: boolean;
}

export function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
}

/**
 * The probabilities sampling draws from (temperature, top-k, top-p applied),
 * as a dense array with zeros for removed tokens.
 */
export function samplingDistribution(logits: ArrayLike<number>, opts: SamplingOptions): Float64Array {
  const V = logits.length;
  const scaled = new Float64Array(V);
  for (let i = 0; i < V; i++) scaled[i] = logits[i] / opts.temperature;
  const keep = new Uint8Array(V).fill(1);
  const useTopK = opts.topK !== undefined && opts.topK > 0 && opts.topK < V;
  const useTopP = opts.topP !== undefined && opts.topP < 1;
  // Sorting the vocabulary is only needed by top-k/top-p; plain temperature
  // sampling (how QER is measured) skips it.
  const order = useTopK || useTopP ? [...Array(V).keys()].sort((a, b) => scaled[b] - scaled[a]) : [];
  if (useTopK) {
    const kth = scaled[order[opts.topK! - 1]];
    for (let i = 0; i < V; i++) if (scaled[i] < kth) keep[i] = 0;
  }
  const max = scaled[argmax(scaled)];
  const probs = new Float64Array(V);
  let total = 0;
  for (let i = 0; i < V; i++) {
    if (!keep[i]) continue;
    probs[i] = Math.exp(scaled[i] - max);
    total += probs[i];
  }
  for (let i = 0; i < V; i++) probs[i] /= total;
  if (useTopP) {
    // Walk down from the most likely; the token that crosses topP stays.
    let cum = 0;
    let crossed = false;
    for (const i of order) {
      if (!keep[i]) continue;
      if (crossed) {
        probs[i] = 0;
        continue;
      }
      cum += probs[i];
      if (cum >= opts.topP!) crossed = true;
    }
    let kept = 0;
    for (let i = 0; i < V; i++) kept += probs[i];
    for (let i = 0; i < V; i++) probs[i] /= kept;
  }
  return probs;
}

/** The next token for one row. */
export function sampleToken(logits: ArrayLike<number>, opts: SamplingOptions, rng: Rng): number {
  if (opts.greedy || opts.temperature === 0) return argmax(logits);
  if (!(opts.temperature > 0)) throw new Error(`sampling: temperature must be >= 0, got ${opts.temperature}`);
  const filtered = (opts.topK !== undefined && opts.topK > 0 && opts.topK < logits.length) || (opts.topP !== undefined && opts.topP < 1);
  if (!filtered) return sampleTemperature(logits, opts.temperature, rng);
  const probs = samplingDistribution(logits, opts);
  const u = rng.next();
  let cum = 0;
  let last = 0;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i] === 0) continue;
    cum += probs[i];
    last = i;
    if (u < cum) return i;
  }
  return last;
}

// Scratch for sampleTemperature: generation samples tens of thousands of rows,
// and a fresh array per row was a good part of its time (allocation and GC).
let expScratch = new Float64Array(0);

/**
 * sampleToken without top-k/top-p (how QER is measured), in one reused
 * buffer: the same float64 operations in the same order as
 * samplingDistribution followed by the cumulative walk, so the same token,
 * but the normalising divisions stop at the token drawn.
 */
function sampleTemperature(logits: ArrayLike<number>, temperature: number, rng: Rng): number {
  const V = logits.length;
  if (expScratch.length < V) expScratch = new Float64Array(V);
  const e = expScratch;
  let best = 0;
  for (let i = 0; i < V; i++) {
    e[i] = logits[i] / temperature;
    if (e[i] > e[best]) best = i;
  }
  const max = e[best];
  let total = 0;
  for (let i = 0; i < V; i++) {
    e[i] = Math.exp(e[i] - max);
    total += e[i];
  }
  const u = rng.next();
  let cum = 0;
  let last = 0;
  for (let i = 0; i < V; i++) {
    const p = e[i] / total;
    if (p === 0) continue;
    cum += p;
    last = i;
    if (u < cum) return i;
  }
  return last;
}
