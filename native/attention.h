// The attention core of core/nn/attention.ts, softmax(q k^T scale + bias) v
// with grouped-query heads, forward and backward in one kernel each. The
// tfjs path is ~9 kernels forward and ~15 backward per layer, with batched
// products whose inner dimension (head_dim 16) is too short to run fast.
#pragma once
#include <cstdint>

namespace molt {

struct AttentionShape {
  int64_t batch;     // B
  int64_t kvHeads;   // KV
  int64_t rep;       // query heads per key/value head (H = KV * rep)
  int64_t queries;   // T
  int64_t keys;      // S
  int64_t headDim;   // D
  float scale;
};

// q [B, H, T, D] (read as [B, KV, rep*T, D]); k, v [B, KV, S, D];
// bias [B, 1, rep*T, S] (shared by the KV groups); out [B, T, H*D], the
// layout the output projection takes; probs [B, KV, rep*T, S] for backward.
void attentionForward(const float* q, const float* k, const float* v, const float* bias, const AttentionShape& s, float* out,
                      float* probs);

// dout [B, T, H*D] -> dq [B, H, T, D], dk, dv [B, KV, S, D].
void attentionBackward(const float* q, const float* k, const float* v, const float* probs, const float* dout, const AttentionShape& s,
                       float* dq, float* dk, float* dv);

}  // namespace molt
