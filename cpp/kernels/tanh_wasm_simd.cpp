// tanh(x) = sign(x) (1 - e) / (1 + e) with e = exp(-2|x|) in (0, 1], which never overflows.
// Below |x| = 0.1 that form loses relative precision to cancellation, so an odd Taylor
// polynomial takes over (its first omitted term, 62/2835 x^9, is below 3e-11 there).
#include <cassert>
#include <wasm_simd128.h>

#include "simd_util.h"
#include "tanh.h"

namespace rnn::kernels {

namespace {

v128_t tanh_f32x4(v128_t x) {
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

}  // namespace

void tanh_f32_wasm_simd(const float* x, float* y, std::size_t n) {
  assert(n == 0 || (x && y));
  map_f32x4(x, y, n, tanh_f32x4);
}

}  // namespace rnn::kernels
