#include <cassert>

#include "gemm.h"

namespace rnn::kernels {

void gemm_f32_scalar(const float* a, const float* w, const float* bias, float* c, std::size_t m,
                     std::size_t n, std::size_t k) {
  assert(m == 0 || n == 0 || (c && (k == 0 || (a && w))));
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      float sum = 0.f;
      for (std::size_t p = 0; p < k; ++p) sum += a[i * k + p] * w[j * k + p];
      c[i * n + j] = bias ? sum + bias[j] : sum;
    }
  }
}

}  // namespace rnn::kernels
