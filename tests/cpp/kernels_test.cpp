// Kernels against references. Natively: each scalar kernel against a double-precision
// formula. In the SIMD wasm build (run by Node under CTest) also: each SIMD kernel against its
// scalar reference, for every length 0..67, odd shapes, and edge values (±0, ±large, ±inf, NaN).
#include <cmath>
#include <limits>
#include <vector>

#include "check.h"
#include "kernels/activations.h"
#include "kernels/gemm.h"
#include "kernels/gemv.h"
#include "kernels/sigmoid.h"
#include "kernels/tanh.h"
#include "tensor/random.h"

using namespace rnn;
using namespace rnn::kernels;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::vector<float> random_vector(std::size_t n, Random& random, float bound = 1.f) {
  std::vector<float> v(n);
  for (auto& x : v) x = random.uniform(-bound, bound);
  return v;
}

// Random values with edge values sprinkled in: ±0, ±1e18 (products stay finite), NaN.
std::vector<float> edgy_vector(std::size_t n, Random& random) {
  std::vector<float> v = random_vector(n, random);
  const float edges[] = {0.f, -0.f, 1e18f, -1e18f, kNaN};
  for (std::size_t i = 0; i < n; i += 7) v[i] = edges[(i / 7) % 5];
  return v;
}

double dot_double(const float* a, const float* b, std::size_t n) {
  double s = 0;
  for (std::size_t j = 0; j < n; ++j) s += double(a[j]) * double(b[j]);
  return s;
}

// Tolerance for a float32 sum of n products of magnitude <= 1: rounding grows with n.
double sum_tolerance(std::size_t n) { return 1e-6 * (1.0 + double(n)); }

void check_gemv(std::size_t m, std::size_t n, Random& random) {
  const auto a = random_vector(m * n, random), x = random_vector(n, random);
  std::vector<float> y(m, kNaN);
  gemv_f32_scalar(a.data(), x.data(), y.data(), m, n);
  for (std::size_t i = 0; i < m; ++i) CHECK_CLOSE(y[i], dot_double(&a[i * n], x.data(), n), sum_tolerance(n), 0);
#ifdef RNN_HAVE_WASM_SIMD
  std::vector<float> ys(m, kNaN);
  gemv_f32_wasm_simd(a.data(), x.data(), ys.data(), m, n);
  for (std::size_t i = 0; i < m; ++i) CHECK_CLOSE(ys[i], y[i], sum_tolerance(n), 1e-5);
#endif
}

void check_gemm(std::size_t m, std::size_t n, std::size_t k, Random& random) {
  const auto a = random_vector(m * k, random), b = random_vector(n * k, random);
  std::vector<float> c(m * n, kNaN);
  gemm_f32_scalar(a.data(), b.data(), c.data(), m, n, k);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j)
      CHECK_CLOSE(c[i * n + j], dot_double(&a[i * k], &b[j * k], k), sum_tolerance(k), 0);
#ifdef RNN_HAVE_WASM_SIMD
  std::vector<float> cs(m * n, kNaN);
  gemm_f32_wasm_simd(a.data(), b.data(), cs.data(), m, n, k);
  for (std::size_t i = 0; i < m * n; ++i) CHECK_CLOSE(cs[i], c[i], sum_tolerance(k), 1e-5);
#endif
}

using Unary = void (*)(const float*, float*, std::size_t);

// The scalar kernel within 1e-6 of `exact`, and (SIMD build) the SIMD kernel within 1e-6 of
// both, on x; NaN must stay NaN.
void check_unary(Unary scalar, Unary simd, double (*exact)(double), const std::vector<float>& x) {
  std::vector<float> y(x.size(), 42.f);
  scalar(x.data(), y.data(), x.size());
  for (std::size_t i = 0; i < x.size(); ++i) CHECK_CLOSE(y[i], exact(x[i]), 1e-6, 0);
  if (simd) {
    std::vector<float> ys(x.size(), 42.f);
    simd(x.data(), ys.data(), x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      CHECK_CLOSE(ys[i], y[i], 1e-6, 0);
      CHECK_CLOSE(ys[i], exact(x[i]), 1e-6, 0);
    }
  }
}

double sigmoid_exact(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double tanh_exact(double x) { return std::tanh(x); }

#ifdef RNN_HAVE_WASM_SIMD
constexpr Unary kSigmoidSimd = sigmoid_f32_wasm_simd;
constexpr Unary kTanhSimd = tanh_f32_wasm_simd;
#else
constexpr Unary kSigmoidSimd = nullptr;
constexpr Unary kTanhSimd = nullptr;
#endif

std::vector<float> activation_inputs() {
  std::vector<float> x;
  for (int i = -40000; i <= 40000; ++i) x.push_back(float(i) * 0.001f);  // [-40, 40] finely
  const float edges[] = {0.f, -0.f, 1e-40f, -1e-40f, 1e-8f, -1e-8f, 0.0999f, 0.1f, 0.1001f,
                         87.f, -87.f, 89.f, -89.f, 1e30f, -1e30f, kInf, -kInf, kNaN};
  x.insert(x.end(), std::begin(edges), std::end(edges));
  return x;
}

}  // namespace

TEST_CASE("gemv: every length 0..67, odd shapes") {
  Random random(1);
  for (std::size_t n = 0; n <= 67; ++n)
    for (std::size_t m : {0, 1, 2, 3, 4, 5, 7, 9, 67}) check_gemv(m, n, random);
}

TEST_CASE("gemm: every length 0..67 of k and n, odd shapes") {
  Random random(2);
  for (std::size_t k = 0; k <= 67; ++k)
    for (std::size_t m : {0, 1, 2, 3, 5}) check_gemm(m, 7, k, random);
  for (std::size_t n = 0; n <= 67; ++n)
    for (std::size_t m : {1, 2, 3, 4}) check_gemm(m, n, 13, random);
  check_gemm(33, 65, 67, random);
}

TEST_CASE("gemv and gemm: edge values agree with the scalar reference") {
  Random random(3);
  for (std::size_t n : {1, 4, 7, 8, 15, 16, 33, 67}) {
    const std::size_t m = 9;
    const auto a = edgy_vector(m * n, random), x = edgy_vector(n, random);
    std::vector<float> y(m), c(2 * m);
    gemv_f32_scalar(a.data(), x.data(), y.data(), m, n);
    std::vector<float> xx = x;
    xx.insert(xx.end(), x.begin(), x.end());  // two identical rows of A for gemm
    gemm_f32_scalar(xx.data(), a.data(), c.data(), 2, m, n);
    for (std::size_t i = 0; i < m; ++i) {
      CHECK_CLOSE(c[i], y[i], 0, 1e-6);
      CHECK_CLOSE(c[m + i], y[i], 0, 1e-6);
    }
#ifdef RNN_HAVE_WASM_SIMD
    std::vector<float> ys(m), cs(2 * m);
    gemv_f32_wasm_simd(a.data(), x.data(), ys.data(), m, n);
    gemm_f32_wasm_simd(xx.data(), a.data(), cs.data(), 2, m, n);
    for (std::size_t i = 0; i < m; ++i) {
      // Sums of terms up to 1e36 in another order: compare relative to the largest term.
      CHECK_CLOSE(ys[i], y[i], 1e36 * 1e-6 * n, 1e-5);
      CHECK_CLOSE(cs[i], y[i], 1e36 * 1e-6 * n, 1e-5);
      CHECK_CLOSE(cs[m + i], y[i], 1e36 * 1e-6 * n, 1e-5);
    }
#endif
  }
}

TEST_CASE("sigmoid: within 1e-6 of double over [-40, 40] and edge values") {
  check_unary(sigmoid_f32_scalar, kSigmoidSimd, sigmoid_exact, activation_inputs());
}

TEST_CASE("tanh: within 1e-6 of double over [-40, 40] and edge values, -0 stays -0") {
  check_unary(tanh_f32_scalar, kTanhSimd, tanh_exact, activation_inputs());
  float zero[1] = {-0.f}, out[1];
  tanh_f32(zero, out, 1);
  CHECK(out[0] == 0.f && std::signbit(out[0]));
}

TEST_CASE("sigmoid and tanh: every length 0..67, in place") {
  Random random(4);
  for (std::size_t n = 0; n <= 67; ++n) {
    const auto x = random_vector(n, random, 12.f);
    check_unary(sigmoid_f32_scalar, kSigmoidSimd, sigmoid_exact, x);
    check_unary(tanh_f32_scalar, kTanhSimd, tanh_exact, x);
    std::vector<float> inplace = x, copy(n);
    sigmoid_f32(inplace.data(), inplace.data(), n);
    sigmoid_f32(x.data(), copy.data(), n);
    for (std::size_t i = 0; i < n; ++i) CHECK(inplace[i] == copy[i]);
  }
}

TEST_CASE("relu keeps NaN and zeroes negatives") {
  const float x[] = {-1.f, 0.f, 2.5f, kNaN, -kInf, kInf};
  float y[6];
  relu_f32(x, y, 6);
  CHECK(y[0] == 0.f && y[1] == 0.f && y[2] == 2.5f && std::isnan(y[3]) && y[4] == 0.f && y[5] == kInf);
}
