// Element-wise activations that need no SIMD variant: the compiler vectorises these loops.
#pragma once

#include <cmath>
#include <cstddef>

namespace rnn::kernels {

// y[i] = max(x[i], 0), NaN kept as NaN (as torch.relu does); x and y may alias.
inline void relu_f32(const float* x, float* y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = x[i] < 0.f ? 0.f : x[i];
}

// Backward of the activations, from their output y (what a training forward keeps): dx = dy f'.
// PyTorch's formulas (threshold_backward, tanh_backward, sigmoid_backward); dx may alias dy.
// relu: dy where y > 0 (0 where x was 0, and where y is NaN).
inline void relu_backward_f32(const float* y, const float* dy, float* dx, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) dx[i] = y[i] > 0.f ? dy[i] : 0.f;
}
// tanh: dy (1 - y²).
inline void tanh_backward_f32(const float* y, const float* dy, float* dx, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) dx[i] = dy[i] * (1.f - y[i] * y[i]);
}
// sigmoid: dy (1 - y) y.
inline void sigmoid_backward_f32(const float* y, const float* dy, float* dx, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) dx[i] = dy[i] * (1.f - y[i]) * y[i];
}

}  // namespace rnn::kernels
