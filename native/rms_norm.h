// RMSNorm over the last axis (core/nn/rms-norm.ts), forward and backward
// fused: the tfjs chain is ~6 kernels forward and ~12 backward per norm,
// and its Mean and Rsqrt gradients divide elementwise through broadcasts.
#pragma once
#include <cstdint>

namespace molt {

// y = x r w', r = 1 / sqrt(mean(x^2) + eps) per row (kept in rstd),
// w' = w (OLMo2) or 1 + w (Gemma3, onePlus).
void rmsNormForward(const float* x, const float* w, int64_t rows, int64_t d, float eps, bool onePlus, float* y, float* rstd);

// dx = r (g - x r^2 mean(g x)) with g = dy w'; dw = sum over rows of dy x r.
void rmsNormBackward(const float* x, const float* w, const float* rstd, const float* dy, int64_t rows, int64_t d, bool onePlus,
                     float* dx, float* dw);

}  // namespace molt
