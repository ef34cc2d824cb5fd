// The gated product of the MLPs (core/nn/mlp.ts), h = act(g) * u, forward
// and backward in one pass each, for SiLU (OLMo2) and tanh-GELU (Gemma3).
#pragma once
#include <cstdint>

namespace molt {

enum class GluActivation { Silu = 0, GeluTanh = 1 };

void gluForward(const float* g, const float* u, int64_t n, GluActivation act, float* h);

// dg = dh * u * act'(g), du = dh * act(g)
void gluBackward(const float* g, const float* u, const float* dh, int64_t n, GluActivation act, float* dg, float* du);

}  // namespace molt
