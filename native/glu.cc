// sigmoid and tanh from one exp of a non-positive argument, so the loops
// vectorise and never overflow: sigmoid(x) = 1 / (1 + e^-x) for x >= 0 and
// e^x / (1 + e^x) below; tanh(z) = 2 sigmoid(2z) - 1.
#include "glu.h"

#include "fast_exp.h"

namespace molt {
namespace {

constexpr float kSqrt2OverPi = 0.7978845608028654f;
constexpr float kGeluCubic = 0.044715f;

inline float sigmoid(float x) {
  const float e = expNonPositive(x >= 0 ? -x : x);
  return x >= 0 ? 1.0f / (1.0f + e) : e / (1.0f + e);
}

inline float tanhApprox(float z) { return 2.0f * sigmoid(2.0f * z) - 1.0f; }

// act(x) and act'(x)
inline void activate(float x, GluActivation act, float* a, float* da) {
  if (act == GluActivation::Silu) {
    const float s = sigmoid(x);
    *a = x * s;
    *da = s * (1.0f + x * (1.0f - s));
  } else {
    const float t = tanhApprox(kSqrt2OverPi * (x + kGeluCubic * x * x * x));
    *a = 0.5f * x * (1.0f + t);
    *da = 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * kSqrt2OverPi * (1.0f + 3.0f * kGeluCubic * x * x);
  }
}

}  // namespace

void gluForward(const float* g, const float* u, int64_t n, GluActivation act, float* h) {
  for (int64_t i = 0; i < n; i++) {
    float a, da;
    activate(g[i], act, &a, &da);
    h[i] = a * u[i];
  }
}

void gluBackward(const float* g, const float* u, const float* dh, int64_t n, GluActivation act, float* dg, float* du) {
  for (int64_t i = 0; i < n; i++) {
    float a, da;
    activate(g[i], act, &a, &da);
    dg[i] = dh[i] * u[i] * da;
    du[i] = dh[i] * a;
  }
}

}  // namespace molt
