// Node-API entry points of molt's native kernels (core/engine/native-kernels.ts).
//
//   gemm(memory, aOffset, bOffset, cOffset, shape, threads)
//     memory: the ArrayBuffer of the tfjs wasm heap, or a Float32Array whose
//             buffer holds all three operands; offsets are in bytes from the
//             start of that memory.
//     shape:  [batch, batchA, batchB, m, n, k, transA, transB]
//
//   targetLogProbs(memory, logitsOffset, targetsOffset, valueOffset, lseOffset, rows, vocab)
//   targetLogProbsGrad(memory, logitsOffset, targetsOffset, lseOffset, dyOffset, outOffset, rows, vocab)
//     the fused log-softmax of core/train/losses.ts (native/softmax_xent.h);
//     targets are int32, everything else float32.
//
//   adamwStep(memory, [p, g, m, v, pOut, mOut, vOut] offsets, n,
//             [lr, beta1, 1-beta1, beta2, 1-beta2, eps, decay, bc1, bc2, gradScale])
//     one fused AdamW update of one parameter (native/adamw.h).
//
//   rmsNorm(memory, [x, w, y, rstd] offsets, rows, d, eps, onePlus)
//   rmsNormGrad(memory, [x, w, rstd, dy, dx, dw] offsets, rows, d, onePlus)
//     RMSNorm over the last axis, forward and backward (native/rms_norm.h).
//
//   glu(memory, [g, u, h] offsets, n, act)          h = act(g) * u
//   gluGrad(memory, [g, u, dh, dg, du] offsets, n, act)
//     the gated product of the MLPs; act 0 = SiLU, 1 = tanh-GELU (native/glu.h).
//
//   attention(memory, [q, k, v, bias, out, probs] offsets, [B, KV, rep, T, S, D], scale)
//   attentionGrad(memory, [q, k, v, probs, dout, dq, dk, dv] offsets, [B, KV, rep, T, S, D], scale)
//     the grouped-query attention core (native/attention.h).
//
//   embeddingGather(memory, [table, ids, out] offsets, n, vocab, d)
//   embeddingScatterAdd(memory, [dy, ids, dtable] offsets, n, vocab, d, skipId)
//     token embedding lookup and its gradient (native/embedding.h); ids int32, skipId -1 for none.
//
// Every offset and extent is checked against the memory's length, so a bad
// call throws a RangeError instead of reading or writing out of bounds.
#include <node_api.h>

#include <cstdint>
#include <string>

#include "adamw.h"
#include "attention.h"
#include "embedding.h"
#include "gemm.h"
#include "glu.h"
#include "rms_norm.h"
#include "softmax_xent.h"

namespace {

napi_value throwError(napi_env env, const char* kind, const std::string& message) {
  if (std::string(kind) == "range") {
    napi_throw_range_error(env, nullptr, message.c_str());
  } else {
    napi_throw_type_error(env, nullptr, message.c_str());
  }
  return nullptr;
}

bool getInt(napi_env env, napi_value v, int64_t* out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) return false;
  if (!(d >= 0) || d != static_cast<double>(static_cast<int64_t>(d))) return false;
  *out = static_cast<int64_t>(d);
  return true;
}

// The bytes of an ArrayBuffer, or of a typed array's whole underlying buffer.
bool getMemory(napi_env env, napi_value v, uint8_t** data, size_t* length) {
  bool isBuffer = false;
  napi_is_arraybuffer(env, v, &isBuffer);
  if (isBuffer) return napi_get_arraybuffer_info(env, v, reinterpret_cast<void**>(data), length) == napi_ok;
  bool isTyped = false;
  napi_is_typedarray(env, v, &isTyped);
  if (!isTyped) return false;
  napi_value buffer;
  size_t byteOffset = 0;
  if (napi_get_typedarray_info(env, v, nullptr, nullptr, nullptr, &buffer, &byteOffset) != napi_ok) return false;
  return napi_get_arraybuffer_info(env, buffer, reinterpret_cast<void**>(data), length) == napi_ok;
}

// Reads argv[first..first+count) as byte offsets (multiples of 4) into *out.
bool getOffsets(napi_env env, napi_value* argv, int first, int count, int64_t* out) {
  for (int i = 0; i < count; i++) {
    if (!getInt(env, argv[first + i], &out[i]) || out[i] % 4 != 0) return false;
  }
  return true;
}

// Whether each region [offset, offset + 4 * floats) lies inside the memory.
bool inBounds(const int64_t* offsets, const int64_t* floats, int count, size_t memLength) {
  for (int i = 0; i < count; i++) {
    if (offsets[i] + floats[i] * 4 > static_cast<int64_t>(memLength)) return false;
  }
  return true;
}

napi_value Gemm(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 6) return throwError(env, "type", "gemm(memory, aOffset, bOffset, cOffset, shape, threads): expected 6 arguments");
  uint8_t* mem = nullptr;
  size_t memLength = 0;
  if (!getMemory(env, argv[0], &mem, &memLength)) return throwError(env, "type", "gemm: memory must be an ArrayBuffer or a typed array");
  int64_t offsets[3], threads;
  if (!getOffsets(env, argv, 1, 3, offsets)) return throwError(env, "type", "gemm: offsets must be non-negative multiples of 4");
  if (!getInt(env, argv[5], &threads) || threads < 1) return throwError(env, "type", "gemm: threads must be a positive integer");
  bool isArray = false;
  napi_is_array(env, argv[4], &isArray);
  uint32_t shapeLength = 0;
  if (isArray) napi_get_array_length(env, argv[4], &shapeLength);
  if (shapeLength != 8) return throwError(env, "type", "gemm: shape must be [batch, batchA, batchB, m, n, k, transA, transB]");
  int64_t dims[8];
  for (uint32_t i = 0; i < 8; i++) {
    napi_value e;
    napi_get_element(env, argv[4], i, &e);
    if (!getInt(env, e, &dims[i])) return throwError(env, "type", "gemm: shape entries must be non-negative integers");
  }
  molt::GemmShape s{dims[0], dims[1], dims[2], dims[3], dims[4], dims[5], dims[6] != 0, dims[7] != 0};
  if ((s.batchA != 1 && s.batchA != s.batch) || (s.batchB != 1 && s.batchB != s.batch)) {
    return throwError(env, "range", "gemm: batchA and batchB must be 1 or batch");
  }
  const int64_t floats[3] = {s.batchA * s.m * s.k, s.batchB * s.k * s.n, s.batch * s.m * s.n};
  for (int i = 0; i < 3; i++) {
    if (offsets[i] + floats[i] * 4 > static_cast<int64_t>(memLength)) {
      return throwError(env, "range", std::string("gemm: operand ") + "abc"[i] + " runs past the end of memory");
    }
  }
  const float* a = reinterpret_cast<const float*>(mem + offsets[0]);
  const float* b = reinterpret_cast<const float*>(mem + offsets[1]);
  float* c = reinterpret_cast<float*>(mem + offsets[2]);
  molt::gemm(s, a, b, c, static_cast<int>(threads));
  return nullptr;
}

napi_value TargetLogProbs(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  uint8_t* mem = nullptr;
  size_t memLength = 0;
  int64_t off[4], rows, vocab;
  if (argc != 7 || !getMemory(env, argv[0], &mem, &memLength) || !getOffsets(env, argv, 1, 4, off) ||
      !getInt(env, argv[5], &rows) || !getInt(env, argv[6], &vocab)) {
    return throwError(env, "type", "targetLogProbs(memory, logits, targets, value, lse, rows, vocab): bad arguments");
  }
  const int64_t floats[4] = {rows * vocab, rows, rows, rows};
  if (!inBounds(off, floats, 4, memLength)) return throwError(env, "range", "targetLogProbs: an operand runs past the end of memory");
  molt::targetLogProbs(reinterpret_cast<const float*>(mem + off[0]), reinterpret_cast<const int32_t*>(mem + off[1]), rows,
                       vocab, reinterpret_cast<float*>(mem + off[2]), reinterpret_cast<float*>(mem + off[3]));
  return nullptr;
}

napi_value TargetLogProbsGrad(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  uint8_t* mem = nullptr;
  size_t memLength = 0;
  int64_t off[5], rows, vocab;
  if (argc != 8 || !getMemory(env, argv[0], &mem, &memLength) || !getOffsets(env, argv, 1, 5, off) ||
      !getInt(env, argv[6], &rows) || !getInt(env, argv[7], &vocab)) {
    return throwError(env, "type", "targetLogProbsGrad(memory, logits, targets, lse, dy, out, rows, vocab): bad arguments");
  }
  const int64_t floats[5] = {rows * vocab, rows, rows, rows, rows * vocab};
  if (!inBounds(off, floats, 5, memLength)) return throwError(env, "range", "targetLogProbsGrad: an operand runs past the end of memory");
  molt::targetLogProbsGrad(reinterpret_cast<const float*>(mem + off[0]), reinterpret_cast<const int32_t*>(mem + off[1]),
                           reinterpret_cast<const float*>(mem + off[2]), reinterpret_cast<const float*>(mem + off[3]), rows,
                           vocab, reinterpret_cast<float*>(mem + off[4]));
  return nullptr;
}

// Reads an array of `count` byte offsets (multiples of 4).
bool getOffsetArray(napi_env env, napi_value array, uint32_t count, int64_t* out) {
  for (uint32_t i = 0; i < count; i++) {
    napi_value e;
    if (napi_get_element(env, array, i, &e) != napi_ok || !getInt(env, e, &out[i]) || out[i] % 4 != 0) return false;
  }
  return true;
}

// The operands of an entry point called as f(memory, offsets[count], ...):
// the memory's bytes and each operand's byte offset into them.
struct Operands {
  uint8_t* mem = nullptr;
  size_t length = 0;
  int64_t off[8];
  uint32_t count = 0;

  const float* in(int i) const { return reinterpret_cast<const float*>(mem + off[i]); }
  const int32_t* ids(int i) const { return reinterpret_cast<const int32_t*>(mem + off[i]); }
  float* out(int i) const { return reinterpret_cast<float*>(mem + off[i]); }
  // whether operand i's `floats[i]` 4-byte elements all lie inside the memory
  bool fit(const int64_t* floats) const { return inBounds(off, floats, static_cast<int>(count), length); }
};

// Reads exactly `argc` arguments into argv, argv[0] as the memory and argv[1]
// as `count` operand offsets; false when any of that is missing or malformed.
bool readOperands(napi_env env, napi_callback_info info, size_t argc, napi_value* argv, uint32_t count, Operands* ops) {
  size_t given = argc;
  napi_get_cb_info(env, info, &given, argv, nullptr, nullptr);
  ops->count = count;
  return given == argc && getMemory(env, argv[0], &ops->mem, &ops->length) && getOffsetArray(env, argv[1], count, ops->off);
}

napi_value pastTheEnd(napi_env env, const char* fn) {
  return throwError(env, "range", std::string(fn) + ": an operand runs past the end of memory");
}

napi_value AdamWStepFn(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  Operands ops;
  int64_t n;
  double h[10];
  bool ok = readOperands(env, info, 4, argv, 7, &ops) && getInt(env, argv[2], &n);
  for (uint32_t i = 0; ok && i < 10; i++) {
    napi_value e;
    ok = napi_get_element(env, argv[3], i, &e) == napi_ok && napi_get_value_double(env, e, &h[i]) == napi_ok;
  }
  if (!ok) return throwError(env, "type", "adamwStep(memory, offsets[7], n, hyper[10]): bad arguments");
  const int64_t floats[7] = {n, n, n, n, n, n, n};
  if (!ops.fit(floats)) return pastTheEnd(env, "adamwStep");
  const molt::AdamWStep s{static_cast<float>(h[0]), static_cast<float>(h[1]), static_cast<float>(h[2]), static_cast<float>(h[3]),
                          static_cast<float>(h[4]), static_cast<float>(h[5]), static_cast<float>(h[6]), static_cast<float>(h[7]),
                          static_cast<float>(h[8]), static_cast<float>(h[9])};
  molt::adamwStep(ops.in(0), ops.in(1), ops.in(2), ops.in(3), n, s, ops.out(4), ops.out(5), ops.out(6));
  return nullptr;
}

napi_value RmsNormFn(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  Operands ops;
  int64_t rows, d;
  double eps;
  bool onePlus;
  if (!readOperands(env, info, 6, argv, 4, &ops) || !getInt(env, argv[2], &rows) || !getInt(env, argv[3], &d) ||
      napi_get_value_double(env, argv[4], &eps) != napi_ok || napi_get_value_bool(env, argv[5], &onePlus) != napi_ok) {
    return throwError(env, "type", "rmsNorm(memory, offsets[4], rows, d, eps, onePlus): bad arguments");
  }
  const int64_t floats[4] = {rows * d, d, rows * d, rows};
  if (!ops.fit(floats)) return pastTheEnd(env, "rmsNorm");
  molt::rmsNormForward(ops.in(0), ops.in(1), rows, d, static_cast<float>(eps), onePlus, ops.out(2), ops.out(3));
  return nullptr;
}

napi_value RmsNormGradFn(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  Operands ops;
  int64_t rows, d;
  bool onePlus;
  if (!readOperands(env, info, 5, argv, 6, &ops) || !getInt(env, argv[2], &rows) || !getInt(env, argv[3], &d) ||
      napi_get_value_bool(env, argv[4], &onePlus) != napi_ok) {
    return throwError(env, "type", "rmsNormGrad(memory, offsets[6], rows, d, onePlus): bad arguments");
  }
  const int64_t floats[6] = {rows * d, d, rows, rows * d, rows * d, d};
  if (!ops.fit(floats)) return pastTheEnd(env, "rmsNormGrad");
  molt::rmsNormBackward(ops.in(0), ops.in(1), ops.in(2), ops.in(3), rows, d, onePlus, ops.out(4), ops.out(5));
  return nullptr;
}

// glu and gluGrad: f(memory, offsets[count], n, act 0|1) over `count` operands of n floats.
bool readGlu(napi_env env, napi_callback_info info, uint32_t count, Operands* ops, int64_t* n, int64_t* act) {
  napi_value argv[4];
  return readOperands(env, info, 4, argv, count, ops) && getInt(env, argv[2], n) && getInt(env, argv[3], act) && *act <= 1;
}

napi_value GluFn(napi_env env, napi_callback_info info) {
  Operands ops;
  int64_t n, act;
  if (!readGlu(env, info, 3, &ops, &n, &act)) return throwError(env, "type", "glu(memory, offsets[3], n, act 0|1): bad arguments");
  const int64_t floats[3] = {n, n, n};
  if (!ops.fit(floats)) return pastTheEnd(env, "glu");
  molt::gluForward(ops.in(0), ops.in(1), n, static_cast<molt::GluActivation>(act), ops.out(2));
  return nullptr;
}

napi_value GluGradFn(napi_env env, napi_callback_info info) {
  Operands ops;
  int64_t n, act;
  if (!readGlu(env, info, 5, &ops, &n, &act)) return throwError(env, "type", "gluGrad(memory, offsets[5], n, act 0|1): bad arguments");
  const int64_t floats[5] = {n, n, n, n, n};
  if (!ops.fit(floats)) return pastTheEnd(env, "gluGrad");
  molt::gluBackward(ops.in(0), ops.in(1), ops.in(2), n, static_cast<molt::GluActivation>(act), ops.out(3), ops.out(4));
  return nullptr;
}

// Reads [B, KV, rep, T, S, D] and the scale into an AttentionShape.
bool getAttentionShape(napi_env env, napi_value array, napi_value scale, molt::AttentionShape* s) {
  int64_t d[6];
  for (uint32_t i = 0; i < 6; i++) {
    napi_value e;
    if (napi_get_element(env, array, i, &e) != napi_ok || !getInt(env, e, &d[i])) return false;
  }
  double sc;
  if (napi_get_value_double(env, scale, &sc) != napi_ok) return false;
  *s = molt::AttentionShape{d[0], d[1], d[2], d[3], d[4], d[5], static_cast<float>(sc)};
  return true;
}

// attention and attentionGrad: f(memory, offsets[count], [B, KV, rep, T, S, D], scale).
bool readAttention(napi_env env, napi_callback_info info, uint32_t count, Operands* ops, molt::AttentionShape* s) {
  napi_value argv[4];
  return readOperands(env, info, 4, argv, count, ops) && getAttentionShape(env, argv[2], argv[3], s);
}

napi_value AttentionFn(napi_env env, napi_callback_info info) {
  Operands ops;
  molt::AttentionShape s;
  if (!readAttention(env, info, 6, &ops, &s)) {
    return throwError(env, "type", "attention(memory, offsets[6], [B, KV, rep, T, S, D], scale): bad arguments");
  }
  const int64_t heads = s.kvHeads * s.rep, qn = s.batch * heads * s.queries * s.headDim, kn = s.batch * s.kvHeads * s.keys * s.headDim;
  const int64_t floats[6] = {qn, kn, kn, s.batch * s.rep * s.queries * s.keys, qn, s.batch * heads * s.queries * s.keys};
  if (!ops.fit(floats)) return pastTheEnd(env, "attention");
  molt::attentionForward(ops.in(0), ops.in(1), ops.in(2), ops.in(3), s, ops.out(4), ops.out(5));
  return nullptr;
}

napi_value AttentionGradFn(napi_env env, napi_callback_info info) {
  Operands ops;
  molt::AttentionShape s;
  if (!readAttention(env, info, 8, &ops, &s)) {
    return throwError(env, "type", "attentionGrad(memory, offsets[8], [B, KV, rep, T, S, D], scale): bad arguments");
  }
  const int64_t heads = s.kvHeads * s.rep, qn = s.batch * heads * s.queries * s.headDim, kn = s.batch * s.kvHeads * s.keys * s.headDim;
  const int64_t floats[8] = {qn, kn, kn, s.batch * heads * s.queries * s.keys, qn, qn, kn, kn};
  if (!ops.fit(floats)) return pastTheEnd(env, "attentionGrad");
  molt::attentionBackward(ops.in(0), ops.in(1), ops.in(2), ops.in(3), ops.in(4), s, ops.out(5), ops.out(6), ops.out(7));
  return nullptr;
}

// embeddingGather and embeddingScatterAdd: f(memory, offsets[3], n, vocab, d, ...) with argc arguments.
bool readEmbedding(napi_env env, napi_callback_info info, size_t argc, napi_value* argv, Operands* ops, int64_t* n, int64_t* vocab, int64_t* d) {
  return readOperands(env, info, argc, argv, 3, ops) && getInt(env, argv[2], n) && getInt(env, argv[3], vocab) && getInt(env, argv[4], d);
}

napi_value EmbeddingGatherFn(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  Operands ops;
  int64_t n, vocab, d;
  if (!readEmbedding(env, info, 5, argv, &ops, &n, &vocab, &d)) return throwError(env, "type", "embeddingGather(memory, offsets[3], n, vocab, d): bad arguments");
  const int64_t floats[3] = {vocab * d, n, n * d};
  if (!ops.fit(floats)) return pastTheEnd(env, "embeddingGather");
  molt::embeddingGather(ops.in(0), ops.ids(1), n, vocab, d, ops.out(2));
  return nullptr;
}

napi_value EmbeddingScatterAddFn(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  Operands ops;
  int64_t n, vocab, d;
  double skip;
  if (!readEmbedding(env, info, 6, argv, &ops, &n, &vocab, &d) || napi_get_value_double(env, argv[5], &skip) != napi_ok) {
    return throwError(env, "type", "embeddingScatterAdd(memory, offsets[3], n, vocab, d, skipId): bad arguments");
  }
  const int64_t floats[3] = {n * d, n, vocab * d};
  if (!ops.fit(floats)) return pastTheEnd(env, "embeddingScatterAdd");
  molt::embeddingScatterAdd(ops.in(0), ops.ids(1), n, vocab, d, static_cast<int64_t>(skip), ops.out(2));
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  const struct {
    const char* name;
    napi_callback fn;
  } functions[] = {{"gemm", Gemm}, {"targetLogProbs", TargetLogProbs}, {"targetLogProbsGrad", TargetLogProbsGrad}, {"adamwStep", AdamWStepFn}, {"rmsNorm", RmsNormFn}, {"rmsNormGrad", RmsNormGradFn}, {"glu", GluFn}, {"gluGrad", GluGradFn}, {"attention", AttentionFn}, {"attentionGrad", AttentionGradFn}, {"embeddingGather", EmbeddingGatherFn}, {"embeddingScatterAdd", EmbeddingScatterAddFn}};
  for (const auto& f : functions) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
