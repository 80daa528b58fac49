// int8 weights (kernels/int8.h): the quantization scheme, the scalar reference against double
// on the dequantized weights, and (SIMD build) the packed SIMD kernels against the reference,
// bit for bit, for every length 0..67, odd shapes, row ranges, inputs longer than a chunk, of
// any magnitude, and those that take the float32 path.
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

// Bitwise equality of float results (NaN payloads aside: any NaN equals any NaN).
bool same_bits(const float* a, const float* b, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (!(std::isnan(a[i]) && std::isnan(b[i])) && std::memcmp(a + i, b + i, sizeof(float)) != 0) return false;
  return true;
}

// The reference against double on W', and (SIMD build) the packed kernels against the
// reference, bit for bit: whole products, single rows, and row ranges of 8.
void check_products(const std::vector<float>& a, std::size_t m, std::size_t n, std::size_t k, Random& random) {
  const auto w = random_vector(n * k, random), bias = random_vector(n, random);
  const Quantized wq = quantized(w, n, k);
  for (const float* b : {static_cast<const float*>(nullptr), bias.data()}) {
    std::vector<float> c(m * n, kNaN);
    gemm_i8_scalar(a.data(), wq.q.data(), wq.scales.data(), b, c.data(), m, n, k);
    for (std::size_t i = 0; i < m; ++i) {
      double largest = 0;
      for (std::size_t p = 0; p < k; ++p) largest = std::max(largest, std::fabs(double(a[i * k + p])));
      for (std::size_t j = 0; j < n; ++j) {
        const float* x = a.data() + i * k;
        const float* wj = wq.dequantized.data() + j * k;
        double magnitude = 0, weights = 0;  // sum |W'x| and sum |W'|
        for (std::size_t p = 0; p < k; ++p) magnitude += std::fabs(double(wj[p]) * x[p]), weights += std::fabs(wj[p]);
        const double exact = dot_double(x, wj, k) + (b ? b[j] : 0.0);
        // float32's rounding of the sums, and the input's parts, off by at most max|x| / 2^29.
        CHECK_CLOSE(c[i * n + j], exact, 1e-6 * (1 + magnitude) + largest * weights * 0x1p-29, 0);
      }
    }
    // Row ranges, 8 rows at a time (the baseline build's Affine::apply_rows): the same bits.
    if (m >= 1) {
      std::vector<float> parts(n, kNaN);
      for (std::size_t first = 0; first < n; first += kPanel) {
        const std::size_t rows = std::min(kPanel, n - first);
        gemv_i8_scalar(wq.q.data() + first * k, wq.scales.data() + first, b ? b + first : nullptr, a.data(),
                       parts.data() + first, rows, k);
      }
      CHECK(same_bits(parts.data(), c.data(), n));
    }
#ifdef RNN_HAVE_WASM_SIMD
    const PackedInt8 packed = pack_int8(wq.q.data(), wq.scales.data(), b, n, k);
    std::vector<float> cs(m * n + 1, kNaN);  // one past the end: must stay untouched
    cs[m * n] = 7.f;
    gemm_packed_i8_wasm_simd(a.data(), packed, cs.data(), m);
    CHECK(same_bits(cs.data(), c.data(), m * n));
    CHECK(cs[m * n] == 7.f);
    for (std::size_t i = 0; i < m; ++i) {
      std::vector<float> ys(n + 1, 7.f), parts(n + 1, 7.f);
      gemv_packed_i8_wasm_simd(packed, a.data() + i * k, ys.data());
      CHECK(same_bits(ys.data(), c.data() + i * n, n));
      CHECK(ys[n] == 7.f);
      for (std::size_t first = 0; first < n; first += kPanel)
        gemv_packed_rows_i8_wasm_simd(packed, a.data() + i * k, parts.data(), first, std::min(n, first + kPanel));
      CHECK(same_bits(parts.data(), c.data() + i * n, n));
      CHECK(parts[n] == 7.f);
    }
#endif
  }
}

void check_products(std::size_t m, std::size_t n, std::size_t k, Random& random) {
  check_products(random_vector(m * k, random), m, n, k, random);
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

TEST_CASE("int8 products: inputs longer than a chunk (512), and of magnitudes 1e-25 to 1e25") {
  Random random(35);
  check_products(3, 19, 1100, random);
  check_products(5, 16, 1024, random);
  for (const float magnitude : {1e-25f, 1e-3f, 1e3f, 1e25f}) {
    auto a = random_vector(3 * 41, random, magnitude);
    a[41 + 7] = magnitude * 50.f;  // a row with one large value: the others keep max|x| / 2^29
    check_products(a, 3, 21, 41, random);
  }
}

TEST_CASE("int8 products: an input that is not finite, or whose largest is outside [2^-90, 2^90], takes the float32 path") {
  Random random(36);
  const std::size_t m = 6, k = 37;
  auto a = random_vector(m * k, random);
  a[0 * k + 3] = kNaN;
  a[1 * k + 5] = std::numeric_limits<float>::infinity();
  for (std::size_t p = 0; p < k; ++p) a[2 * k + p] *= 1e-30f;  // below 2^-90 (8e-28)
  for (std::size_t p = 0; p < k; ++p) a[3 * k + p] *= 1e30f;   // above 2^90 (1.2e27)
  for (std::size_t p = 0; p < k; ++p) a[4 * k + p] = 0.f;      // zeros: the int16 path, step 1
  CHECK(std::isnan(a[0 * k + 3]) && int8_input_step(a.data(), k) == 0.f);
  CHECK(int8_input_step(a.data() + 1 * k, k) == 0.f);
  CHECK(int8_input_step(a.data() + 2 * k, k) == 0.f);
  CHECK(int8_input_step(a.data() + 3 * k, k) == 0.f);
  CHECK(int8_input_step(a.data() + 4 * k, k) == 1.f);
  CHECK(int8_input_step(a.data() + 5 * k, k) > 0.f);
  const std::size_t n = 13;
  const auto w = random_vector(n * k, random), bias = random_vector(n, random);
  const Quantized wq = quantized(w, n, k);
  std::vector<float> c(m * n);
  gemm_i8_scalar(a.data(), wq.q.data(), wq.scales.data(), bias.data(), c.data(), m, n, k);
  for (std::size_t j = 0; j < n; ++j) {
    CHECK(std::isnan(c[j]));                // NaN
    CHECK(!std::isfinite(c[n + j]));        // inf times a nonzero weight
    CHECK(c[4 * n + j] == bias[j]);         // zeros
    for (const std::size_t i : {std::size_t(2), std::size_t(3)}) {  // float32 on W', column order
      float sum = 0.f;
      for (std::size_t p = 0; p < k; ++p) sum += float(wq.q[j * k + p]) * wq.scales[j] * a[i * k + p];
      CHECK(std::memcmp(&c[i * n + j], &(sum += bias[j]), sizeof(float)) == 0);
    }
  }
  check_products(a, m, n, k, random);  // the SIMD kernels: the same bits
}

TEST_CASE("int8 input parts: |hi|, |lo| <= 2^14 and x = (hi + lo / 2^15) * step within step / 2^16") {
  Random random(37);
  for (const float magnitude : {0x1p-89f, 1e-3f, 1.f, 16384.f, 0x1p89f}) {
    auto x = random_vector(65, random, magnitude);
    x[9] = magnitude;  // the largest is a power of two: max|x| / step = 2^13 exactly
    x[10] = -std::nextafter(magnitude * 2.f, 0.f);  // just below the next power of two
    const float step = int8_input_step(x.data(), x.size());
    CHECK(step > 0.f);
    if (!(step > 0.f)) continue;
    std::vector<std::int16_t> hi(66, 99), lo(66, 99);
    split_input_i16(x.data(), x.size(), step, hi.data(), lo.data());
    CHECK(hi[65] == 0);
    CHECK(lo[65] == 0);
    for (std::size_t j = 0; j < x.size(); ++j) {
      CHECK(std::abs(hi[j]) <= 16384);
      CHECK(std::abs(lo[j]) <= 16384);
      const double back = (double(hi[j]) + double(lo[j]) / 32768.0) * step;
      CHECK(std::fabs(back - x[j]) <= step / 65536.0);
    }
  }
}
