// molt's native kernels: a C++ Node-API addon (native/) that `npm install`
// builds where a compiler is available (scripts/build-native.js). It replaces
// the wasm backend's BatchMatMul with a packed, register-blocked SGEMM that
// reads transposed operands in place, straight out of the wasm heap, so
// matMul with transposeA/transposeB needs no Transpose kernels.
//
// Where the addon did not build (or MOLT_NATIVE=0), nothing is registered
// and the plain wasm kernels run: results differ only by float rounding.
import * as fs from 'fs';
import * as path from 'path';
import { tf } from './tf';
import { MOLT_ROOT } from '../version';

interface NativeAddon {
  gemm(memory: ArrayBuffer, aOffset: number, bOffset: number, cOffset: number, shape: number[], threads: number): void;
  targetLogProbs(memory: ArrayBuffer, logits: number, targets: number, value: number, lse: number, rows: number, vocab: number): void;
  targetLogProbsGrad(memory: ArrayBuffer, logits: number, targets: number, lse: number, dy: number, out: number, rows: number, vocab: number): void;
  adamwStep(memory: ArrayBuffer, offsets: number[], n: number, hyper: number[]): void;
  rmsNorm(memory: ArrayBuffer, offsets: number[], rows: number, d: number, eps: number, onePlus: boolean): void;
  rmsNormGrad(memory: ArrayBuffer, offsets: number[], rows: number, d: number, onePlus: boolean): void;
  glu(memory: ArrayBuffer, offsets: number[], n: number, act: number): void;
  gluGrad(memory: ArrayBuffer, offsets: number[], n: number, act: number): void;
  attention(memory: ArrayBuffer, offsets: number[], shape: number[], scale: number): void;
  attentionGrad(memory: ArrayBuffer, offsets: number[], shape: number[], scale: number): void;
  embeddingGather(memory: ArrayBuffer, offsets: number[], n: number, vocab: number, d: number): void;
  embeddingScatterAdd(memory: ArrayBuffer, offsets: number[], n: number, vocab: number, d: number, skipId: number): void;
}

/** Minimal view of tfjs-backend-wasm's BackendWasm used here. */
interface WasmBackend {
  wasm: { HEAPU8: Uint8Array };
  getMemoryOffset(dataId: object): number;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

export const NATIVE_ADDON_PATH = path.join(MOLT_ROOT, 'native', 'build', 'Release', 'molt_native.node');

let addon: NativeAddon | null | undefined;
let addonError = '';

/** The addon, or null with the reason in nativeUnavailableReason(). */
export function loadNativeAddon(): NativeAddon | null {
  if (addon !== undefined) return addon;
  if (process.env.MOLT_NATIVE === '0') {
    addonError = 'MOLT_NATIVE=0';
    return (addon = null);
  }
  if (!fs.existsSync(NATIVE_ADDON_PATH)) {
    addonError = `not built (${path.relative(process.cwd(), NATIVE_ADDON_PATH) || NATIVE_ADDON_PATH} missing; npm run build:native)`;
    return (addon = null);
  }
  try {
    addon = require(NATIVE_ADDON_PATH) as NativeAddon;
  } catch (e) {
    addonError = `failed to load: ${(e as Error).message.split('\n')[0]}`;
    addon = null;
  }
  return addon;
}

/**
 * The first 8 hex digits of the hash of the sources the addon was built from
 * (written by scripts/build-native.js), or 'unversioned' for an addon built
 * another way. Part of the backend id: changed kernels, changed results.
 */
export function nativeKernelsVersion(): string {
  try {
    const hash = fs.readFileSync(NATIVE_ADDON_PATH.replace(/\.node$/, '.sources'), 'utf8').trim();
    return /^[0-9a-f]{64}$/.test(hash) ? hash.slice(0, 8) : 'unversioned';
  } catch {
    return 'unversioned';
  }
}

export function nativeUnavailableReason(): string {
  loadNativeAddon();
  return addonError;
}

/**
 * Threads per product (MOLT_THREADS, default 1). One, because bench runs
 * one cell per core; the result is the same for any thread count.
 */
export function nativeThreads(): number {
  const raw = process.env.MOLT_THREADS;
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`MOLT_THREADS must be a positive integer, got '${raw}'`);
  return n;
}

const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

/**
 * The wasm heap and the byte offsets of `tensors` in it. Call it after the
 * outputs are made: an allocation may have grown (replaced) the heap.
 */
function heapOf(b: WasmBackend, tensors: tf.TensorInfo[]): [ArrayBuffer, number[]] {
  return [b.wasm.HEAPU8.buffer as ArrayBuffer, tensors.map((t) => b.getMemoryOffset(t.dataId))];
}

let wasmKernel: tf.KernelConfig | undefined;

function nativeBatchMatMul(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const transA = Boolean(args.attrs?.transposeA);
  const transB = Boolean(args.attrs?.transposeB);
  if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new Error('BatchMatMul supports float32 tensors only');
  const ra = a.shape.length;
  const rb = b.shape.length;
  const k = transA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transB ? b.shape[rb - 1] : b.shape[rb - 2];
  const m = transA ? a.shape[ra - 1] : a.shape[ra - 2];
  const n = transB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) {
    throw new Error(`Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transA} and transposeB=${transB} must match.`);
  }
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = size(outer);
  const batchA = size(a.shape.slice(0, -2));
  const batchB = size(b.shape.slice(0, -2));
  // Broadcasting both ways at once ([2,1,..] x [1,3,..]) is left to the wasm kernel.
  if ((batchA !== 1 && batchA !== batch) || (batchB !== 1 && batchB !== batch)) {
    return (wasmKernel as tf.KernelConfig).kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  }
  const backend = args.backend as WasmBackend;
  const out = backend.makeOutput([...outer, m, n], 'float32');
  const [heap, [pa, pb, pc]] = heapOf(backend, [a, b, out]);
  (addon as NativeAddon).gemm(heap, pa, pb, pc, [batch, batchA, batchB, m, n, k, transA ? 1 : 0, transB ? 1 : 0], nativeThreads());
  return out;
}

// The fused log-softmax of core/train/losses.ts as two kernels of molt's own:
// forward {logits [rows, V], targets int32 [rows]} -> [value, lse] ([rows] each),
// backward {logits, targets, lse, dy} -> d logits.
export const TARGET_LOG_PROBS = 'MoltTargetLogProbs';
export const TARGET_LOG_PROBS_GRAD = 'MoltTargetLogProbsGrad';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown };

/** [rows, last axis] of a tensor seen as a matrix over its last axis */
function rowsByLastAxis(logits: tf.TensorInfo): [number, number] {
  const vocab = logits.shape[logits.shape.length - 1];
  return [vocab === 0 ? 0 : size(logits.shape) / vocab, vocab];
}

function nativeTargetLogProbs({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const { logits, targets } = inputs as { logits: tf.TensorInfo; targets: tf.TensorInfo };
  const b = backend as WasmBackend;
  const [rows, vocab] = rowsByLastAxis(logits);
  const lead = logits.shape.slice(0, -1);
  const value = b.makeOutput(lead, 'float32');
  const lse = b.makeOutput(lead, 'float32');
  const [heap, [pl, pt, pv, pe]] = heapOf(b, [logits, targets, value, lse]);
  (addon as NativeAddon).targetLogProbs(heap, pl, pt, pv, pe, rows, vocab);
  return [value, lse];
}

function nativeTargetLogProbsGrad({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const { logits, targets, lse, dy } = inputs as Record<'logits' | 'targets' | 'lse' | 'dy', tf.TensorInfo>;
  const b = backend as WasmBackend;
  const [rows, vocab] = rowsByLastAxis(logits);
  const out = b.makeOutput(logits.shape, 'float32');
  const [heap, [pl, pt, pe, pd, po]] = heapOf(b, [logits, targets, lse, dy, out]);
  (addon as NativeAddon).targetLogProbsGrad(heap, pl, pt, pe, pd, po, rows, vocab);
  return out;
}

// One fused AdamW update (core/train/optimizer.ts): {param, grad, m, v} -> [param', m', v'].
export const ADAMW_STEP = 'MoltAdamWStep';

/** attrs of ADAMW_STEP, in the addon's order */
export const ADAMW_ATTRS = ['lr', 'beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'eps', 'decay', 'bc1', 'bc2', 'gradScale'] as const;

function nativeAdamWStep({ inputs, backend, attrs }: KernelArgs & { attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const { param, grad, m, v } = inputs as Record<'param' | 'grad' | 'm' | 'v', tf.TensorInfo>;
  const b = backend as WasmBackend;
  const outs = [b.makeOutput(param.shape, 'float32'), b.makeOutput(param.shape, 'float32'), b.makeOutput(param.shape, 'float32')];
  const hyper = ADAMW_ATTRS.map((k) => Number((attrs ?? {})[k]));
  (addon as NativeAddon).adamwStep(...heapOf(b, [param, grad, m, v, ...outs]), size(param.shape), hyper);
  return outs;
}

// RMSNorm over the last axis (core/nn/rms-norm.ts): {x, w} -> [y, rstd]
// (attrs eps, onePlus), and {x, w, rstd, dy} -> [dx, dw] (attr onePlus).
export const RMS_NORM = 'MoltRmsNorm';
export const RMS_NORM_GRAD = 'MoltRmsNormGrad';

function nativeRmsNorm({ inputs, backend, attrs }: KernelArgs & { attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const { x, w } = inputs as Record<'x' | 'w', tf.TensorInfo>;
  const b = backend as WasmBackend;
  const [rows, d] = rowsByLastAxis(x);
  const y = b.makeOutput(x.shape, 'float32');
  const rstd = b.makeOutput(x.shape.slice(0, -1), 'float32');
  (addon as NativeAddon).rmsNorm(...heapOf(b, [x, w, y, rstd]), rows, d, Number(attrs?.eps), Boolean(attrs?.onePlus));
  return [y, rstd];
}

function nativeRmsNormGrad({ inputs, backend, attrs }: KernelArgs & { attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const { x, w, rstd, dy } = inputs as Record<'x' | 'w' | 'rstd' | 'dy', tf.TensorInfo>;
  const b = backend as WasmBackend;
  const [rows, d] = rowsByLastAxis(x);
  const dx = b.makeOutput(x.shape, 'float32');
  const dw = b.makeOutput(w.shape, 'float32');
  (addon as NativeAddon).rmsNormGrad(...heapOf(b, [x, w, rstd, dy, dx, dw]), rows, d, Boolean(attrs?.onePlus));
  return [dx, dw];
}

// The MLP's gated product (core/nn/mlp.ts): {g, u} -> h = act(g) * u and
// {g, u, dh} -> [dg, du]; attr act: GLU_ACTIVATIONS index.
export const GLU = 'MoltGlu';
export const GLU_GRAD = 'MoltGluGrad';
export const GLU_ACTIVATIONS = ['silu', 'gelu_pytorch_tanh'] as const;

function gluAct(attrs?: tf.NamedAttrMap): number {
  const act = GLU_ACTIVATIONS.indexOf(attrs?.act as (typeof GLU_ACTIVATIONS)[number]);
  if (act < 0) throw new Error(`${GLU}: unknown activation '${String(attrs?.act)}'; valid: ${GLU_ACTIVATIONS.join(', ')}`);
  return act;
}

function nativeGlu({ inputs, backend, attrs }: KernelArgs & { attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { g, u } = inputs as Record<'g' | 'u', tf.TensorInfo>;
  const b = backend as WasmBackend;
  const h = b.makeOutput(g.shape, 'float32');
  (addon as NativeAddon).glu(...heapOf(b, [g, u, h]), size(g.shape), gluAct(attrs));
  return h;
}

function nativeGluGrad({ inputs, backend, attrs }: KernelArgs & { attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const { g, u, dh } = inputs as Record<'g' | 'u' | 'dh', tf.TensorInfo>;
  const b = backend as WasmBackend;
  const dg = b.makeOutput(g.shape, 'float32');
  const du = b.makeOutput(g.shape, 'float32');
  (addon as NativeAddon).gluGrad(...heapOf(b, [g, u, dh, dg, du]), size(g.shape), gluAct(attrs));
  return [dg, du];
}

// The grouped-query attention core (core/nn/attention.ts):
// {q [B, H, T, D], k, v [B, KV, S, D], bias [B, 1, rep*T, S]} -> [out [B, T, H*D], probs [B, KV, rep*T, S]]
// and {q, k, v, probs, dout} -> [dq, dk, dv]; attr scale.
export const ATTENTION = 'MoltAttention';
export const ATTENTION_GRAD = 'MoltAttentionGrad';

function attentionShape(q: tf.TensorInfo, k: tf.TensorInfo): number[] {
  const [B, H, T, D] = q.shape;
  const [, KV, S] = k.shape;
  return [B, KV, H / KV, T, S, D];
}

function nativeAttention({ inputs, backend, attrs }: KernelArgs & { attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const { q, k, v, bias } = inputs as Record<'q' | 'k' | 'v' | 'bias', tf.TensorInfo>;
  const b = backend as WasmBackend;
  const shape = attentionShape(q, k);
  const [B, KV, rep, T, S, D] = shape;
  const out = b.makeOutput([B, T, KV * rep * D], 'float32');
  const probs = b.makeOutput([B, KV, rep * T, S], 'float32');
  (addon as NativeAddon).attention(...heapOf(b, [q, k, v, bias, out, probs]), shape, Number(attrs?.scale));
  return [out, probs];
}

function nativeAttentionGrad({ inputs, backend, attrs }: KernelArgs & { attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const { q, k, v, probs, dout } = inputs as Record<'q' | 'k' | 'v' | 'probs' | 'dout', tf.TensorInfo>;
  const b = backend as WasmBackend;
  const grads = [b.makeOutput(q.shape, 'float32'), b.makeOutput(k.shape, 'float32'), b.makeOutput(v.shape, 'float32')];
  (addon as NativeAddon).attentionGrad(...heapOf(b, [q, k, v, probs, dout, ...grads]), attentionShape(q, k), Number(attrs?.scale));
  return grads;
}

// Token embeddings (core/nn/embedding.ts): {table [V, d], ids int32 [n]} -> [n, d],
// and {dy [n, d], ids} -> dtable [V, d] (attrs vocab, skipId: the padding row, -1 for none).
export const EMBEDDING_GATHER = 'MoltEmbeddingGather';
export const EMBEDDING_SCATTER_ADD = 'MoltEmbeddingScatterAdd';

function nativeEmbeddingGather({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const { table, ids } = inputs as Record<'table' | 'ids', tf.TensorInfo>;
  const b = backend as WasmBackend;
  const [vocab, d] = table.shape;
  const n = size(ids.shape);
  const out = b.makeOutput([n, d], 'float32');
  (addon as NativeAddon).embeddingGather(...heapOf(b, [table, ids, out]), n, vocab, d);
  return out;
}

function nativeEmbeddingScatterAdd({ inputs, backend, attrs }: KernelArgs & { attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { dy, ids } = inputs as Record<'dy' | 'ids', tf.TensorInfo>;
  const b = backend as WasmBackend;
  const vocab = Number(attrs?.vocab);
  const d = dy.shape[dy.shape.length - 1];
  const out = b.makeOutput([vocab, d], 'float32');
  (addon as NativeAddon).embeddingScatterAdd(...heapOf(b, [dy, ids, out]), size(ids.shape), vocab, d, Number(attrs?.skipId));
  return out;
}

/** molt's own kernels (names no tfjs op uses), registered once and left in place. */
const FUSED_KERNELS: [string, (args: KernelArgs & { attrs?: tf.NamedAttrMap }) => tf.TensorInfo | tf.TensorInfo[]][] = [
  [TARGET_LOG_PROBS, nativeTargetLogProbs],
  [TARGET_LOG_PROBS_GRAD, nativeTargetLogProbsGrad],
  [ADAMW_STEP, nativeAdamWStep],
  [RMS_NORM, nativeRmsNorm],
  [RMS_NORM_GRAD, nativeRmsNormGrad],
  [GLU, nativeGlu],
  [GLU_GRAD, nativeGluGrad],
  [ATTENTION, nativeAttention],
  [ATTENTION_GRAD, nativeAttentionGrad],
  [EMBEDDING_GATHER, nativeEmbeddingGather],
  [EMBEDDING_SCATTER_ADD, nativeEmbeddingScatterAdd],
];

/** Route the wasm backend's BatchMatMul to the addon and add molt's fused kernels; false (and nothing changed) where it is unavailable. */
export function enableNativeKernels(): boolean {
  if (wasmKernel) return true;
  if (!loadNativeAddon()) return false;
  nativeThreads(); // a bad MOLT_THREADS fails here, not inside the first product
  const original = tf.getKernel('BatchMatMul', 'wasm');
  if (!original) throw new Error('the wasm backend has no BatchMatMul kernel to replace: load @tensorflow/tfjs-backend-wasm first');
  wasmKernel = original;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: nativeBatchMatMul as unknown as tf.KernelFunc });
  for (const [kernelName, kernelFunc] of FUSED_KERNELS) {
    if (!tf.getKernel(kernelName, 'wasm')) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
  return true;
}

/** Back to the plain wasm path: its own BatchMatMul, and callers stop using the fused kernels (the parity tests compare both). */
export function disableNativeKernels(): void {
  if (!wasmKernel) return;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel(wasmKernel);
  wasmKernel = undefined;
}

/**
 * Whether the native kernels run on the current backend: matMul in the addon
 * (ops.ts then uses transpose flags), and losses, AdamW, RMSNorm, the MLP's
 * gated product, attention and embeddings use the fused kernels.
 */
export function nativeKernelsActive(): boolean {
  return wasmKernel !== undefined && tf.getBackend() === 'wasm';
}
