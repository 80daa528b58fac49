#include <cassert>
#include <vector>

#include "gemm.h"
#include "int8.h"

namespace rnn::kernels {

void gemv_i8_scalar(const std::int8_t* q, const float* scales, const float* bias, const float* x, float* y,
                    std::size_t m, std::size_t n) {
  assert(m == 0 || (y && scales && (n == 0 || (q && x))));
  for (std::size_t i = 0; i < m; ++i) {
    float sum = 0.f;
    for (std::size_t j = 0; j < n; ++j) sum += float(q[i * n + j]) * x[j];
    const float scaled = sum * scales[i];
    y[i] = bias ? scaled + bias[i] : scaled;
  }
}

void gemm_i8_scalar(const float* a, const std::int8_t* q, const float* scales, const float* bias, float* c,
                    std::size_t m, std::size_t n, std::size_t k) {
  std::vector<float> w(n * k);
  dequantize_rows_i8(q, scales, n, k, w.data());
  gemm_f32_scalar(a, w.data(), bias, c, m, n, k);
}

}  // namespace rnn::kernels
