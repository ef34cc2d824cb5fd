// Batched autoregressive generation with left padding and a KV cache.
// Sampling happens on the CPU from a seeded stream per row, so a seed fixes
// the output, and a row's draws do not depend on the other rows.
// generateBatches runs many such batches at once with the same results
// (evaluation: hundreds of prompts, several samples each).
import { tf } from '../engine/tf';
import { Rng } from '../engine/rng';
import { MoltError } from '../errors';
import { sampleToken, type SamplingOptions } from './sampling';
import type { CausalLM, Intervention, KvCacheHandle } from './types';

export interface GenerateOptions extends SamplingOptions {
  maxNewTokens: number;
  seed: number | string;
  /** a row stops after producing this id (not included in its output) */
  eosId: number;
  /** other ids that end an answer as eosId does (a chat model's end of turn, e.g. Gemma's <end_of_turn>); not in the output either */
  endIds?: readonly number[];
  /** added at their hooks on prompt and generated positions (absolute positions in the left-padded sequence) */
  interventions?: Intervention[];
  /** id used for left padding; config.pad_token_id, else 0 */
  padId?: number;
  /** false: re-run the full forward every step (slow; the reference the cache is tested against) */
  useCache?: boolean;
  /** keep each step's last-position logits in the result */
  recordLogits?: boolean;
}

function endsAnswer(t: number, opts: Pick<GenerateOptions, 'eosId' | 'endIds'>): boolean {
  return t === opts.eosId || (opts.endIds !== undefined && opts.endIds.includes(t));
}

export interface GenerateResult {
  /** new ids per prompt, without the final eos */
  tokens: number[][];
  /** whether each row stopped at eos (false: hit maxNewTokens) */
  finished: boolean[];
  /** per step, [B * V] logits of the position that chose the token (recordLogits) */
  stepLogits: Float32Array[];
}

export function leftPad(prompts: number[][], padId: number): { ids: number[][]; mask: number[][] } {
  const T = Math.max(...prompts.map((p) => p.length));
  return {
    ids: prompts.map((p) => new Array<number>(T - p.length).fill(padId).concat(p)),
    mask: prompts.map((p) => new Array<number>(T - p.length).fill(0).concat(new Array<number>(p.length).fill(1))),
  };
}

/** The last position's logits, [B * V], of ids [B][T]: a cached step when `cache` is given, else a full forward. */
function lastLogits(model: CausalLM, cache: KvCacheHandle | null, ids: number[][], mask: number[][], interventions: Intervention[] | undefined): Float32Array {
  const [B, T] = [ids.length, ids[0].length];
  const idT = tf.tensor2d(ids, [B, T], 'int32');
  const maskT = tf.tensor2d(mask, [B, T], 'float32');
  try {
    const o = { attentionMask: maskT, interventions, lastOnly: true };
    const logits = cache ? model.forwardStep(idT, cache, o).logits : model.forward(idT, o).logits;
    const values = logits.dataSync() as Float32Array;
    logits.dispose();
    return values;
  } finally {
    idT.dispose();
    maskT.dispose();
  }
}

function checkPrompts(prompts: number[][], where: string): void {
  prompts.forEach((p, i) => {
    if (p.length === 0) throw new MoltError(`generate: prompt ${i}${where} is empty`, `prompt ${i}`);
  });
}

function padIdOf(model: CausalLM, padId: number | undefined): number {
  return padId ?? (typeof model.config.pad_token_id === 'number' ? model.config.pad_token_id : 0);
}

/** The sampling stream of row `b` of a batch generated with `seed`. */
function rowRng(seed: number | string, b: number): Rng {
  return new Rng(seed).fork(`generate/row${b}`);
}

export function generateDetailed(model: CausalLM, prompts: number[][], opts: GenerateOptions): GenerateResult {
  if (prompts.length === 0) return { tokens: [], finished: [], stepLogits: [] };
  checkPrompts(prompts, '');
  const B = prompts.length;
  const V = model.vocabSize;
  const padId = padIdOf(model, opts.padId);
  const rngs = prompts.map((_, b) => rowRng(opts.seed, b));
  const tokens: number[][] = prompts.map(() => []);
  const finished = new Array<boolean>(B).fill(false);
  const stepLogits: Float32Array[] = [];
  const { ids, mask } = leftPad(prompts, padId);
  const useCache = opts.useCache ?? true;
  const cache = useCache ? model.initCache(B) : null;
  let next: number[] = [];
  try {
    for (let step = 0; step < opts.maxNewTokens; step++) {
      // With the cache the first step runs the whole padded prompt, later ones one token.
      const values = cache
        ? lastLogits(model, cache, step === 0 ? ids : next.map((t) => [t]), step === 0 ? mask : next.map(() => [1]), opts.interventions)
        : lastLogits(model, null, ids, mask, opts.interventions);
      if (opts.recordLogits) stepLogits.push(values.slice());
      next = [];
      for (let b = 0; b < B; b++) {
        // Finished rows keep feeding eos so the batch stays rectangular; their
        // outputs are ignored and rows never interact.
        if (finished[b]) {
          next.push(opts.eosId);
          continue;
        }
        const t = sampleToken(values.subarray(b * V, (b + 1) * V), opts, rngs[b]);
        next.push(t);
        if (endsAnswer(t, opts)) finished[b] = true;
        else tokens[b].push(t);
      }
      if (finished.every((f) => f)) break;
      if (!cache) {
        next.forEach((t, b) => {
          ids[b].push(t);
          mask[b].push(1);
        });
      }
    }
  } finally {
    cache?.dispose();
  }
  return { tokens, finished, stepLogits };
}

/** New token ids per prompt (eos excluded), batched, left-padded, KV-cached. */
export function generate(model: CausalLM, prompts: number[][], opts: GenerateOptions): number[][] {
  return generateDetailed(model, prompts, opts).tokens;
}

/** One batch for generateBatches: the prompts and seed a generate() call would be given. */
export interface PromptBatch {
  prompts: number[][];
  seed: number | string;
}

export interface BatchesOptions extends Omit<GenerateOptions, 'seed' | 'useCache' | 'recordLogits'> {
  /** most rows run through the model at once (default 512) */
  maxRows?: number;
  /** keep, per row, the logits that chose each of its tokens (eos included) */
  recordLogits?: boolean;
  /** called after each pass over a group of rows with the rows done so far */
  onRows?: (done: number) => void;
}

export interface BatchGeneration {
  /** as generate() */
  tokens: number[][];
  finished: boolean[];
  /** per row, per token it drew (eos included), its V logits (recordLogits) */
  rowLogits: Float32Array[][];
}

/** A row of generateBatches, laid out as generateDetailed lays out its batch. */
interface Row {
  out: BatchGeneration;
  /** place in its batch */
  index: number;
  ids: number[];
  mask: number[];
  rng: Rng;
}

/**
 * generate() of each batch, with the same tokens and logits bit for bit, but
 * with several batches' rows in one pass over the model, which spends most of
 * a small model's time in per-operation overhead rather than arithmetic. This
 * is exact because a row's arithmetic never depends on the other rows (the
 * products, norms and attention run row by row or group by group; see
 * test/model/generate-batches.spec.ts) but does depend on its own left padding:
 * masked keys weigh e^-87, not 0, in the attention's softmax. So a row keeps
 * its batch's padded length, and only batches of equal padded length share a
 * pass. Each row keeps its batch's sampling stream. Within a pass, identical
 * padded prompts (a prompt's several samples) share one prefill, and rows
 * that finished leave the pass, so they cost no more steps.
 */
export function generateBatches(model: CausalLM, batches: readonly PromptBatch[], opts: BatchesOptions): BatchGeneration[] {
  const padId = padIdOf(model, opts.padId);
  const maxRows = opts.maxRows ?? 512;
  if (!(Number.isInteger(maxRows) && maxRows > 0)) throw new MoltError(`generate: maxRows must be a positive integer, got ${maxRows}`, 'maxRows');
  const byLength = new Map<number, Row[]>();
  const results = batches.map((batch, i): BatchGeneration => {
    checkPrompts(batch.prompts, ` of batch ${i}`);
    const out: BatchGeneration = { tokens: batch.prompts.map(() => []), finished: batch.prompts.map(() => false), rowLogits: batch.prompts.map(() => []) };
    if (batch.prompts.length === 0) return out;
    const { ids, mask } = leftPad(batch.prompts, padId);
    const rows = byLength.get(ids[0].length) ?? [];
    ids.forEach((row, b) => rows.push({ out, index: b, ids: row, mask: mask[b], rng: rowRng(batch.seed, b) }));
    byLength.set(ids[0].length, rows);
    return out;
  });
  let done = 0;
  for (const rows of byLength.values()) {
    for (let start = 0; start < rows.length; start += maxRows) {
      const group = rows.slice(start, start + maxRows);
      decodeGroup(model, group, opts);
      done += group.length;
      opts.onRows?.(done);
    }
  }
  return results;
}

/** Generate for rows of one padded length together (generateBatches). */
function decodeGroup(model: CausalLM, rows: readonly Row[], opts: BatchesOptions): void {
  const V = model.vocabSize;
  // identical padded prompts: one prefill, its cache row copied to each
  const unique = new Map<string, number>();
  const firsts: Row[] = [];
  const prefillRow = rows.map((r) => {
    const key = `${r.ids.join(',')}|${r.mask.join('')}`;
    let u = unique.get(key);
    if (u === undefined) {
      u = firsts.length;
      unique.set(key, u);
      firsts.push(r);
    }
    return u;
  });
  const cache = model.initCache(firsts.length);
  try {
    let values = lastLogits(model, cache, firsts.map((r) => r.ids), firsts.map((r) => r.mask), opts.interventions);
    cache.selectRows(prefillRow);
    // the rows in the cache, in its order, and where each one's logits are in `values`
    let live = rows.map((_, i) => i);
    let logitRow = prefillRow;
    for (let step = 0; ; step++) {
      const next: number[] = [];
      let stopped = 0;
      live.forEach((i, c) => {
        const { out, index, rng } = rows[i];
        if (out.finished[index]) {
          // a finished row still in the pass feeds eos; its outputs are ignored
          next.push(opts.eosId);
          stopped++;
          return;
        }
        const logits = values.subarray(logitRow[c] * V, (logitRow[c] + 1) * V);
        if (opts.recordLogits) out.rowLogits[index].push(logits.slice());
        const t = sampleToken(logits, opts, rng);
        next.push(t);
        if (endsAnswer(t, opts)) {
          out.finished[index] = true;
          stopped++;
        } else out.tokens[index].push(t);
      });
      if (stopped === live.length || step + 1 >= opts.maxNewTokens) return;
      // Dropping rows gathers the whole cache, about the cost of one step's
      // cache append: done once an eighth of the pass has finished.
      let ids = next;
      if (stopped * 8 >= live.length) {
        const keep = live.map((_, c) => c).filter((c) => !rows[live[c]].out.finished[rows[live[c]].index]);
        cache.selectRows(keep);
        live = keep.map((c) => live[c]);
        ids = keep.map((c) => next[c]);
      }
      values = lastLogits(model, cache, ids.map((t) => [t]), ids.map(() => [1]), opts.interventions);
      logitRow = live.map((_, c) => c);
    }
  } finally {
    cache.dispose();
  }
}
