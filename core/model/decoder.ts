// The generic decoder-only transformer both architecture plugins run on.
// One code path serves the full forward (training, probes) and the
// incremental KV-cache step (generation): `pass` sees the new tokens, the
// keys already cached (if any) and the per-row padding state.
import { tf } from '../engine/tf';
import { linear } from '../engine/ops';
import { MoltError } from '../errors';
import { attentionBias, groupedQueryAttention } from '../nn/attention';
import { embedTokens } from '../nn/embedding';
import { gatedMlp } from '../nn/mlp';
import { applyRmsNorm } from '../nn/rms-norm';
import { applyRope, ropeTables, type RopeTables } from '../nn/rope';
import type { DecoderSpec } from './decoder-spec';
import { paramLayout } from './decoder-spec';
import { allHookNames, HookRunner } from './hooks';
import { KvCache } from './kv-cache';
import {
  FINAL_NORM_HOOK,
  hookName,
  type CausalLM,
  type ForwardOptions,
  type ForwardResult,
  type HfConfig,
  type KvCacheHandle,
} from './types';

/** HF's position_ids for padded input: cumsum(mask) - 1, clamped at 0, continuing from `before` real tokens. */
export function positionsFromMask(mask: ArrayLike<number>, before = 0): number[] {
  const out: number[] = [];
  let seen = before;
  for (let t = 0; t < mask.length; t++) {
    if (mask[t] !== 0) seen++;
    out.push(Math.max(0, seen - 1));
  }
  return out;
}

/** Per-pass state: which queries run, where they sit, which keys exist. */
interface PassContext {
  B: number;
  T: number;
  /** absolute index of the first new token */
  queryStart: number;
  /** RoPE positions of the new tokens, [B][T] */
  positions: number[][];
  /** validity of every key position 0 .. queryStart + T - 1, per row */
  keyValid: number[][];
  cache: KvCache | null;
  /** masks already built in this pass, by window/keyStart/S (layers of a kind share one) */
  biases?: Map<string, tf.Tensor>;
}

interface LayerParams {
  inputNorm?: tf.Variable;
  q: tf.Variable;
  k: tf.Variable;
  v: tf.Variable;
  o: tf.Variable;
  qNorm: tf.Variable;
  kNorm: tf.Variable;
  postAttnNorm: tf.Variable;
  preFfNorm?: tf.Variable;
  postFfNorm: tf.Variable;
  gate: tf.Variable;
  up: tf.Variable;
  down: tf.Variable;
}

export class DecoderModel implements CausalLM {
  readonly arch: string;
  readonly config: HfConfig;
  readonly numLayers: number;
  readonly hiddenSize: number;
  readonly vocabSize: number;
  private readonly hookSet: ReadonlySet<string>;
  private readonly layerParams: LayerParams[];

  constructor(
    readonly spec: DecoderSpec,
    readonly params: Map<string, tf.Variable>,
  ) {
    this.arch = spec.arch;
    this.config = spec.config;
    this.numLayers = spec.layers.length;
    this.hiddenSize = spec.hiddenSize;
    this.vocabSize = spec.vocabSize;
    this.hookSet = new Set(allHookNames(this.numLayers));
    for (const { name, shape } of paramLayout(spec)) {
      const p = params.get(name);
      if (!p) throw new MoltError(`${spec.arch}: parameter '${name}' is missing`, name);
      if (p.shape.join() !== shape.join()) {
        throw new MoltError(`${spec.arch}: parameter '${name}' has shape [${p.shape}], expected [${shape}]`, name);
      }
    }
    const get = (n: string) => params.get(n)!;
    this.layerParams = spec.layers.map((_, l) => {
      const p = `model.layers.${l}.`;
      return {
        inputNorm: spec.preNorms ? get(`${p}input_layernorm.weight`) : undefined,
        q: get(`${p}self_attn.q_proj.weight`),
        k: get(`${p}self_attn.k_proj.weight`),
        v: get(`${p}self_attn.v_proj.weight`),
        o: get(`${p}self_attn.o_proj.weight`),
        qNorm: get(`${p}self_attn.q_norm.weight`),
        kNorm: get(`${p}self_attn.k_norm.weight`),
        postAttnNorm: get(`${p}post_attention_layernorm.weight`),
        preFfNorm: spec.preNorms ? get(`${p}pre_feedforward_layernorm.weight`) : undefined,
        postFfNorm: get(`${p}post_feedforward_layernorm.weight`),
        gate: get(`${p}mlp.gate_proj.weight`),
        up: get(`${p}mlp.up_proj.weight`),
        down: get(`${p}mlp.down_proj.weight`),
      };
    });
  }

  /** every valid hook name of this model */
  get hookNames(): string[] {
    return [...this.hookSet];
  }

  forward(ids: tf.Tensor2D, opts: ForwardOptions = {}): ForwardResult {
    const [B, T] = ids.shape;
    const mask = readMask(opts.attentionMask, B, T);
    const ctx: PassContext = {
      B,
      T,
      queryStart: 0,
      positions: mask.map((row) => positionsFromMask(row)),
      keyValid: mask,
      cache: null,
    };
    return this.pass(ids, ctx, opts);
  }

  initCache(batchSize: number): KvCache {
    return new KvCache(batchSize, this.numLayers);
  }

  forwardStep(ids: tf.Tensor2D, handle: KvCacheHandle, opts: ForwardOptions = {}): ForwardResult {
    if (!(handle instanceof KvCache) || handle.layers.length !== this.numLayers) {
      throw new MoltError(`${this.arch}: forwardStep needs a cache made by this model's initCache()`, 'cache');
    }
    if (handle.isDisposed) throw new MoltError(`${this.arch}: forwardStep on a disposed cache`, 'cache');
    const cache = handle;
    const [B, T] = ids.shape;
    if (B !== cache.batchSize) {
      throw new MoltError(`${this.arch}: forwardStep got ${B} rows, the cache holds ${cache.batchSize}`, 'cache');
    }
    const mask = readMask(opts.attentionMask, B, T);
    const ctx: PassContext = {
      B,
      T,
      queryStart: cache.length,
      positions: mask.map((row, b) => positionsFromMask(row, cache.realCount[b])),
      keyValid: cache.keyValid.map((row, b) => row.concat(mask[b])),
      cache,
    };
    const result = this.pass(ids, ctx, opts);
    for (let b = 0; b < B; b++) {
      cache.keyValid[b].push(...mask[b]);
      cache.realCount[b] += mask[b].reduce((s, m) => s + (m !== 0 ? 1 : 0), 0);
    }
    return result;
  }

  finalNorm(x: tf.Tensor): tf.Tensor {
    return applyRmsNorm(this.spec.norm, x, this.params.get('model.norm.weight')!, this.spec.rmsNormEps);
  }

  unembed(x: tf.Tensor): tf.Tensor {
    const w = this.spec.tiedEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
    return linear(x, this.params.get(w)!);
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
  }

  private pass(ids: tf.Tensor2D, ctx: PassContext, opts: ForwardOptions): ForwardResult {
    const { B, T } = ctx;
    const spec = this.spec;
    const hooks = new HookRunner(this.hookSet, this.hiddenSize, ctx.queryStart, T, opts.interventions, opts.capture);
    const newCache: { k: tf.Tensor4D; v: tf.Tensor4D; start: number }[] = [];
    const [logits, ...captured] = tf.tidy(() => {
      const rope = new Map<number, RopeTables>();
      const ropeFor = (theta: number) => {
        if (!rope.has(theta)) rope.set(theta, ropeTables(ctx.positions, spec.headDim, theta));
        return rope.get(theta)!;
      };
      let x = embedTokens(ids, this.params.get('model.embed_tokens.weight')!, spec.padTokenId);
      if (spec.embedScale !== null) x = tf.mul(x, spec.embedScale);
      for (let l = 0; l < this.numLayers; l++) {
        x = this.block(l, x, ctx, hooks, ropeFor(spec.layers[l].ropeTheta), newCache);
      }
      let h = hooks.at(FINAL_NORM_HOOK, this.finalNorm(x));
      if (opts.lastOnly) h = tf.slice(h, [0, T - 1, 0], [B, 1, this.hiddenSize]);
      return [this.unembed(h), ...hooks.captured.values()];
    });
    if (ctx.cache) {
      newCache.forEach((entry, l) => {
        const old = ctx.cache!.layers[l];
        old.k?.dispose();
        old.v?.dispose();
        ctx.cache!.layers[l] = entry;
      });
    }
    const names = [...hooks.captured.keys()];
    return {
      logits: logits as tf.Tensor3D,
      captured: new Map(names.map((n, i) => [n, captured[i] as tf.Tensor3D])),
    };
  }

  private block(
    l: number,
    x: tf.Tensor,
    ctx: PassContext,
    hooks: HookRunner,
    rope: RopeTables,
    newCache: { k: tf.Tensor4D; v: tf.Tensor4D; start: number }[],
  ): tf.Tensor {
    const p = this.layerParams[l];
    const { norm, rmsNormEps: eps } = this.spec;
    const resPre = hooks.at(hookName(l, 'hook_resid_pre'), x);
    const attnIn = p.inputNorm ? applyRmsNorm(norm, resPre, p.inputNorm, eps) : resPre;
    const attn = this.attention(l, attnIn, ctx, rope, newCache);
    const attnOut = hooks.at(hookName(l, 'hook_attn_out'), applyRmsNorm(norm, attn, p.postAttnNorm, eps));
    const resMid = hooks.at(hookName(l, 'hook_resid_mid'), tf.add(resPre, attnOut));
    const mlpIn = p.preFfNorm ? applyRmsNorm(norm, resMid, p.preFfNorm, eps) : resMid;
    const mlp = gatedMlp(mlpIn, p.gate, p.up, p.down, this.spec.activation);
    const mlpOut = hooks.at(hookName(l, 'hook_mlp_out'), applyRmsNorm(norm, mlp, p.postFfNorm, eps));
    return hooks.at(hookName(l, 'hook_resid_post'), tf.add(resMid, mlpOut));
  }

  private attention(
    l: number,
    h: tf.Tensor,
    ctx: PassContext,
    rope: RopeTables,
    newCache: { k: tf.Tensor4D; v: tf.Tensor4D; start: number }[],
  ): tf.Tensor {
    const spec = this.spec;
    const p = this.layerParams[l];
    const { B, T } = ctx;
    const H = spec.numHeads;
    const KV = spec.numKvHeads;
    const D = spec.headDim;
    const eps = spec.rmsNormEps;
    let q = linear(h, p.q);
    let k = linear(h, p.k);
    const v0 = linear(h, p.v);
    if (spec.qkNorm === 'projection') {
      q = applyRmsNorm(spec.norm, q, p.qNorm, eps);
      k = applyRmsNorm(spec.norm, k, p.kNorm, eps);
    }
    q = tf.reshape(q, [B, T, H, D]);
    k = tf.reshape(k, [B, T, KV, D]);
    if (spec.qkNorm === 'head') {
      q = applyRmsNorm(spec.norm, q, p.qNorm, eps);
      k = applyRmsNorm(spec.norm, k, p.kNorm, eps);
    }
    q = applyRope(tf.transpose(q, [0, 2, 1, 3]), rope);
    k = applyRope(tf.transpose(k, [0, 2, 1, 3]), rope);
    let v = tf.transpose(tf.reshape(v0, [B, T, KV, D]), [0, 2, 1, 3]);

    const window = spec.layers[l].window;
    let keyStart = ctx.queryStart;
    const cached = ctx.cache?.layers[l];
    if (cached?.k && cached.v) {
      k = tf.concat([cached.k, k], 2);
      v = tf.concat([cached.v, v], 2);
      keyStart = cached.start;
    }
    const S = k.shape[2] as number;
    const biasKey = `${window}|${keyStart}|${S}`;
    const biases = (ctx.biases ??= new Map());
    let bias = biases.get(biasKey);
    if (!bias) {
      bias = attentionBias(
        {
          keyValid: ctx.keyValid.map((row) => row.slice(keyStart, keyStart + S)),
          keyStart,
          queryStart: ctx.queryStart,
          queryLen: T,
          window,
        },
        H / KV,
      );
      biases.set(biasKey, bias);
    }
    const out = groupedQueryAttention(q, k, v, bias, spec.attnScale);
    if (ctx.cache) {
      // Local layers keep only the keys a later query can still see.
      const keep = window !== null && S > window ? window : S;
      const kKeep = keep < S ? tf.slice(k, [0, 0, S - keep, 0], [B, KV, keep, D]) : k;
      const vKeep = keep < S ? tf.slice(v, [0, 0, S - keep, 0], [B, KV, keep, D]) : v;
      newCache[l] = { k: tf.keep(kKeep) as tf.Tensor4D, v: tf.keep(vKeep) as tf.Tensor4D, start: keyStart + S - keep };
    }
    return linear(out, p.o);
  }
}

/** The [B][T] 0/1 mask from an optional tensor (all ones when absent). */
function readMask(mask: tf.Tensor2D | undefined, B: number, T: number): number[][] {
  if (!mask) return Array.from({ length: B }, () => new Array<number>(T).fill(1));
  if (mask.rank !== 2 || mask.shape[0] !== B || mask.shape[1] !== T) {
    throw new MoltError(`attentionMask has shape [${mask.shape}], expected [${B}, ${T}]`, 'attentionMask');
  }
  return mask.arraySync() as number[][];
}
