// sigmoid(x) from e = exp(-|x|) in (0, 1], which never overflows:
// x >= 0: 1 / (1 + e);  x < 0: e / (1 + e). Error is exp's (2e-7 relative) plus rounding.
#include <cassert>
#include <wasm_simd128.h>

#include "sigmoid.h"
#include "simd_util.h"

namespace rnn::kernels {

namespace {

v128_t sigmoid_f32x4(v128_t x) {
  const v128_t e = exp_f32x4(wasm_f32x4_neg(wasm_f32x4_abs(x)));
  const v128_t s = wasm_f32x4_div(wasm_f32x4_splat(1.f), wasm_f32x4_add(wasm_f32x4_splat(1.f), e));
  // NaN fails x >= 0 and takes e * s, which is NaN.
  return wasm_v128_bitselect(s, wasm_f32x4_mul(e, s), wasm_f32x4_ge(x, wasm_f32x4_splat(0.f)));
}

}  // namespace

void sigmoid_f32_wasm_simd(const float* x, float* y, std::size_t n) {
  assert(n == 0 || (x && y));
  map_f32x4(x, y, n, sigmoid_f32x4);
}

}  // namespace rnn::kernels
