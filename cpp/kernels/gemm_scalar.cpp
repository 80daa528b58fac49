#include <algorithm>
#include <cassert>
#include <vector>

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

void gemm_nn_f32_scalar(const float* a, const float* b, float* c, std::size_t m, std::size_t n,
                        std::size_t k, bool accumulate) {
  assert(m == 0 || n == 0 || (c && (k == 0 || (a && b))));
  std::vector<float> sum(n);
  for (std::size_t i = 0; i < m; ++i) {
    // Rows of B in order: every sum still grows in p order, and B is read contiguously.
    std::fill(sum.begin(), sum.end(), 0.f);
    for (std::size_t p = 0; p < k; ++p)
      for (std::size_t j = 0; j < n; ++j) sum[j] += a[i * k + p] * b[p * n + j];
    for (std::size_t j = 0; j < n; ++j) c[i * n + j] = accumulate ? c[i * n + j] + sum[j] : sum[j];
  }
}

void gemm_tn_f32_scalar(const float* a, const float* b, float* c, std::size_t m, std::size_t n, std::size_t k) {
  assert(m == 0 || n == 0 || (c && (k == 0 || (a && b))));
  std::vector<float> sum(n);
  for (std::size_t i = 0; i < m; ++i) {
    std::fill(sum.begin(), sum.end(), 0.f);
    for (std::size_t p = 0; p < k; ++p)
      for (std::size_t j = 0; j < n; ++j) sum[j] += a[p * m + i] * b[p * n + j];
    for (std::size_t j = 0; j < n; ++j) c[i * n + j] += sum[j];
  }
}

}  // namespace rnn::kernels
