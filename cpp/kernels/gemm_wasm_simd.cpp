// A Bᵀ as blocks of 2 rows of A by 4 rows of B: eight accumulators, each load of A reused four
// times and each load of B twice. Edges fall back to one dot product per output.
#include <cassert>
#include <wasm_simd128.h>

#include "gemm.h"
#include "simd_util.h"

namespace rnn::kernels {

namespace {

// c[0..1][0..3] for rows a0, a1 of A and rows b0..b3 of B.
void block_2x4(const float* a0, const float* a1, const float* b0, std::size_t k, float* c0,
               float* c1) {
  const float* b1 = b0 + k;
  const float* b2 = b1 + k;
  const float* b3 = b2 + k;
  const std::size_t k4 = k & ~std::size_t{3};
  v128_t s00 = wasm_f32x4_splat(0.f), s01 = s00, s02 = s00, s03 = s00;
  v128_t s10 = s00, s11 = s00, s12 = s00, s13 = s00;
  for (std::size_t p = 0; p < k4; p += 4) {
    const v128_t x0 = wasm_v128_load(a0 + p), x1 = wasm_v128_load(a1 + p);
    const v128_t w0 = wasm_v128_load(b0 + p), w1 = wasm_v128_load(b1 + p);
    const v128_t w2 = wasm_v128_load(b2 + p), w3 = wasm_v128_load(b3 + p);
    s00 = wasm_f32x4_add(s00, wasm_f32x4_mul(x0, w0));
    s01 = wasm_f32x4_add(s01, wasm_f32x4_mul(x0, w1));
    s02 = wasm_f32x4_add(s02, wasm_f32x4_mul(x0, w2));
    s03 = wasm_f32x4_add(s03, wasm_f32x4_mul(x0, w3));
    s10 = wasm_f32x4_add(s10, wasm_f32x4_mul(x1, w0));
    s11 = wasm_f32x4_add(s11, wasm_f32x4_mul(x1, w1));
    s12 = wasm_f32x4_add(s12, wasm_f32x4_mul(x1, w2));
    s13 = wasm_f32x4_add(s13, wasm_f32x4_mul(x1, w3));
  }
  float t[8] = {horizontal_sum(s00), horizontal_sum(s01), horizontal_sum(s02),
                horizontal_sum(s03), horizontal_sum(s10), horizontal_sum(s11),
                horizontal_sum(s12), horizontal_sum(s13)};
  for (std::size_t p = k4; p < k; ++p) {
    t[0] += a0[p] * b0[p];
    t[1] += a0[p] * b1[p];
    t[2] += a0[p] * b2[p];
    t[3] += a0[p] * b3[p];
    t[4] += a1[p] * b0[p];
    t[5] += a1[p] * b1[p];
    t[6] += a1[p] * b2[p];
    t[7] += a1[p] * b3[p];
  }
  for (int j = 0; j < 4; ++j) {
    c0[j] = t[j];
    c1[j] = t[4 + j];
  }
}

}  // namespace

void gemm_f32_wasm_simd(const float* a, const float* b, float* c, std::size_t m, std::size_t n,
                        std::size_t k) {
  assert(m == 0 || n == 0 || (c && (k == 0 || (a && b))));
  std::size_t i = 0;
  for (; i + 2 <= m; i += 2) {
    const float* a0 = a + i * k;
    std::size_t j = 0;
    for (; j + 4 <= n; j += 4) block_2x4(a0, a0 + k, b + j * k, k, c + i * n + j, c + (i + 1) * n + j);
    for (; j < n; ++j) {
      c[i * n + j] = dot_f32_wasm_simd(a0, b + j * k, k);
      c[(i + 1) * n + j] = dot_f32_wasm_simd(a0 + k, b + j * k, k);
    }
  }
  for (; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) c[i * n + j] = dot_f32_wasm_simd(a + i * k, b + j * k, k);
}

}  // namespace rnn::kernels
