// int8 weights (kernels/int8.h): the quantization scheme, the scalar references against double
// on the dequantized weights, and (SIMD build) the packed SIMD kernels against the references,
// for every length 0..67, odd shapes and row ranges.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "check.h"
#include "products.h"
#include "kernels/int8.h"
#include "random_tensor.h"
#include "tensor/random.h"

using namespace rnn;
using namespace rnn::kernels;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

struct Quantized {
  std::vector<std::int8_t> q;
  std::vector<float> scales, dequantized;
};

Quantized quantized(const std::vector<float>& w, std::size_t rows, std::size_t cols) {
  Quantized out{std::vector<std::int8_t>(rows * cols), std::vector<float>(rows), std::vector<float>(rows * cols)};
  quantize_rows_i8(w.data(), rows, cols, out.q.data(), out.scales.data());
  dequantize_rows_i8(out.q.data(), out.scales.data(), rows, cols, out.dequantized.data());
  return out;
}

// The references against double on W', and (SIMD build) the packed kernels against the references.
void check_products(std::size_t m, std::size_t n, std::size_t k, Random& random) {
  const auto a = random_vector(m * k, random), w = random_vector(n * k, random), bias = random_vector(n, random);
  const Quantized wq = quantized(w, n, k);
  for (const float* b : {static_cast<const float*>(nullptr), bias.data()}) {
    std::vector<float> c(m * n, kNaN);
    gemm_i8_scalar(a.data(), wq.q.data(), wq.scales.data(), b, c.data(), m, n, k);
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        const double exact = dot_double(a.data() + i * k, wq.dequantized.data() + j * k, k) + (b ? b[j] : 0.0);
        CHECK_CLOSE(c[i * n + j], exact, sum_tolerance(k), 0);
      }
    std::vector<float> y(n, kNaN);
    if (m >= 1) {
      gemv_i8_scalar(wq.q.data(), wq.scales.data(), b, a.data(), y.data(), n, k);
      for (std::size_t j = 0; j < n; ++j) CHECK_CLOSE(y[j], c[j], sum_tolerance(k), 1e-5);
    }
#ifdef RNN_HAVE_WASM_SIMD
    const PackedInt8 packed = pack_int8(wq.q.data(), wq.scales.data(), b, n, k);
    std::vector<float> cs(m * n + 1, kNaN);  // one past the end: must stay untouched
    gemm_packed_i8_wasm_simd(a.data(), packed, cs.data(), m);
    for (std::size_t i = 0; i < m * n; ++i) CHECK_CLOSE(cs[i], c[i], sum_tolerance(k), 1e-5);
    CHECK(std::isnan(cs[m * n]));
    std::vector<float> blocks(m * n + 1, kNaN);  // the allocating variant: the same bits
    gemm_packed_i8_by_blocks_wasm_simd(a.data(), packed, blocks.data(), m);
    CHECK(std::memcmp(blocks.data(), cs.data(), m * n * sizeof(float)) == 0);
    CHECK(std::isnan(blocks[m * n]));
    if (m >= 1) {
      std::vector<float> ys(n + 1, kNaN), parts(n + 1, kNaN);
      gemv_packed_i8_wasm_simd(packed, a.data(), ys.data());
      for (std::size_t j = 0; j < n; ++j) CHECK_CLOSE(ys[j], y[j], sum_tolerance(k), 1e-5);
      CHECK(std::isnan(ys[n]));
      // A row of the matrix-matrix product has the matrix-vector product's bits.
      CHECK(std::memcmp(ys.data(), cs.data(), n * sizeof(float)) == 0);
      // Row ranges, 8 rows at a time: the whole product's bits.
      for (std::size_t first = 0; first < n; first += kPanel)
        gemv_packed_rows_i8_wasm_simd(packed, a.data(), parts.data(), first, std::min(n, first + kPanel));
      CHECK(std::memcmp(ys.data(), parts.data(), n * sizeof(float)) == 0);
      CHECK(std::isnan(parts[n]));
    }
#endif
  }
}

}  // namespace

TEST_CASE("int8: scale max|w|/127 per row, q = round(w / scale) ties to even, |w - w'| <= scale / 2") {
  Random random(31);
  const std::size_t rows = 9, cols = 13;
  auto w = random_vector(rows * cols, random, 3.f);
  for (std::size_t j = 0; j < cols; ++j) w[4 * cols + j] = 0.f;  // a row of zeros: scale 1, q 0
  w[2 * cols + 5] = -7.f;                                          // the row's largest is negative
  const Quantized wq = quantized(w, rows, cols);
  for (std::size_t i = 0; i < rows; ++i) {
    float largest = 0.f;
    for (std::size_t j = 0; j < cols; ++j) largest = std::max(largest, std::fabs(w[i * cols + j]));
    CHECK(wq.scales[i] == (i == 4 ? 1.f : largest / 127.f));
    for (std::size_t j = 0; j < cols; ++j) {
      const std::size_t at = i * cols + j;
      CHECK(wq.q[at] >= -127 && wq.q[at] <= 127);
      CHECK(std::fabs(w[at] - wq.dequantized[at]) <= wq.scales[i] * 0.5f * (1 + 1e-6f));
      CHECK(wq.dequantized[at] == float(wq.q[at]) * wq.scales[i]);
    }
  }
  CHECK(wq.q[2 * cols + 5] == -127);
  // Ties go to even, as torch.round: 0.5 -> 0, 1.5 -> 2, -2.5 -> -2 (the scale is 1 here).
  const std::vector<float> ties = {127.f, 0.5f, 1.5f, -2.5f};
  const Quantized tq = quantized(ties, 1, 4);
  CHECK(tq.scales[0] == 1.f);
  CHECK(tq.q == std::vector<std::int8_t>({127, 0, 2, -2}));
}

TEST_CASE("int8: pack and unpack give back q and the scales, for every row count 0..20") {
  Random random(32);
  for (std::size_t rows = 0; rows <= 20; ++rows) {
    const std::size_t cols = 7;
    const Quantized wq = quantized(random_vector(rows * cols, random), rows, cols);
    const PackedInt8 packed = pack_int8(wq.q.data(), wq.scales.data(), nullptr, rows, cols);
    std::vector<std::int8_t> q(rows * cols);
    std::vector<float> scales(rows);
    unpack_int8(packed, q.data(), scales.data());
    CHECK(q == wq.q);
    CHECK(scales == wq.scales);
  }
}

TEST_CASE("int8 gemv: every length 0..67 of inputs and outputs") {
  Random random(33);
  for (std::size_t n = 0; n <= 67; ++n)
    for (std::size_t k : {0, 1, 3, 4, 5, 8, 9, 67}) {
      check_products(1, n, k, random);
      check_products(1, k, n, random);
    }
}

TEST_CASE("int8 gemm: every length 0..67 of k and n, odd shapes") {
  Random random(34);
  for (std::size_t k = 0; k <= 67; ++k)
    for (std::size_t m : {0, 2, 3, 4, 5, 9}) check_products(m, 7, k, random);
  for (std::size_t n = 0; n <= 67; ++n)
    for (std::size_t m : {2, 7}) check_products(m, n, 13, random);
  check_products(33, 96, 67, random);
}
