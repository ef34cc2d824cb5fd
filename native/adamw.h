// One AdamW step for one parameter (core/train/optimizer.ts), fused: the
// tfjs version is 14 elementwise kernels per parameter and step.
#pragma once
#include <cstdint>

namespace molt {

struct AdamWStep {
  float lr;
  float beta1, oneMinusBeta1;
  float beta2, oneMinusBeta2;
  float eps;
  float decay;      // lr * weight decay for this parameter, 0 when it does not decay
  float bc1, bc2;   // bias corrections 1 - beta^t
  float gradScale;  // global-norm clipping factor (1 = not clipped)
};

// g' = g * gradScale; m' = m b1 + g' (1 - b1); v' = v b2 + g'^2 (1 - b2);
// p' = (p - p decay) - lr (m' / bc1) / (sqrt(v' / bc2) + eps)
void adamwStep(const float* p, const float* g, const float* m, const float* v, int64_t n, const AdamWStep& s, float* pOut,
               float* mOut, float* vOut);

}  // namespace molt
