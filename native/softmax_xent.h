// Fused log-softmax pieces of the training losses (core/train/losses.ts).
#pragma once
#include <cstdint>

namespace molt {

// Per row r of logits [rows, vocab]: lse[r] = log(sum_v exp(x[r, v])) and
// value[r] = x[r, target[r]] - lse[r] (-lse[r] when the target is out of range,
// as a one-hot of it is all zeros).
void targetLogProbs(const float* logits, const int32_t* targets, int64_t rows, int64_t vocab, float* value, float* lse);

// Its gradient: out[r, v] = dy[r] * ([v == target[r]] - exp(x[r, v] - lse[r])).
void targetLogProbsGrad(const float* logits, const int32_t* targets, const float* lse, const float* dy, int64_t rows,
                        int64_t vocab, float* out);

}  // namespace molt
