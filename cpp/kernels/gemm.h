// Matrix-matrix product C = A Bᵀ: the input projection x W_ihᵀ and the batched recurrence
// h W_hhᵀ, with B = W stored as PyTorch does, (out_features, in_features).
#pragma once

#include <cstddef>

namespace rnn::kernels {

// c[i*n + j] = sum_p a[i*k + p] * b[j*k + p] for i < m, j < n.
// a: (m, k), b: (n, k), c: (m, n), all row-major; c must not alias a or b.
void gemm_f32_scalar(const float* a, const float* b, float* c, std::size_t m, std::size_t n,
                     std::size_t k);
void gemm_f32_wasm_simd(const float* a, const float* b, float* c, std::size_t m, std::size_t n,
                        std::size_t k);

inline void gemm_f32(const float* a, const float* b, float* c, std::size_t m, std::size_t n,
                     std::size_t k) {
#ifdef RNN_HAVE_WASM_SIMD
  gemm_f32_wasm_simd(a, b, c, m, n, k);
#else
  gemm_f32_scalar(a, b, c, m, n, k);
#endif
}

}  // namespace rnn::kernels
