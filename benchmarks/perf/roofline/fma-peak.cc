// The machine's single-precision FMA peak per core, for the roofline in
// BENCHMARKS.md: twelve independent FMA chains (enough to hide the FMA
// latency on both ports), 512-bit and 256-bit, timed on one thread. Run two
// copies at once to see whether the cores share FMA units.
//   g++ -O2 -std=c++17 benchmarks/perf/roofline/fma-peak.cc -o /tmp/fma-peak && /tmp/fma-peak
#include <chrono>
#include <cstdio>

#define FMA12(R)                                                                        \
  "vfmadd231ps %%" R "14,%%" R "15,%%" R "0\n vfmadd231ps %%" R "14,%%" R "15,%%" R "1\n"  \
  "vfmadd231ps %%" R "14,%%" R "15,%%" R "2\n vfmadd231ps %%" R "14,%%" R "15,%%" R "3\n"  \
  "vfmadd231ps %%" R "14,%%" R "15,%%" R "4\n vfmadd231ps %%" R "14,%%" R "15,%%" R "5\n"  \
  "vfmadd231ps %%" R "14,%%" R "15,%%" R "6\n vfmadd231ps %%" R "14,%%" R "15,%%" R "7\n"  \
  "vfmadd231ps %%" R "14,%%" R "15,%%" R "8\n vfmadd231ps %%" R "14,%%" R "15,%%" R "9\n"  \
  "vfmadd231ps %%" R "14,%%" R "15,%%" R "10\n vfmadd231ps %%" R "14,%%" R "15,%%" R "11\n"

template <typename Loop>
void report(const char* what, int lanes, Loop loop) {
  const long iters = 100000000;
  for (int rep = 0; rep < 3; rep++) {
    auto t0 = std::chrono::steady_clock::now();
    loop(iters);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%s FMA: %.1f GFLOP/s on one thread\n", what, 12.0 * lanes * 2 * iters / s / 1e9);
  }
}

int main() {
  report("512-bit", 16, [](long n) {
    __asm__ volatile("1:\n" FMA12("zmm") "dec %0\n jnz 1b\n"
                     : "+r"(n) : : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "cc");
  });
  report("256-bit", 8, [](long n) {
    __asm__ volatile("1:\n" FMA12("ymm") "dec %0\n jnz 1b\n"
                     : "+r"(n) : : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "cc");
  });
}
