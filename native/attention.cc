// Row by row: each query row's scores, softmax and output stay in L1. The
// key/value gradients of a group accumulate over its query rows in a fixed
// order, so the result is deterministic.
#include "attention.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "fast_exp.h"

namespace molt {
namespace {

inline float dot(const float* a, const float* b, int64_t n) {
  float s = 0;
  for (int64_t i = 0; i < n; i++) s += a[i] * b[i];
  return s;
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
  for (int64_t b = 0; b < s.batch; b++) {
    for (int64_t g = 0; g < s.kvHeads; g++) {
      const int64_t group = b * s.kvHeads + g;
      const float* kg = k + group * S * D;
      const float* vg = v + group * S * D;
      for (int64_t row = 0; row < rows; row++) {
        const float* qr = q + (group * rows + row) * D;
        const float* br = bias + (b * rows + row) * S;
        float* p = probs + (group * rows + row) * S;
        float mx = -INFINITY;
        for (int64_t j = 0; j < S; j++) {
          p[j] = dot(qr, kg + j * D, D) * s.scale + br[j];
          mx = p[j] > mx ? p[j] : mx;
        }
        float sum = 0;
        for (int64_t j = 0; j < S; j++) {
          p[j] = expNonPositive(p[j] - mx);
          sum += p[j];
        }
        const float inv = 1.0f / sum;
        for (int64_t j = 0; j < S; j++) p[j] *= inv;
        float* o = out + outRow(s, b, g, row);
        for (int64_t d = 0; d < D; d++) o[d] = 0;
        for (int64_t j = 0; j < S; j++) {
          const float pj = p[j];
          const float* vj = vg + j * D;
          for (int64_t d = 0; d < D; d++) o[d] += pj * vj[d];
        }
      }
    }
  }
}

void attentionBackward(const float* q, const float* k, const float* v, const float* probs, const float* dout, const AttentionShape& s,
                       float* dq, float* dk, float* dv) {
  const int64_t rows = s.rep * s.queries, S = s.keys, D = s.headDim;
  std::vector<float> dS(S);
  for (int64_t b = 0; b < s.batch; b++) {
    for (int64_t g = 0; g < s.kvHeads; g++) {
      const int64_t group = b * s.kvHeads + g;
      const float* kg = k + group * S * D;
      const float* vg = v + group * S * D;
      float* dkg = dk + group * S * D;
      float* dvg = dv + group * S * D;
      std::memset(dkg, 0, sizeof(float) * S * D);
      std::memset(dvg, 0, sizeof(float) * S * D);
      for (int64_t row = 0; row < rows; row++) {
        const float* qr = q + (group * rows + row) * D;
        const float* p = probs + (group * rows + row) * S;
        const float* dO = dout + outRow(s, b, g, row);
        // dP = dO v^T; the softmax backward dS = P (dP - sum(P dP))
        float pdp = 0;
        for (int64_t j = 0; j < S; j++) {
          dS[j] = dot(dO, vg + j * D, D);
          pdp += p[j] * dS[j];
        }
        for (int64_t j = 0; j < S; j++) dS[j] = p[j] * (dS[j] - pdp) * s.scale;
        float* dqr = dq + (group * rows + row) * D;
        for (int64_t d = 0; d < D; d++) dqr[d] = 0;
        for (int64_t j = 0; j < S; j++) {
          const float ds = dS[j], pj = p[j];
          const float* kj = kg + j * D;
          float* dkj = dkg + j * D;
          float* dvj = dvg + j * D;
          for (int64_t d = 0; d < D; d++) {
            dqr[d] += ds * kj[d];
            dkj[d] += ds * qr[d];
            dvj[d] += pj * dO[d];
          }
        }
      }
    }
  }
}

}  // namespace molt
