// Row reductions for the fused kernels, in kLanes independent partial
// results combined in a fixed order: the compiler vectorises them without
// -ffast-math, and the result is the same on every run.
#pragma once
#include <cmath>
#include <cstdint>

namespace molt {

constexpr int kLanes = 16;

inline float laneSum(const float* x, int64_t n) {
  float lane[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int j = 0; j < kLanes; j++) lane[j] += x[i + j];
  }
  float s = 0;
  for (int j = 0; j < kLanes; j++) s += lane[j];
  for (; i < n; i++) s += x[i];
  return s;
}

inline float laneMax(const float* x, int64_t n) {
  float lane[kLanes];
  for (int j = 0; j < kLanes; j++) lane[j] = -INFINITY;
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int j = 0; j < kLanes; j++) lane[j] = x[i + j] > lane[j] ? x[i + j] : lane[j];
  }
  float m = -INFINITY;
  for (int j = 0; j < kLanes; j++) m = lane[j] > m ? lane[j] : m;
  for (; i < n; i++) m = x[i] > m ? x[i] : m;
  return m;
}

}  // namespace molt
