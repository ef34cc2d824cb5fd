// exp for the fused kernels: vectorisable, no calls, no branches.
#pragma once
#include <cstdint>
#include <cstring>

namespace molt {

// exp(x) for x <= 0 (callers subtract a row max, or take -|x|), written
// without calls or branches so the compiler vectorises the loops using it.
// x = n ln2 + r with |r| <= ln2/2; e^r by its Taylor series to degree 6
// (relative error below 1.2e-7, about one float ulp); 2^n built in the
// exponent bits. Arguments below -87 give e^-87 (~1.6e-38) instead of
// underflowing towards 0: negligible next to the 1 it is added to.
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

}  // namespace molt
