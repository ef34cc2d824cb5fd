// Rows are independent except for dw, which is accumulated row by row in a
// fixed order (deterministic). Rows here are short (d <= a few hundred), so
// plain loops that the compiler vectorises are enough.
#include "rms_norm.h"

#include <cmath>
#include <vector>

namespace molt {

void rmsNormForward(const float* x, const float* w, int64_t rows, int64_t d, float eps, bool onePlus, float* y, float* rstd) {
  std::vector<float> scale(d);
  for (int64_t j = 0; j < d; j++) scale[j] = onePlus ? 1.0f + w[j] : w[j];
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x + r * d;
    float ss = 0;
    for (int64_t j = 0; j < d; j++) ss += xr[j] * xr[j];
    const float inv = 1.0f / std::sqrt(ss / static_cast<float>(d) + eps);
    rstd[r] = inv;
    float* yr = y + r * d;
    for (int64_t j = 0; j < d; j++) yr[j] = (xr[j] * inv) * scale[j];
  }
}

void rmsNormBackward(const float* x, const float* w, const float* rstd, const float* dy, int64_t rows, int64_t d, bool onePlus,
                     float* dx, float* dw) {
  std::vector<float> scale(d);
  for (int64_t j = 0; j < d; j++) {
    scale[j] = onePlus ? 1.0f + w[j] : w[j];
    dw[j] = 0;
  }
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x + r * d;
    const float* gr = dy + r * d;
    const float inv = rstd[r];
    float gx = 0;
    for (int64_t j = 0; j < d; j++) gx += gr[j] * scale[j] * xr[j];
    const float k = inv * inv * gx / static_cast<float>(d);
    float* dxr = dx + r * d;
    for (int64_t j = 0; j < d; j++) {
      dxr[j] = inv * (gr[j] * scale[j] - xr[j] * k);
      dw[j] += gr[j] * xr[j] * inv;
    }
  }
}

}  // namespace molt
