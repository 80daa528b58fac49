// Element-wise activations that need no SIMD variant: the compiler vectorises these loops.
#pragma once

#include <cmath>
#include <cstddef>

namespace rnn::kernels {

// y[i] = max(x[i], 0), NaN kept as NaN (as torch.relu does); x and y may alias.
inline void relu_f32(const float* x, float* y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = x[i] < 0.f ? 0.f : x[i];
}

}  // namespace rnn::kernels
