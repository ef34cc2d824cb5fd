// molt's SGEMM alone on the products of a training step (default size and
// hidden 256 / intermediate 1024, 16 x 64 tokens), operands hot in cache:
// GFLOP/s per shape, for the roofline in BENCHMARKS.md. Argument: threads.
//   g++ -O3 -std=c++17 -pthread -march=native -Inative benchmarks/perf/roofline/gemm-shapes.cc native/gemm.cc -o /tmp/gemm-shapes && /tmp/gemm-shapes 1
#include "gemm.h"
#include <chrono>
#include <cstdio>
#include <vector>
#include <cstdlib>
using namespace molt;
int main(int argc, char** argv) {
  struct S { const char* name; int64_t m, n, k; bool ta, tb; };
  S shapes[] = {
    {"fwd x@W 1024x256x256", 1024, 256, 256, false, false},
    {"fwd x@Wup 1024x1024x256", 1024, 1024, 256, false, false},
    {"fwd down 1024x256x1024", 1024, 256, 1024, false, false},
    {"unembed 1024x1881x256", 1024, 1881, 256, false, false},
    {"dX dY@W^T 1024x256x256 tB", 1024, 256, 256, false, true},
    {"dX dY@Wup^T 1024x256x1024 tB", 1024, 256, 1024, false, true},
    {"dW X^T@dY 256x256x1024 tA", 256, 256, 1024, true, false},
    {"dW X^T@dY 256x1024x1024 tA", 256, 1024, 1024, true, false},
    {"dW unembed 256x1881x1024 tA", 256, 1881, 1024, true, false},
    {"fwd x@W d64 1024x64x64", 1024, 64, 64, false, false},
    {"unembed d64 1024x1881x64", 1024, 1881, 64, false, false},
  };
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  for (auto& s : shapes) {
    std::vector<float> a(s.m * s.k), b(s.k * s.n), c(s.m * s.n);
    for (auto& x : a) x = (rand() % 1000) / 1000.f;
    for (auto& x : b) x = (rand() % 1000) / 1000.f;
    GemmShape g{1, 1, 1, s.m, s.n, s.k, s.ta, s.tb};
    for (int i = 0; i < 3; i++) gemm(g, a.data(), b.data(), c.data(), threads);
    int reps = 0; auto t0 = std::chrono::steady_clock::now(); double el = 0;
    do { gemm(g, a.data(), b.data(), c.data(), threads); reps++; el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); } while (el < 0.3);
    double gf = 2.0 * s.m * s.n * s.k * reps / el / 1e9;
    printf("%-34s %7.1f GFLOP/s  %7.3f ms\n", s.name, gf, el / reps * 1e3);
  }
}
