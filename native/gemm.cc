// Packed, register-blocked SGEMM (the classic GotoBLAS layout): B is packed
// into NR-wide column panels and A into MR-high row panels per cache block,
// and a MR x NR micro-kernel keeps its block of C in registers. Packing is
// also where transposes happen, so a transposed operand costs nothing extra.
// A plain A with short rows is read in place instead of packed: packing it
// is a scalar transpose that cost as much as the product itself at the
// default size's k = 64, and its MR rows sit in few enough cache sets to stay
// in L1 while the B panels pass (see kDirectRowStride).
//
// Written with GCC/Clang vector extensions rather than intrinsics so it
// compiles on any target; with -march=native the compiler emits the widest
// FMA instructions the build machine has.
#include "gemm.h"

#include <algorithm>
#include <cstring>
#include <thread>
#include <vector>

namespace molt {
namespace {

// A row of the micro-kernel's C tile is NR = 16 floats: one 512-bit vector
// where the build machine has AVX-512 (32 vector registers: a 12 x 16 tile),
// else two 256-bit vectors (16 registers: a 6 x 16 tile). Each element of C
// sums its k terms in the same order either way, so both give the same bits.
#if defined(__AVX512F__)
constexpr int MR = 12;
constexpr int VW = 16;
#else
constexpr int MR = 6;
constexpr int VW = 8;
#endif
constexpr int NR = 16;
constexpr int NV = NR / VW;  // vectors per tile row
constexpr int64_t KC = 256;
constexpr int64_t MC = 72;   // multiple of MR: a 72 x 256 A block is 72 KB
constexpr int64_t NC = 512;  // a 256 x 512 B block is 512 KB
// A plain A whose rows are at most this many floats apart (2 KB) is read in
// place. Farther apart, the MR rows of a panel fall into the same few L1 sets
// (at 4 KB, k = 1024, all twelve in one) and evict each other, so packing wins.
constexpr int64_t kDirectRowStride = 512;

typedef float v8 __attribute__((vector_size(32)));               // packing storage (32-byte aligned)
typedef float vec __attribute__((vector_size(VW * 4)));          // the micro-kernel's vector
typedef float vecu __attribute__((vector_size(VW * 4), aligned(4)));  // for unaligned rows of C

// Element (r, c) of a logical matrix is p[r * rs + c * cs].
struct View {
  const float* p;
  int64_t rs, cs;
};

struct Buffers {
  std::vector<v8> a, b;  // v8 storage: 32-byte aligned packs
  Buffers() : a(MC * KC / 8), b(NC * KC / 8) {}
};

// A rows [i0, i0 + mc) x cols [k0, k0 + kc) into MR-row panels, k-major; short panels zero-filled.
void packA(const View& A, int64_t i0, int64_t mc, int64_t k0, int64_t kc, float* dst) {
  for (int64_t ip = 0; ip < mc; ip += MR, dst += kc * MR) {
    const int mr = static_cast<int>(std::min<int64_t>(MR, mc - ip));
    if (mr < MR) std::memset(dst, 0, sizeof(float) * kc * MR);
    const float* src = A.p + (i0 + ip) * A.rs + k0 * A.cs;
    if (A.rs == 1) {
      // transposed A: the MR rows of one k are contiguous
      for (int64_t k = 0; k < kc; k++) std::memcpy(dst + k * MR, src + k * A.cs, sizeof(float) * mr);
      continue;
    }
    // row-outer: each row of a plain A is contiguous in memory
    for (int r = 0; r < mr; r++) {
      for (int64_t k = 0; k < kc; k++) dst[k * MR + r] = src[r * A.rs + k * A.cs];
    }
  }
}

// B rows [k0, k0 + kc) x cols [j0, j0 + nc) into NR-column panels, k-major; short panels zero-filled.
void packB(const View& B, int64_t k0, int64_t kc, int64_t j0, int64_t nc, float* dst) {
  for (int64_t jp = 0; jp < nc; jp += NR, dst += kc * NR) {
    const int nr = static_cast<int>(std::min<int64_t>(NR, nc - jp));
    const float* src = B.p + k0 * B.rs + (j0 + jp) * B.cs;
    if (B.cs == 1 && nr == NR) {
      for (int64_t k = 0; k < kc; k++) std::memcpy(dst + k * NR, src + k * B.rs, sizeof(float) * NR);
      continue;
    }
    if (nr < NR) std::memset(dst, 0, sizeof(float) * kc * NR);
    // column-outer: for a transposed B (rs == 1) each column is contiguous in memory
    for (int c = 0; c < nr; c++) {
      const float* col = src + c * B.cs;
      for (int64_t k = 0; k < kc; k++) dst[k * NR + c] = col[k * B.rs];
    }
  }
}

// C[mr x nr] (row stride ldc) = or += the product of one A panel and one B
// panel. The A panel's element (r, k) is ap[r * ars + k] when kRowsInPlace (a
// plain A read where it lies), else ap[k * MR + r] (packed). Either way each
// element of C sums its k terms in the same order, with the same FMAs.
template <bool kRowsInPlace>
inline void microKernel(int64_t kc, const float* ap, int64_t ars, const float* bp, float* c, int64_t ldc, int mr, int nr, bool accumulate) {
  vec acc[MR][NV] = {};
  for (int64_t k = 0; k < kc; k++, bp += NR) {
    vec b[NV];
    for (int v = 0; v < NV; v++) std::memcpy(&b[v], bp + v * VW, sizeof(vec));
    for (int r = 0; r < MR; r++) {
      const float a = kRowsInPlace ? ap[r * ars + k] : ap[k * MR + r];
      for (int v = 0; v < NV; v++) acc[r][v] += b[v] * a;
    }
  }
  if (mr == MR && nr == NR) {
    for (int r = 0; r < MR; r++) {
      for (int v = 0; v < NV; v++) {
        vecu* p = reinterpret_cast<vecu*>(c + r * ldc + v * VW);
        *p = accumulate ? *p + acc[r][v] : acc[r][v];
      }
    }
    return;
  }
  alignas(64) float tile[MR * NR];
  for (int r = 0; r < MR; r++) {
    for (int v = 0; v < NV; v++) std::memcpy(tile + r * NR + v * VW, &acc[r][v], sizeof(vec));
  }
  for (int r = 0; r < mr; r++) {
    float* row = c + r * ldc;
    for (int j = 0; j < nr; j++) row[j] = accumulate ? row[j] + tile[r * NR + j] : tile[r * NR + j];
  }
}

// Rows [m0, m1) of one product C = A @ B, with C's row stride n.
void gemmRows(const View& A, const View& B, float* C, int64_t m0, int64_t m1, int64_t n, int64_t k, Buffers& buf) {
  if (k == 0) {
    std::memset(C + m0 * n, 0, sizeof(float) * (m1 - m0) * n);
    return;
  }
  float* pa = reinterpret_cast<float*>(buf.a.data());
  float* pb = reinterpret_cast<float*>(buf.b.data());
  const bool inPlace = A.cs == 1 && A.rs <= kDirectRowStride;
  for (int64_t jc = 0; jc < n; jc += NC) {
    const int64_t nc = std::min(NC, n - jc);
    for (int64_t pc = 0; pc < k; pc += KC) {
      const int64_t kc = std::min(KC, k - pc);
      packB(B, pc, kc, jc, nc, pb);
      for (int64_t ic = m0; ic < m1; ic += MC) {
        const int64_t mc = std::min(MC, m1 - ic);
        // in place, only a short last panel is packed (zero-filled), so no row past A's end is read
        const int64_t full = inPlace ? mc / MR * MR : 0;
        if (full < mc) packA(A, ic + full, mc - full, pc, kc, pa);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const int nr = static_cast<int>(std::min<int64_t>(NR, nc - jr));
          for (int64_t ir = 0; ir < mc; ir += MR) {
            const int mr = static_cast<int>(std::min<int64_t>(MR, mc - ir));
            float* cp = C + (ic + ir) * n + jc + jr;
            if (ir < full) {
              microKernel<true>(kc, A.p + (ic + ir) * A.rs + pc, A.rs, pb + jr * kc, cp, n, mr, nr, pc > 0);
            } else {
              microKernel<false>(kc, pa + (ir - full) * kc, 0, pb + jr * kc, cp, n, mr, nr, pc > 0);
            }
          }
        }
      }
    }
  }
}

struct Task {
  int64_t batch0, batch1;  // batch items [batch0, batch1)
  int64_t m0, m1;          // rows of each of them
};

void runTask(const GemmShape& s, const float* a, const float* b, float* c, const Task& t) {
  // one set of packing buffers per thread, allocated (and zeroed) once rather
  // than per call: generation makes thousands of tiny products
  thread_local Buffers buf;
  for (int64_t i = t.batch0; i < t.batch1; i++) {
    const float* ai = a + (s.batchA == 1 ? 0 : i) * s.m * s.k;
    const float* bi = b + (s.batchB == 1 ? 0 : i) * s.k * s.n;
    const View A = s.transA ? View{ai, 1, s.m} : View{ai, s.k, 1};
    const View B = s.transB ? View{bi, 1, s.k} : View{bi, s.n, 1};
    gemmRows(A, B, c + i * s.m * s.n, t.m0, t.m1, s.n, s.k, buf);
  }
}

// Below this many multiply-adds a thread costs more than it saves.
constexpr int64_t kMinWorkPerThread = 1 << 18;

}  // namespace

void gemm(const GemmShape& s, const float* a, const float* b, float* c, int threads) {
  if (s.batch == 0 || s.m == 0 || s.n == 0) return;
  const int64_t work = s.batch * s.m * s.n * std::max<int64_t>(s.k, 1);
  const int64_t useful = std::max<int64_t>(1, work / kMinWorkPerThread);
  const int nt = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads, useful)));
  std::vector<Task> tasks;
  if (nt == 1) {
    tasks.push_back({0, s.batch, 0, s.m});
  } else if (s.batch >= nt) {
    for (int t = 0; t < nt; t++) tasks.push_back({s.batch * t / nt, s.batch * (t + 1) / nt, 0, s.m});
  } else {
    // split rows on MR boundaries so no panel straddles two threads
    const int64_t panels = (s.m + MR - 1) / MR;
    for (int t = 0; t < nt; t++) {
      const int64_t m0 = std::min(s.m, panels * t / nt * MR), m1 = std::min(s.m, panels * (t + 1) / nt * MR);
      if (m1 > m0) tasks.push_back({0, s.batch, m0, m1});
    }
  }
  std::vector<std::thread> pool;
  for (size_t t = 1; t < tasks.size(); t++) pool.emplace_back(runTask, std::cref(s), a, b, c, std::cref(tasks[t]));
  runTask(s, a, b, c, tasks[0]);
  for (auto& th : pool) th.join();
}

}  // namespace molt
