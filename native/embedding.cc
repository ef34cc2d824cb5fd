// Rows are added in token order, so the gradient is deterministic.
#include "embedding.h"

#include <cstring>

namespace molt {

void embeddingGather(const float* table, const int32_t* ids, int64_t n, int64_t vocab, int64_t d, float* out) {
  for (int64_t i = 0; i < n; i++) {
    const int32_t id = ids[i];
    if (id >= 0 && id < vocab) {
      std::memcpy(out + i * d, table + static_cast<int64_t>(id) * d, sizeof(float) * d);
    } else {
      std::memset(out + i * d, 0, sizeof(float) * d);
    }
  }
}

void embeddingScatterAdd(const float* dy, const int32_t* ids, int64_t n, int64_t vocab, int64_t d, int64_t skipId, float* dtable) {
  std::memset(dtable, 0, sizeof(float) * vocab * d);
  for (int64_t i = 0; i < n; i++) {
    const int32_t id = ids[i];
    if (id < 0 || id >= vocab || id == skipId) continue;
    float* row = dtable + static_cast<int64_t>(id) * d;
    const float* g = dy + i * d;
    for (int64_t j = 0; j < d; j++) row[j] += g[j];
  }
}

}  // namespace molt
