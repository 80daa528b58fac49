#include <cassert>
#include <cmath>

#include "sigmoid.h"

namespace rnn::kernels {

void sigmoid_f32_scalar(const float* x, float* y, std::size_t n) {
  assert(n == 0 || (x && y));
  for (std::size_t i = 0; i < n; ++i) y[i] = sigmoid_scalar(x[i]);
}

}  // namespace rnn::kernels
