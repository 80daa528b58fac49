// Exponential, for softmax and the cross-entropy loss over a vocabulary.
#pragma once

#include <cstddef>

namespace rnn::kernels {

// y[i] = exp(x[i]) for i < n; x and y may be the same buffer. The SIMD variant clamps x to
// [-87.3, 88.3] (simd_util.h), so it gives 1.2e-38 rather than 0 below that, and 2.2e38
// rather than inf above. Relative error vs double: 1e-6 inside (tested in kernels_test.cpp).
void exp_f32_scalar(const float* x, float* y, std::size_t n);
void exp_f32_wasm_simd(const float* x, float* y, std::size_t n);

inline void exp_f32(const float* x, float* y, std::size_t n) {
#ifdef RNN_HAVE_WASM_SIMD
  exp_f32_wasm_simd(x, y, n);
#else
  exp_f32_scalar(x, y, n);
#endif
}

}  // namespace rnn::kernels
