// Single-precision batched matrix product for molt's native kernels.
// C[b] = op(A[b]) @ op(B[b]) where op transposes in place (no copy of the
// operand is made: the packing step reads it with the right strides).
#pragma once
#include <cstdint>

namespace molt {

struct GemmShape {
  int64_t batch;   // output batch count
  int64_t batchA;  // 1 (broadcast) or batch
  int64_t batchB;  // 1 (broadcast) or batch
  int64_t m, n, k;
  bool transA;     // A stored [k, m] instead of [m, k]
  bool transB;     // B stored [n, k] instead of [k, n]
};

// Runs on `threads` threads (1 = the calling thread only). The result does
// not depend on the thread count: threads split output rows or batches, and
// every output element is reduced in the same order.
void gemm(const GemmShape& s, const float* a, const float* b, float* c, int threads);

}  // namespace molt
