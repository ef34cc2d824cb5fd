// Token embedding lookup and its gradient (core/nn/embedding.ts). The tfjs
// backward is a product with a [tokens, vocab] one-hot: vocab x tokens x d
// multiply-adds (~120M at default size) for what is a scatter-add of
// tokens x d values.
#pragma once
#include <cstdint>

namespace molt {

// out[i] = table[ids[i]]; an id outside [0, vocab) gives a zero row.
void embeddingGather(const float* table, const int32_t* ids, int64_t n, int64_t vocab, int64_t d, float* out);

// dtable = 0, then dtable[ids[i]] += dy[i] for i in order, skipping skipId
// (the padding row, like nn.Embedding(padding_idx)) and out-of-range ids.
void embeddingScatterAdd(const float* dy, const int32_t* ids, int64_t n, int64_t vocab, int64_t d, int64_t skipId, float* dtable);

}  // namespace molt
