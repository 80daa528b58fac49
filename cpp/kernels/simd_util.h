// Small SIMD128 helpers shared by the *_wasm_simd.cpp kernels (SIMD build only).
#pragma once

#include <cstddef>
#include <wasm_simd128.h>

namespace rnn::kernels {

// acc + a * b. In the relaxed-SIMD build (RNN_WASM_RELAXED) it is one f32x4.relaxed_madd, fused
// where the CPU has FMA: one rounding instead of two, so results stay within 1e-6 of the SIMD
// build, not bitwise equal. Debian's clang 14 emits only the proposal's early instruction for
// it (__builtin_wasm_fma_f32x4: f32x4.relaxed_fma, 0xfd 0xaf 0x01, computing a + b * c), which
// engines reject; scripts/relaxed-opcodes.mjs rewrites each to the final f32x4.relaxed_madd
// (0xfd 0x85 0x02, computing a * b + c) after linking, so the operands are in the final order.
inline v128_t madd_f32x4(v128_t a, v128_t b, v128_t acc) {
#ifdef RNN_WASM_RELAXED
  return __builtin_wasm_fma_f32x4(a, b, acc);
#else
  return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b));
#endif
}

// exp(x) for four lanes: Cephes' expf. x = k ln2 + r with |r| <= ln2/2, exp(r) by a degree-7
// polynomial (relative error below 2e-7 over that range), then 2^k through the exponent bits.
// x is clamped to [-87.3, 88.3] so 2^k stays a normal float; NaN stays NaN.
//
// Written for what V8 (Node 20) makes of it, since the gate kernels spend most of their time
// here: the clamp uses pmin/pmax (one minps/maxps each; f32x4.min/max must order -0 and +0 and
// cost about seven instructions each), with x first so that a NaN x is what they return; and
// k is rounded by adding 1.5 * 2^23, which leaves k in the low bits of the sum, so 2^k needs an
// integer add and a shift instead of f32x4.nearest and a saturating conversion.
inline v128_t exp_f32x4(v128_t x) {
  x = wasm_f32x4_pmin(wasm_f32x4_pmax(x, wasm_f32x4_splat(-87.3f)), wasm_f32x4_splat(88.3f));
  const v128_t round = wasm_f32x4_splat(12582912.f);  // 1.5 * 2^23
  const v128_t shifted = wasm_f32x4_add(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)), round);
  const v128_t k = wasm_f32x4_sub(shifted, round);  // round(x / ln2), exactly
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
  // The bits of `shifted` are those of 1.5 * 2^23 (0x4B400000) plus k, so k + 127, the biased
  // exponent of 2^k, is bits - 0x4B400000 + 127. A NaN lane gives some 2^k; p is NaN there.
  const v128_t e = wasm_i32x4_shl(wasm_i32x4_add(shifted, wasm_i32x4_splat(127 - 0x4B400000)), 23);
  return wasm_f32x4_mul(p, e);
}

// sigmoid(x) from e = exp(-|x|) in (0, 1], which never overflows:
// x >= 0: 1 / (1 + e);  x < 0: e / (1 + e). Error is exp's (2e-7 relative) plus rounding.
inline v128_t sigmoid_f32x4(v128_t x) {
  const v128_t e = exp_f32x4(wasm_f32x4_neg(wasm_f32x4_abs(x)));
  const v128_t s = wasm_f32x4_div(wasm_f32x4_splat(1.f), wasm_f32x4_add(wasm_f32x4_splat(1.f), e));
  // NaN fails x >= 0 and takes e * s, which is NaN.
  return wasm_v128_bitselect(s, wasm_f32x4_mul(e, s), wasm_f32x4_ge(x, wasm_f32x4_splat(0.f)));
}

// tanh(x) = sign(x) (1 - e) / (1 + e) with e = exp(-2|x|) in (0, 1], which never overflows.
// Below |x| = 0.1 that form loses relative precision to cancellation, so an odd Taylor
// polynomial takes over (its first omitted term, 62/2835 x^9, is below 3e-11 there).
inline v128_t tanh_f32x4(v128_t x) {
  const v128_t ax = wasm_f32x4_abs(x);
  const v128_t e = exp_f32x4(wasm_f32x4_mul(ax, wasm_f32x4_splat(-2.f)));
  const v128_t one = wasm_f32x4_splat(1.f);
  const v128_t big = wasm_f32x4_div(wasm_f32x4_sub(one, e), wasm_f32x4_add(one, e));
  // x - x^3/3 + 2x^5/15 - 17x^7/315
  const v128_t x2 = wasm_f32x4_mul(x, x);
  v128_t p = wasm_f32x4_splat(-17.f / 315.f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x2), wasm_f32x4_splat(2.f / 15.f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x2), wasm_f32x4_splat(-1.f / 3.f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x2), one);
  const v128_t small = wasm_f32x4_mul(p, x);  // keeps the sign of x, -0 included
  // copysign(big, x): the magnitude bits of big with the sign bit of x. NaN stays NaN.
  const v128_t sign = wasm_i32x4_splat(static_cast<int>(0x80000000u));
  const v128_t signed_big = wasm_v128_or(big, wasm_v128_and(x, sign));
  return wasm_v128_bitselect(small, signed_big, wasm_f32x4_lt(ax, wasm_f32x4_splat(0.1f)));
}

// Stores the outputs of `panels` packed panels (2 vectors, 8 outputs each) to y, but no more
// than `remaining` of them: the last panel of a matrix may be partly padding.
inline void store_panel_outputs(const v128_t* acc, std::size_t panels, float* y, std::size_t remaining) {
  if (remaining >= panels * 8) {
    for (std::size_t v = 0; v < 2 * panels; ++v) wasm_v128_store(y + 4 * v, acc[v]);
    return;
  }
  float out[64];
  for (std::size_t v = 0; v < 2 * panels; ++v) wasm_v128_store(out + 4 * v, acc[v]);
  for (std::size_t j = 0; j < remaining; ++j) y[j] = out[j];
}

// Loads n < 4 floats, the other lanes zero: how kernels treat a tail shorter than a vector.
inline v128_t load_partial(const float* x, std::size_t n) {
  float in[4] = {0.f, 0.f, 0.f, 0.f};
  for (std::size_t j = 0; j < n; ++j) in[j] = x[j];
  return wasm_v128_load(in);
}

inline void store_partial(float* y, v128_t v, std::size_t n) {
  float out[4];
  wasm_v128_store(out, v);
  for (std::size_t j = 0; j < n; ++j) y[j] = out[j];
}

// Loads and stores of n <= 4 lanes: whole vectors, or a zero-padded tail, so that a row's last
// few elements get the same math as the rest.
struct Lanes {
  std::size_t n;
  v128_t load(const float* p) const { return n == 4 ? wasm_v128_load(p) : load_partial(p, n); }
  void store(float* p, v128_t v) const {
    if (n == 4)
      wasm_v128_store(p, v);
    else
      store_partial(p, v, n);
  }
};

// y[i] = f(x[i]) for i < n, four lanes at a time; the tail goes through a zero-padded lane
// buffer so it gets the same math. x and y may be the same buffer.
template <class F>
void map_f32x4(const float* x, float* y, std::size_t n, F f) {
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, f(wasm_v128_load(x + i)));
  if (i < n) store_partial(y + i, f(load_partial(x + i, n - i)), n - i);
}

}  // namespace rnn::kernels
