// Row by row: each query row's scores, softmax and output stay in L1. The
// key/value gradients of a group accumulate over its query rows in a fixed
// order, so the result is deterministic. Every inner loop runs along a
// contiguous axis with no reduction (k and v are transposed once per group
// for the q.k and dO.v products), so the compiler vectorises them without
// -ffast-math.
#include "attention.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "fast_exp.h"

namespace molt {
namespace {

// scores[j] = sum_d a[d] * bT[d, j] for j < S, bT being [D, S]
inline void rowTimesTransposed(const float* __restrict__ a, const float* __restrict__ bT, int64_t D, int64_t S, float* __restrict__ scores) {
  for (int64_t j = 0; j < S; j++) scores[j] = 0;
  for (int64_t d = 0; d < D; d++) {
    const float ad = a[d];
    const float* row = bT + d * S;
    for (int64_t j = 0; j < S; j++) scores[j] += ad * row[j];
  }
}

// y += a x over n contiguous floats (x and y never overlap here)
inline void axpy(float a, const float* __restrict__ x, float* __restrict__ y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] += a * x[i];
}

// A sum in 16 independent lanes combined in a fixed order: vectorised
// without -ffast-math, and the same on every run.
inline float laneSum(const float* x, int64_t n) {
  constexpr int kLanes = 16;
  float lane[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int j = 0; j < kLanes; j++) lane[j] += x[i + j];
  }
  float s = 0;
  for (int j = 0; j < kLanes; j++) s += lane[j];
  for (; i < n; i++) s += x[i];
  return s;
}

// dst [D, S] = src [S, D] transposed
inline void transposeInto(const float* src, int64_t S, int64_t D, float* dst) {
  for (int64_t j = 0; j < S; j++) {
    for (int64_t d = 0; d < D; d++) dst[d * S + j] = src[j * D + d];
  }
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
  const int64_t rows = s.rep * s.queries, S = s.keys, D = s.headDim;
  std::vector<float> kT(D * S);
  for (int64_t b = 0; b < s.batch; b++) {
    for (int64_t g = 0; g < s.kvHeads; g++) {
      const int64_t group = b * s.kvHeads + g;
      transposeInto(k + group * S * D, S, D, kT.data());
      const float* vg = v + group * S * D;
      for (int64_t row = 0; row < rows; row++) {
        const float* qr = q + (group * rows + row) * D;
        const float* br = bias + (b * rows + row) * S;
        float* p = probs + (group * rows + row) * S;
        rowTimesTransposed(qr, kT.data(), D, S, p);
        float mx = -INFINITY;
        for (int64_t j = 0; j < S; j++) {
          p[j] = p[j] * s.scale + br[j];
          mx = p[j] > mx ? p[j] : mx;
        }
        for (int64_t j = 0; j < S; j++) p[j] = expNonPositive(p[j] - mx);  // vectorised: no reduction here
        const float inv = 1.0f / laneSum(p, S);
        for (int64_t j = 0; j < S; j++) p[j] *= inv;
        float* o = out + outRow(s, b, g, row);
        for (int64_t d = 0; d < D; d++) o[d] = 0;
        for (int64_t j = 0; j < S; j++) axpy(p[j], vg + j * D, o, D);
      }
    }
  }
}

void attentionBackward(const float* q, const float* k, const float* v, const float* probs, const float* dout, const AttentionShape& s,
                       float* dq, float* dk, float* dv) {
  const int64_t rows = s.rep * s.queries, S = s.keys, D = s.headDim;
  std::vector<float> dS(S), pdS(S), vT(D * S);
  for (int64_t b = 0; b < s.batch; b++) {
    for (int64_t g = 0; g < s.kvHeads; g++) {
      const int64_t group = b * s.kvHeads + g;
      const float* kg = k + group * S * D;
      transposeInto(v + group * S * D, S, D, vT.data());
      float* dkg = dk + group * S * D;
      float* dvg = dv + group * S * D;
      std::memset(dkg, 0, sizeof(float) * S * D);
      std::memset(dvg, 0, sizeof(float) * S * D);
      for (int64_t row = 0; row < rows; row++) {
        const float* qr = q + (group * rows + row) * D;
        const float* p = probs + (group * rows + row) * S;
        const float* dO = dout + outRow(s, b, g, row);
        // dP = dO v^T; the softmax backward dS = P (dP - sum(P dP))
        float* dSr = dS.data();
        rowTimesTransposed(dO, vT.data(), D, S, dSr);
        for (int64_t j = 0; j < S; j++) pdS[j] = p[j] * dSr[j];
        const float pdp = laneSum(pdS.data(), S);
        for (int64_t j = 0; j < S; j++) dSr[j] = p[j] * (dSr[j] - pdp) * s.scale;
        float* dqr = dq + (group * rows + row) * D;
        for (int64_t d = 0; d < D; d++) dqr[d] = 0;
        for (int64_t j = 0; j < S; j++) {
          axpy(dSr[j], kg + j * D, dqr, D);
          axpy(dSr[j], qr, dkg + j * D, D);
          axpy(p[j], dO, dvg + j * D, D);
        }
      }
    }
  }
}

}  // namespace molt
