// Small SIMD128 helpers shared by the *_wasm_simd.cpp kernels (SIMD build only).
#pragma once

#include <cstddef>
#include <wasm_simd128.h>

namespace rnn::kernels {

inline float horizontal_sum(v128_t v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

// sum_j a[j] * b[j], four lanes at a time, then the tail in order.
inline float dot_f32_wasm_simd(const float* a, const float* b, std::size_t n) {
  const std::size_t n4 = n & ~std::size_t{3};
  v128_t s = wasm_f32x4_splat(0.f);
  for (std::size_t j = 0; j < n4; j += 4)
    s = wasm_f32x4_add(s, wasm_f32x4_mul(wasm_v128_load(a + j), wasm_v128_load(b + j)));
  float t = horizontal_sum(s);
  for (std::size_t j = n4; j < n; ++j) t += a[j] * b[j];
  return t;
}

// exp(x) for four lanes: Cephes' expf. x = k ln2 + r with |r| <= ln2/2, exp(r) by a degree-7
// polynomial (relative error below 2e-7 over that range), then 2^k through the exponent bits.
// x is clamped to [-87.3, 88.3] so 2^k stays a normal float; NaN stays NaN (f32x4.min/max
// propagate it).
inline v128_t exp_f32x4(v128_t x) {
  x = wasm_f32x4_min(wasm_f32x4_max(x, wasm_f32x4_splat(-87.3f)), wasm_f32x4_splat(88.3f));
  const v128_t k = wasm_f32x4_nearest(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)));
  // ln2 split in two so k * ln2_hi is exact (Cody-Waite reduction).
  v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(k, wasm_f32x4_splat(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(k, wasm_f32x4_splat(-2.12194440e-4f)));
  v128_t p = wasm_f32x4_splat(1.9875691500e-4f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.3981999507e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(8.3334519073e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(4.1665795894e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.6666665459e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(5.0000001201e-1f));
  p = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, r), r), r),
                     wasm_f32x4_splat(1.f));
  // 2^k: k + 127 in the exponent field. NaN lanes convert to 0 and stay NaN through p.
  const v128_t e = wasm_i32x4_shl(
      wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(k), wasm_i32x4_splat(127)), 23);
  return wasm_f32x4_mul(p, e);
}

// y[i] = f(x[i]) for i < n, four lanes at a time; the tail goes through a zero-padded lane
// buffer so it gets the same math. x and y may be the same buffer.
template <class F>
void map_f32x4(const float* x, float* y, std::size_t n, F f) {
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, f(wasm_v128_load(x + i)));
  if (i < n) {
    float in[4] = {0.f, 0.f, 0.f, 0.f}, out[4];
    for (std::size_t j = i; j < n; ++j) in[j - i] = x[j];
    wasm_v128_store(out, f(wasm_v128_load(in)));
    for (std::size_t j = i; j < n; ++j) y[j] = out[j - i];
  }
}

}  // namespace rnn::kernels
