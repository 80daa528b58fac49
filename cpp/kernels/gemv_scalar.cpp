#include <cassert>

#include "gemv.h"

namespace rnn::kernels {

void gemv_f32_scalar(const float* a, const float* bias, const float* x, float* y, std::size_t m,
                     std::size_t n) {
  assert(m == 0 || (y && (n == 0 || (a && x))));
  for (std::size_t i = 0; i < m; ++i) {
    float sum = 0.f;
    for (std::size_t j = 0; j < n; ++j) sum += a[i * n + j] * x[j];
    y[i] = bias ? sum + bias[i] : sum;
  }
}

}  // namespace rnn::kernels
