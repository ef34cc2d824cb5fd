// Node-API entry points of molt's native kernels (core/engine/native-kernels.ts).
//
//   gemm(memory, aOffset, bOffset, cOffset, shape, threads)
//     memory: the ArrayBuffer of the tfjs wasm heap, or a Float32Array whose
//             buffer holds all three operands; offsets are in bytes from the
//             start of that memory.
//     shape:  [batch, batchA, batchB, m, n, k, transA, transB]
//
// Every offset and extent is checked against the memory's length, so a bad
// call throws a RangeError instead of reading or writing out of bounds.
#include <node_api.h>

#include <cstdint>
#include <string>

#include "gemm.h"

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

napi_value Gemm(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 6) return throwError(env, "type", "gemm(memory, aOffset, bOffset, cOffset, shape, threads): expected 6 arguments");
  uint8_t* mem = nullptr;
  size_t memLength = 0;
  if (!getMemory(env, argv[0], &mem, &memLength)) return throwError(env, "type", "gemm: memory must be an ArrayBuffer or a typed array");
  int64_t offsets[3], threads;
  for (int i = 0; i < 3; i++) {
    if (!getInt(env, argv[1 + i], &offsets[i]) || offsets[i] % 4 != 0) {
      return throwError(env, "type", "gemm: offsets must be non-negative multiples of 4");
    }
  }
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

napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "gemm", NAPI_AUTO_LENGTH, Gemm, nullptr, &fn);
  napi_set_named_property(env, exports, "gemm", fn);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
