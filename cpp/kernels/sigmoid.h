// Logistic sigmoid, the gate activation of GRU and LSTM.
#pragma once

#include <cmath>
#include <cstddef>

namespace rnn::kernels {

// One value, as the scalar kernels compute it: exp(-x) overflows to inf for x < -88.7, and
// 1 / inf = 0 is the right limit.
inline float sigmoid_scalar(float x) { return 1.f / (1.f + std::exp(-x)); }

// y[i] = 1 / (1 + exp(-x[i])) for i < n; x and y may be the same buffer.
// Max abs error vs double: 1e-6 (tested in kernels_test.cpp); NaN gives NaN.
void sigmoid_f32_scalar(const float* x, float* y, std::size_t n);
void sigmoid_f32_wasm_simd(const float* x, float* y, std::size_t n);

inline void sigmoid_f32(const float* x, float* y, std::size_t n) {
#ifdef RNN_HAVE_WASM_SIMD
  sigmoid_f32_wasm_simd(x, y, n);
#else
  sigmoid_f32_scalar(x, y, n);
#endif
}

}  // namespace rnn::kernels
