// The int8 products of int8.h in scalar C++: the reference of the SIMD kernels, and the
// baseline build's kernel.
#include <algorithm>
#include <cassert>
#include <cmath>

#include "int8.h"

namespace rnn::kernels {

float int8_input_step(const float* x, std::size_t n) {
  float largest = 0.f;
  for (std::size_t j = 0; j < n; ++j) {
    const float a = std::fabs(x[j]);
    if (!(a <= 0x1p90f)) return 0.f;  // NaN fails the comparison too
    largest = std::max(largest, a);
  }
  if (largest == 0.f) return 1.f;
  if (largest < 0x1p-90f) return 0.f;
  return std::ldexp(1.f, std::ilogb(largest) - 13);
}

void split_input_i16(const float* x, std::size_t n, float step, std::int16_t* hi, std::int16_t* lo) {
  const float inverse = 1.f / step;  // a power of two: x * inverse is exact, as is s - h below
  for (std::size_t j = 0; j < n; ++j) {
    const float s = x[j] * inverse, h = std::nearbyint(s);
    hi[j] = static_cast<std::int16_t>(h);
    lo[j] = static_cast<std::int16_t>(std::nearbyint((s - h) * 32768.f));
  }
  if (n % 2) hi[n] = lo[n] = 0;
}

void gemv_i8_scalar(const std::int8_t* q, const float* scales, const float* bias, const float* x, float* y,
                    std::size_t m, std::size_t n) {
  assert(m == 0 || (y && scales && (n == 0 || (q && x))));
  const float step = m == 0 ? 1.f : int8_input_step(x, n);
  if (step == 0.f) {
    for (std::size_t i = 0; i < m; ++i)
      y[i] = int8_row_float32([&](std::size_t j) { return q[i * n + j]; }, scales[i], x, n) + (bias ? bias[i] : 0.f);
    return;
  }
  const float step_lo = step / 32768.f;
  std::int16_t hi[kInt8Chunk + 1], lo[kInt8Chunk + 1];
  // Chunk by chunk, y holding the sums so far.
  for (std::size_t c0 = 0; c0 == 0 || c0 < n; c0 += kInt8Chunk) {
    const std::size_t len = std::min(kInt8Chunk, n - c0);
    split_input_i16(x + c0, len, step, hi, lo);
    for (std::size_t i = 0; i < m; ++i) {
      const std::int8_t* row = q + i * n + c0;
      std::int32_t a = 0, b = 0;
      for (std::size_t j = 0; j < len; ++j) a += row[j] * hi[j], b += row[j] * lo[j];
      const float part = float(a) * step + float(b) * step_lo;
      y[i] = c0 == 0 ? part : y[i] + part;
    }
  }
  for (std::size_t i = 0; i < m; ++i) y[i] = y[i] * scales[i] + (bias ? bias[i] : 0.f);
}

void gemm_i8_scalar(const float* a, const std::int8_t* q, const float* scales, const float* bias, float* c,
                    std::size_t m, std::size_t n, std::size_t k) {
  for (std::size_t i = 0; i < m; ++i) gemv_i8_scalar(q, scales, bias, a + i * k, c + i * n, n, k);
}

}  // namespace rnn::kernels
