// Matrix-vector product: the batch-1 recurrence, h W_hhᵀ, with W stored as PyTorch does (rows = outputs).
#pragma once

#include <cstddef>

namespace rnn::kernels {

// y[i] = sum_j a[i*n + j] * x[j] for i < m. a is row-major (m, n); y must not alias a or x.
void gemv_f32_scalar(const float* a, const float* x, float* y, std::size_t m, std::size_t n);
void gemv_f32_wasm_simd(const float* a, const float* x, float* y, std::size_t m, std::size_t n);

inline void gemv_f32(const float* a, const float* x, float* y, std::size_t m, std::size_t n) {
#ifdef RNN_HAVE_WASM_SIMD
  gemv_f32_wasm_simd(a, x, y, m, n);
#else
  gemv_f32_scalar(a, x, y, m, n);
#endif
}

}  // namespace rnn::kernels
