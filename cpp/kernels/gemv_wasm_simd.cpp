// Each output is a dot product of a weight row with x. Four rows at a time share each load
// of x; lanes accumulate partial sums that are folded at the end, so the summation order
// differs from the scalar loop by float rounding only (tested to 1e-5 relative).
#include <cassert>
#include <wasm_simd128.h>

#include "gemv.h"
#include "simd_util.h"

namespace rnn::kernels {

void gemv_f32_wasm_simd(const float* a, const float* x, float* y, std::size_t m, std::size_t n) {
  assert(m == 0 || (a && x && y) || n == 0);
  const std::size_t n4 = n & ~std::size_t{3};
  std::size_t i = 0;
  for (; i + 4 <= m; i += 4) {
    const float* r0 = a + i * n;
    const float* r1 = r0 + n;
    const float* r2 = r1 + n;
    const float* r3 = r2 + n;
    v128_t s0 = wasm_f32x4_splat(0.f), s1 = s0, s2 = s0, s3 = s0;
    for (std::size_t j = 0; j < n4; j += 4) {
      const v128_t xv = wasm_v128_load(x + j);
      s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(r0 + j), xv));
      s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(wasm_v128_load(r1 + j), xv));
      s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(wasm_v128_load(r2 + j), xv));
      s3 = wasm_f32x4_add(s3, wasm_f32x4_mul(wasm_v128_load(r3 + j), xv));
    }
    float t0 = horizontal_sum(s0), t1 = horizontal_sum(s1);
    float t2 = horizontal_sum(s2), t3 = horizontal_sum(s3);
    for (std::size_t j = n4; j < n; ++j) {
      t0 += r0[j] * x[j];
      t1 += r1[j] * x[j];
      t2 += r2[j] * x[j];
      t3 += r3[j] * x[j];
    }
    y[i] = t0;
    y[i + 1] = t1;
    y[i + 2] = t2;
    y[i + 3] = t3;
  }
  for (; i < m; ++i) y[i] = dot_f32_wasm_simd(a + i * n, x, n);
}

}  // namespace rnn::kernels
