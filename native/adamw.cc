// The same operations in the same order as the tfjs chain in
// core/train/optimizer.ts, element by element in one pass.
#include "adamw.h"

#include <cmath>

namespace molt {

void adamwStep(const float* p, const float* g, const float* m, const float* v, int64_t n, const AdamWStep& s, float* pOut,
               float* mOut, float* vOut) {
  for (int64_t i = 0; i < n; i++) {
    const float gi = s.gradScale == 1.0f ? g[i] : g[i] * s.gradScale;
    const float m1 = m[i] * s.beta1 + gi * s.oneMinusBeta1;
    const float v1 = v[i] * s.beta2 + (gi * gi) * s.oneMinusBeta2;
    const float update = (m1 / s.bc1) / (std::sqrt(v1 / s.bc2) + s.eps);
    const float decayed = s.decay > 0 ? p[i] - p[i] * s.decay : p[i];
    pOut[i] = decayed - update * s.lr;
    mOut[i] = m1;
    vOut[i] = v1;
  }
}

}  // namespace molt
