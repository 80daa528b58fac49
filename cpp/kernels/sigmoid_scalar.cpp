#include <cassert>
#include <cmath>

#include "sigmoid.h"

namespace rnn::kernels {

void sigmoid_f32_scalar(const float* x, float* y, std::size_t n) {
  assert(n == 0 || (x && y));
  // exp(-x) overflows to inf for x < -88.7, and 1 / inf = 0: the right limit.
  for (std::size_t i = 0; i < n; ++i) y[i] = 1.f / (1.f + std::exp(-x[i]));
}

}  // namespace rnn::kernels
