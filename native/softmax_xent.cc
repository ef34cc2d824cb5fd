// One pass for the max, one for the sum of exponentials: the generic tfjs
// chain (oneHot, cast, logSumExp, multiply, sum, and exp again in the
// backward) touched the [rows, vocab] logits about ten times per step.
#include "softmax_xent.h"

#include <cmath>
#include <cstring>

namespace molt {
namespace {

// exp(x) for x <= 0 (the callers subtract the row max), written without
// calls or branches so the compiler vectorises the loops that use it.
// x = n ln2 + r with |r| <= ln2/2; e^r by its Taylor series to degree 6
// (relative error below 1.2e-7, about one float ulp); 2^n built in the
// exponent bits. Below -87 the result is flushed to 0, as expf underflows.
inline float expNonPositive(float x) {
  x = x < -87.0f ? -87.0f : x;
  const float shifter = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer in the low mantissa bits
  const float t = x * 1.44269504f + shifter;
  const float n = t - shifter;
  const float r = (x - n * 0.693145752f) - n * 1.42860677e-6f;  // ln 2 split in two for accuracy
  const float p = 1.0f + r * (1.0f + r * (0.5f + r * (1.0f / 6 + r * (1.0f / 24 + r * (1.0f / 120 + r * (1.0f / 720))))));
  int32_t ti;
  std::memcpy(&ti, &t, 4);
  const int32_t bits = (ti - 0x4B400000 + 127) << 23;  // n + 127 in the exponent field
  float scale;
  std::memcpy(&scale, &bits, 4);
  return p * scale;
}

// Reductions run in kLanes independent partial sums combined in a fixed
// order: the compiler can vectorise them without -ffast-math, and the result
// is the same on every run.
constexpr int kLanes = 16;

float rowMax(const float* x, int64_t n) {
  float lane[kLanes];
  for (int j = 0; j < kLanes; j++) lane[j] = -INFINITY;
  int64_t v = 0;
  for (; v + kLanes <= n; v += kLanes) {
    for (int j = 0; j < kLanes; j++) lane[j] = x[v + j] > lane[j] ? x[v + j] : lane[j];
  }
  float mx = -INFINITY;
  for (int j = 0; j < kLanes; j++) mx = lane[j] > mx ? lane[j] : mx;
  for (; v < n; v++) mx = x[v] > mx ? x[v] : mx;
  return mx;
}

float rowSumExp(const float* x, int64_t n, float shift) {
  float lane[kLanes] = {};
  int64_t v = 0;
  for (; v + kLanes <= n; v += kLanes) {
    for (int j = 0; j < kLanes; j++) lane[j] += expNonPositive(x[v + j] - shift);
  }
  float sum = 0;
  for (int j = 0; j < kLanes; j++) sum += lane[j];
  for (; v < n; v++) sum += expNonPositive(x[v] - shift);
  return sum;
}

}  // namespace

void targetLogProbs(const float* logits, const int32_t* targets, int64_t rows, int64_t vocab, float* value, float* lse) {
  for (int64_t r = 0; r < rows; r++) {
    const float* x = logits + r * vocab;
    const float mx = rowMax(x, vocab);
    lse[r] = mx + std::log(rowSumExp(x, vocab, mx));
    const int32_t t = targets[r];
    value[r] = (t >= 0 && t < vocab ? x[t] : 0.0f) - lse[r];
  }
}

void targetLogProbsGrad(const float* logits, const int32_t* targets, const float* lse, const float* dy, int64_t rows,
                        int64_t vocab, float* out) {
  for (int64_t r = 0; r < rows; r++) {
    const float* x = logits + r * vocab;
    float* o = out + r * vocab;
    const float l = lse[r], g = dy[r];
    for (int64_t v = 0; v < vocab; v++) o[v] = -g * expNonPositive(x[v] - l);
    const int32_t t = targets[r];
    if (t >= 0 && t < vocab) o[t] += g;
  }
}

}  // namespace molt
