#include <cassert>
#include <vector>

#include "int8.h"

namespace rnn::kernels {

void gemv_i8_scalar(const std::int8_t* q, const float* scales, const float* bias, const float* x, float* y,
                    std::size_t m, std::size_t n) {
  assert(m == 0 || (y && scales && (n == 0 || (q && x))));
  for (std::size_t i = 0; i < m; ++i) {
    float sum = 0.f;
    for (std::size_t j = 0; j < n; ++j) sum += float(q[i * n + j]) * scales[i] * x[j];
    y[i] = bias ? sum + bias[i] : sum;
  }
}

void gemm_i8_scalar(const float* a, const std::int8_t* q, const float* scales, const float* bias, float* c,
                    std::size_t m, std::size_t n, std::size_t k) {
  for (std::size_t i = 0; i < m; ++i) gemv_i8_scalar(q, scales, bias, a + i * k, c + i * n, n, k);
}

}  // namespace rnn::kernels
