// One pass for the max, one for the sum of exponentials: the generic tfjs
// chain (oneHot, cast, logSumExp, multiply, sum, and exp again in the
// backward) touched the [rows, vocab] logits about ten times per step.
#include "softmax_xent.h"

#include <cmath>

#include "fast_exp.h"
#include "lanes.h"

namespace molt {
namespace {

// sum of exp(x - shift) in fixed-order lanes (lanes.h), the exps computed on the fly
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
    const float mx = laneMax(x, vocab);
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
