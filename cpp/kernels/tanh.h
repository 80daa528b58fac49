// Hyperbolic tangent, the candidate activation of GRU and LSTM and RNNCell's default.
#pragma once

#include <cstddef>

namespace rnn::kernels {

// y[i] = tanh(x[i]) for i < n; x and y may be the same buffer.
// Max abs error vs double: 1e-6 (tested in kernels_test.cpp); NaN gives NaN, -0 gives -0.
void tanh_f32_scalar(const float* x, float* y, std::size_t n);
void tanh_f32_wasm_simd(const float* x, float* y, std::size_t n);

inline void tanh_f32(const float* x, float* y, std::size_t n) {
#ifdef RNN_HAVE_WASM_SIMD
  tanh_f32_wasm_simd(x, y, n);
#else
  tanh_f32_scalar(x, y, n);
#endif
}

}  // namespace rnn::kernels
