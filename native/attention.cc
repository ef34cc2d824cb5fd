// The products go through the packed SGEMM (native/gemm.h), batched over
// the (batch, key/value head) groups; what is left is the row softmax and
// its backward, in loops along contiguous rows that the compiler vectorises
// (fixed-order lane sums, no -ffast-math). Deterministic like the gemm.
#include "attention.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "fast_exp.h"
#include "gemm.h"
#include "lanes.h"

namespace molt {
namespace {

// Per-thread scratch buffers, grown on demand and reused across calls.
std::vector<float>& scratch(int slot, int64_t n) {
  thread_local std::vector<float> buffers[3];
  if (static_cast<int64_t>(buffers[slot].size()) < n) buffers[slot].resize(n);
  return buffers[slot];
}

// Offset of (b, t, head h) in the [B, T, H*D] output.
inline int64_t outRow(const AttentionShape& s, int64_t b, int64_t g, int64_t row) {
  const int64_t r = row / s.queries, t = row % s.queries;
  const int64_t heads = s.kvHeads * s.rep;
  return ((b * s.queries + t) * heads + g * s.rep + r) * s.headDim;
}

}  // namespace

void attentionForward(const float* q, const float* k, const float* v, const float* bias, const AttentionShape& s, float* out,
                      float* probs) {
  const int64_t groups = s.batch * s.kvHeads, rows = s.rep * s.queries, S = s.keys, D = s.headDim;
  // scores of every group at once: probs [groups, rows, S] = q [groups, rows, D] @ k^T
  gemm(GemmShape{groups, groups, groups, rows, S, D, false, true}, q, k, probs, 1);
  for (int64_t b = 0; b < s.batch; b++) {
    for (int64_t g = 0; g < s.kvHeads; g++) {
      for (int64_t row = 0; row < rows; row++) {
        float* p = probs + ((b * s.kvHeads + g) * rows + row) * S;
        const float* br = bias + (b * rows + row) * S;
        const float scale = s.scale;
        for (int64_t j = 0; j < S; j++) p[j] = p[j] * scale + br[j];
        const float mx = laneMax(p, S);
        for (int64_t j = 0; j < S; j++) p[j] = expNonPositive(p[j] - mx);
        const float inv = 1.0f / laneSum(p, S);
        for (int64_t j = 0; j < S; j++) p[j] *= inv;
      }
    }
  }
  // [groups, rows, D] = probs @ v, then each row to its (b, t, head) place in out
  std::vector<float>& heads = scratch(0, groups * rows * D);
  gemm(GemmShape{groups, groups, groups, rows, D, S, false, false}, probs, v, heads.data(), 1);
  for (int64_t b = 0; b < s.batch; b++) {
    for (int64_t g = 0; g < s.kvHeads; g++) {
      for (int64_t row = 0; row < rows; row++) {
        std::memcpy(out + outRow(s, b, g, row), heads.data() + ((b * s.kvHeads + g) * rows + row) * D, sizeof(float) * D);
      }
    }
  }
}

void attentionBackward(const float* q, const float* k, const float* v, const float* probs, const float* dout, const AttentionShape& s,
                       float* dq, float* dk, float* dv) {
  const int64_t groups = s.batch * s.kvHeads, rows = s.rep * s.queries, S = s.keys, D = s.headDim;
  // dO rows gathered into [groups, rows, D]
  std::vector<float>& dO = scratch(0, groups * rows * D);
  for (int64_t b = 0; b < s.batch; b++) {
    for (int64_t g = 0; g < s.kvHeads; g++) {
      for (int64_t row = 0; row < rows; row++) {
        std::memcpy(dO.data() + ((b * s.kvHeads + g) * rows + row) * D, dout + outRow(s, b, g, row), sizeof(float) * D);
      }
    }
  }
  // dV = P^T dO
  gemm(GemmShape{groups, groups, groups, S, D, rows, true, false}, probs, dO.data(), dv, 1);
  // dP = dO v^T, then the softmax backward in place: dS = P (dP - sum(P dP)) scale
  std::vector<float>& dS = scratch(1, groups * rows * S);
  gemm(GemmShape{groups, groups, groups, rows, S, D, false, true}, dO.data(), v, dS.data(), 1);
  std::vector<float>& pdS = scratch(2, S);
  for (int64_t r = 0; r < groups * rows; r++) {
    const float* p = probs + r * S;
    float* ds = dS.data() + r * S;
    for (int64_t j = 0; j < S; j++) pdS[j] = p[j] * ds[j];
    const float pdp = laneSum(pdS.data(), S);
    for (int64_t j = 0; j < S; j++) ds[j] = p[j] * (ds[j] - pdp) * s.scale;
  }
  // dQ = dS k, dK = dS^T q
  gemm(GemmShape{groups, groups, groups, rows, D, S, false, false}, dS.data(), k, dq, 1);
  gemm(GemmShape{groups, groups, groups, S, D, rows, true, false}, dS.data(), q, dk, 1);
}

}  // namespace molt
