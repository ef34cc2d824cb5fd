// Batched autoregressive generation with left padding and a KV cache.
// Sampling happens on the CPU from a seeded stream per row, so a seed fixes
// the output, and a row's draws do not depend on the other rows.
import { tf } from '../engine/tf';
import { Rng } from '../engine/rng';
import { MoltError } from '../errors';
import { sampleToken, type SamplingOptions } from './sampling';
import type { CausalLM, Intervention } from './types';

export interface GenerateOptions extends SamplingOptions {
  maxNewTokens: number;
  seed: number | string;
  /** a row stops after producing this id (not included in its output) */
  eosId: number;
  /** added at their hooks on prompt and generated positions (absolute positions in the left-padded sequence) */
  interventions?: Intervention[];
  /** id used for left padding; config.pad_token_id, else 0 */
  padId?: number;
  /** false: re-run the full forward every step (slow; the reference the cache is tested against) */
  useCache?: boolean;
  /** keep each step's last-position logits in the result */
  recordLogits?: boolean;
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

export function generateDetailed(model: CausalLM, prompts: number[][], opts: GenerateOptions): GenerateResult {
  if (prompts.length === 0) return { tokens: [], finished: [], stepLogits: [] };
  prompts.forEach((p, i) => {
    if (p.length === 0) throw new MoltError(`generate: prompt ${i} is empty`, `prompt ${i}`);
  });
  const B = prompts.length;
  const V = model.vocabSize;
  const padId = opts.padId ?? (typeof model.config.pad_token_id === 'number' ? model.config.pad_token_id : 0);
  const rngs = prompts.map((_, b) => new Rng(opts.seed).fork(`generate/row${b}`));
  const tokens: number[][] = prompts.map(() => []);
  const finished = new Array<boolean>(B).fill(false);
  const stepLogits: Float32Array[] = [];
  const { ids, mask } = leftPad(prompts, padId);
  const useCache = opts.useCache ?? true;
  const cache = useCache ? model.initCache(B) : null;
  let next: number[] = [];
  try {
    for (let step = 0; step < opts.maxNewTokens; step++) {
      let logits: tf.Tensor3D;
      if (cache) {
        // The first step runs the whole padded prompt; later ones one token.
        const stepIds = step === 0 ? ids : next.map((t) => [t]);
        const stepMask = step === 0 ? mask : next.map(() => [1]);
        const idT = tf.tensor2d(stepIds, [B, stepIds[0].length], 'int32');
        const maskT = tf.tensor2d(stepMask, [B, stepMask[0].length], 'float32');
        logits = model.forwardStep(idT, cache, { attentionMask: maskT, interventions: opts.interventions, lastOnly: true }).logits;
        idT.dispose();
        maskT.dispose();
      } else {
        const T = ids[0].length;
        const idT = tf.tensor2d(ids, [B, T], 'int32');
        const maskT = tf.tensor2d(mask, [B, T], 'float32');
        logits = model.forward(idT, { attentionMask: maskT, interventions: opts.interventions, lastOnly: true }).logits;
        idT.dispose();
        maskT.dispose();
      }
      const values = logits.dataSync() as Float32Array;
      logits.dispose();
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
        if (t === opts.eosId) finished[b] = true;
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
