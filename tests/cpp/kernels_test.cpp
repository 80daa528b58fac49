// Kernels against references. Natively: each scalar kernel against a double-precision
// formula. In the SIMD wasm build (run by Node under CTest) also: each SIMD kernel against its
// scalar reference, for every length 0..67, odd shapes, and edge values (±0, ±large, ±inf, NaN).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdint>
#include <limits>
#include <vector>

#include "check.h"
#include "products.h"
#include "random_tensor.h"
#include "kernels/activations.h"
#include "kernels/affine.h"
#include "kernels/gru_gates.h"
#include "kernels/lstm_gates.h"
#include "kernels/gemm.h"
#include "kernels/gemv.h"
#include "kernels/packed.h"
#include "kernels/sigmoid.h"
#include "kernels/tanh.h"
#include "tensor/random.h"

using namespace rnn;
using namespace rnn::kernels;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Random values with edge values sprinkled in: ±0, ±1e18 (products stay finite), NaN.
std::vector<float> edgy_vector(std::size_t n, Random& random) {
  std::vector<float> v = random_vector(n, random);
  const float edges[] = {0.f, -0.f, 1e18f, -1e18f, kNaN};
  for (std::size_t i = 0; i < n; i += 7) v[i] = edges[(i / 7) % 5];
  return v;
}

// gemv and gemm (the scalar references) against double, and (SIMD build) the packed SIMD
// kernels against the references, with and without bias.
void check_gemm(std::size_t m, std::size_t n, std::size_t k, Random& random) {
  const auto a = random_vector(m * k, random), w = random_vector(n * k, random), bias = random_vector(n, random);
  for (const float* b : {static_cast<const float*>(nullptr), bias.data()}) {
    std::vector<float> c(m * n, kNaN);
    gemm_f32_scalar(a.data(), w.data(), b, c.data(), m, n, k);
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j)
        CHECK_CLOSE(c[i * n + j], dot_double(a.data() + i * k, w.data() + j * k, k) + (b ? b[j] : 0.0), sum_tolerance(k), 0);
    if (m == 1) {
      std::vector<float> y(n, kNaN);
      gemv_f32_scalar(w.data(), b, a.data(), y.data(), n, k);
      for (std::size_t j = 0; j < n; ++j) CHECK(y[j] == c[j]);
    }
#ifdef RNN_HAVE_WASM_SIMD
    for (std::size_t panel : {kPanel, kWidePanel}) {
      if (n % panel) continue;  // 16-row panels are for a multiple of 16 rows (panel_rows_for)
      const PackedWeights packed = pack_weights(w.data(), b, n, k, panel);
      std::vector<float> cs(m * n + 1, kNaN);  // one past the end: must stay untouched
      gemm_packed_f32_wasm_simd(a.data(), packed, cs.data(), m);
      for (std::size_t i = 0; i < m * n; ++i) CHECK_CLOSE(cs[i], c[i], sum_tolerance(k), 1e-5);
      CHECK(std::isnan(cs[m * n]));
      if (m == 1) {
        std::vector<float> ys(n + 1, kNaN);
        gemv_packed_f32_wasm_simd(packed, a.data(), ys.data());
        for (std::size_t j = 0; j < n; ++j) CHECK_CLOSE(ys[j], c[j], sum_tolerance(k), 1e-5);
        CHECK(std::isnan(ys[n]));
      }
    }
#endif
  }
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

TEST_CASE("packed weights start on a cache line, whatever their size") {
  // Emscripten's malloc places large blocks 8 bytes past a 16-byte boundary; weights there made
  // a quarter of the kernels' v128 loads straddle two cache lines.
  for (std::size_t rows : {1, 8, 33, 1024})
    for (std::size_t cols : {1, 7, 256, 257}) {
      const std::vector<float> w(rows * cols, 0.5f), bias(rows, 0.25f);
      const PackedWeights packed = pack_weights(w.data(), bias.data(), rows, cols, panel_rows_for(rows, cols));
      CHECK(reinterpret_cast<std::uintptr_t>(packed.panels.data()) % 64 == 0);
      CHECK(reinterpret_cast<std::uintptr_t>(packed.bias.data()) % 64 == 0);
      const PackedWeights copy = packed;  // copies keep the alignment (and the values)
      CHECK(reinterpret_cast<std::uintptr_t>(copy.panels.data()) % 64 == 0);
      CHECK(copy.panels == packed.panels);
    }
}

TEST_CASE("gemv: every length 0..67 of inputs and outputs") {
  Random random(1);
  for (std::size_t n = 0; n <= 67; ++n)
    for (std::size_t k : {0, 1, 3, 4, 5, 8, 9, 67}) {
      check_gemm(1, n, k, random);
      check_gemm(1, k, n, random);
    }
}

TEST_CASE("gemm: every length 0..67 of k and n, odd shapes") {
  Random random(2);
  for (std::size_t k = 0; k <= 67; ++k)
    for (std::size_t m : {0, 2, 3, 4, 5, 8, 9}) check_gemm(m, 7, k, random);
  for (std::size_t n = 0; n <= 67; ++n)
    for (std::size_t m : {2, 4, 7}) check_gemm(m, n, 13, random);
  check_gemm(33, 65, 67, random);
  check_gemm(33, 96, 67, random);
}

TEST_CASE("panel height: 16 rows for a multiple of 64 rows and up to 512 columns, else 8") {
  CHECK(panel_rows_for(1024, 256) == kWidePanel);
  CHECK(panel_rows_for(768, 256) == kWidePanel);
  CHECK(panel_rows_for(2048, 256) == kWidePanel);
  CHECK(panel_rows_for(2048, 512) == kWidePanel);  // 4 MB: past L2, two streams still
  CHECK(panel_rows_for(1024, 257) == kWidePanel);
  CHECK(panel_rows_for(64, 1) == kWidePanel);
  CHECK(panel_rows_for(192, 512) == kWidePanel);  // an LSTM of hidden 48: units in 16s
  CHECK(panel_rows_for(4096, 64) == kWidePanel);
  CHECK(panel_rows_for(1024, 513) == kPanel);  // past 512 columns
  CHECK(panel_rows_for(2048, 1024) == kPanel);
  CHECK(panel_rows_for(4000, 256) == kPanel);  // an LSTM of hidden 1000: units in 8s, not 16s
  CHECK(panel_rows_for(800, 8) == kPanel);     // hidden 200
  CHECK(panel_rows_for(96, 1) == kPanel);
  CHECK(panel_rows_for(8, 8) == kPanel);
}

TEST_CASE("gemv and gemm: edge values agree with the scalar reference") {
  Random random(3);
  for (std::size_t k : {1, 4, 7, 8, 15, 16, 33, 67}) {
    for (std::size_t n : {9, 48}) {  // 9: 8-row panels and a tail; 48: 16-row panels, two and one
      const std::size_t m = 5;
      const auto w = edgy_vector(n * k, random), a = edgy_vector(m * k, random), bias = edgy_vector(n, random);
      std::vector<float> c(m * n);
      gemm_f32_scalar(a.data(), w.data(), bias.data(), c.data(), m, n, k);
      std::vector<float> y(n);
      gemv_f32_scalar(w.data(), bias.data(), a.data(), y.data(), n, k);
      for (std::size_t j = 0; j < n; ++j) CHECK_CLOSE(c[j], y[j], 0, 1e-6);  // same order, same result
#ifdef RNN_HAVE_WASM_SIMD
      const PackedWeights packed = pack_weights(w.data(), bias.data(), n, k, n % kWidePanel ? kPanel : kWidePanel);
      std::vector<float> cs(m * n), ys(n);
      gemm_packed_f32_wasm_simd(a.data(), packed, cs.data(), m);
      gemv_packed_f32_wasm_simd(packed, a.data(), ys.data());
      // Sums of terms up to 1e36 in another order: compare relative to the largest term.
      for (std::size_t i = 0; i < m * n; ++i) CHECK_CLOSE(cs[i], c[i], 1e36 * 1e-6 * k, 1e-5);
      for (std::size_t j = 0; j < n; ++j) CHECK_CLOSE(ys[j], y[j], 1e36 * 1e-6 * k, 1e-5);
#endif
    }
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

// The fused gate kernels: the scalar reference against a double transcription of the
// equations, the SIMD kernel against the reference, every hidden size 1..67, batch 1 and 3.
TEST_CASE("lstm_gates and gru_gates: every hidden size 1..67, saturated gates too") {
  Random random(5);
  auto sig = [](double x) { return 1.0 / (1.0 + std::exp(-x)); };
  for (std::size_t hidden = 1; hidden <= 67; ++hidden)
    for (std::size_t batch : {1, 3}) {
      const float scale = hidden % 5 == 0 ? 40.f : 3.f;  // some sizes deep in saturation
      const auto gi = random_vector(batch * 4 * hidden, random, scale), gh = random_vector(batch * 4 * hidden, random, scale);
      const auto c0 = random_vector(batch * hidden, random, 2.f);
      std::vector<float> c = c0, h(batch * hidden);
      lstm_gates_f32_scalar(gi.data(), gh.data(), c.data(), h.data(), batch, hidden);
      for (std::size_t b = 0; b < batch; ++b)
        for (std::size_t j = 0; j < hidden; ++j) {
          auto gate = [&](std::size_t g) { return double(gi[(b * 4 + g) * hidden + j]) + gh[(b * 4 + g) * hidden + j]; };
          const double cell = sig(gate(1)) * c0[b * hidden + j] + sig(gate(0)) * std::tanh(gate(2));
          CHECK_CLOSE(c[b * hidden + j], cell, 1e-5, 1e-5);
          CHECK_CLOSE(h[b * hidden + j], sig(gate(3)) * std::tanh(cell), 1e-5, 1e-5);
        }
      const auto g3i = random_vector(batch * 3 * hidden, random, scale), g3h = random_vector(batch * 3 * hidden, random, scale);
      const auto hprev = random_vector(batch * hidden, random);
      std::vector<float> hg(batch * hidden);
      gru_gates_f32_scalar(g3i.data(), g3h.data(), hprev.data(), hg.data(), batch, hidden);
      for (std::size_t b = 0; b < batch; ++b)
        for (std::size_t j = 0; j < hidden; ++j) {
          auto at = [&](const std::vector<float>& v, std::size_t g) { return double(v[(b * 3 + g) * hidden + j]); };
          const double r = sig(at(g3i, 0) + at(g3h, 0)), z = sig(at(g3i, 1) + at(g3h, 1));
          const double n = std::tanh(at(g3i, 2) + r * at(g3h, 2));
          CHECK_CLOSE(hg[b * hidden + j], (1 - z) * n + z * hprev[b * hidden + j], 1e-5, 1e-5);
        }
#ifdef RNN_HAVE_WASM_SIMD
      std::vector<float> cs = c0, hs(batch * hidden);
      lstm_gates_f32_wasm_simd(gi.data(), gh.data(), cs.data(), hs.data(), batch, hidden);
      for (std::size_t i = 0; i < batch * hidden; ++i) {
        CHECK_CLOSE(cs[i], c[i], 2e-6, 1e-6);
        CHECK_CLOSE(hs[i], h[i], 2e-6, 1e-6);
      }
      std::vector<float> hgs = hprev;  // in place: h_out aliases h
      gru_gates_f32_wasm_simd(g3i.data(), g3h.data(), hgs.data(), hgs.data(), batch, hidden);
      for (std::size_t i = 0; i < batch * hidden; ++i) CHECK_CLOSE(hgs[i], hg[i], 2e-6, 1e-6);
#endif
    }
}

TEST_CASE("gate kernels propagate NaN") {
  const float nan4[4] = {kNaN, 0.f, 0.f, 0.f}, zero4[4] = {0.f, 0.f, 0.f, 0.f};
  float c[1] = {0.f}, h[1];
  lstm_gates_f32(nan4, zero4, c, h, 1, 1);
  CHECK(std::isnan(c[0]) && std::isnan(h[0]));
  const float nan3[3] = {0.f, 0.f, kNaN}, zero3[3] = {0.f, 0.f, 0.f}, hp[1] = {0.5f};
  gru_gates_f32(nan3, zero3, hp, h, 1, 1);
  CHECK(std::isnan(h[0]));
}

// A thread's share of a batch-1 step (cells/parallel_scan.cpp): rows of the matrix-vector product
// and units of the gate math, each the bits of the whole.
TEST_CASE("apply_rows and the gate kernels' unit ranges give the whole product's and gates' bits") {
  Random random(21);
  for (std::size_t hidden : {8u, 32u, 64u, 96u}) {
    for (std::size_t gates : {1u, 3u, 4u}) {
      const std::size_t rows = gates * hidden, cols = 40;
      const auto w = random_vector(rows * cols, random), b = random_vector(rows, random), x = random_vector(cols, random);
      kernels::Affine affine;
      affine.prepare(w.data(), b.data(), rows, cols);
      std::vector<float> whole(rows), parts(rows, -1.f);
      affine.apply(x.data(), 1, whole.data());
      const std::size_t grain = affine.row_grain();
      for (std::size_t first = 0; first < rows; first += grain) affine.apply_rows(x.data(), parts.data(), first, std::min(rows, first + grain));
      CHECK(std::memcmp(whole.data(), parts.data(), rows * sizeof(float)) == 0);
    }
    const auto gi = random_vector(4 * hidden, random, 4.f), gh = random_vector(4 * hidden, random, 4.f);
    const auto c0 = random_vector(hidden, random), h0 = random_vector(hidden, random);
    std::vector<float> c_whole = c0, h_whole(hidden), c_units = c0, h_units(hidden);
    kernels::lstm_gates_f32(gi.data(), gh.data(), c_whole.data(), h_whole.data(), 1, hidden);
    for (std::size_t first = 0; first < hidden; first += 5)
      kernels::lstm_gates_units_f32(gi.data(), gh.data(), c_units.data(), h_units.data(), hidden, first, std::min(hidden, first + 5));
    CHECK(std::memcmp(c_whole.data(), c_units.data(), hidden * sizeof(float)) == 0);
    CHECK(std::memcmp(h_whole.data(), h_units.data(), hidden * sizeof(float)) == 0);
    std::vector<float> g_whole(hidden), g_units(hidden);
    kernels::gru_gates_f32(gi.data(), gh.data(), h0.data(), g_whole.data(), 1, hidden);
    for (std::size_t first = 0; first < hidden; first += 7)
      kernels::gru_gates_units_f32(gi.data(), gh.data(), h0.data(), g_units.data(), hidden, first, std::min(hidden, first + 7));
    CHECK(std::memcmp(g_whole.data(), g_units.data(), hidden * sizeof(float)) == 0);
#ifdef RNN_HAVE_WASM_SIMD
    // And the SIMD unit ranges against the scalar reference's, within the gates' tolerance.
    std::vector<float> c_ref = c0, h_ref(hidden);
    kernels::lstm_gates_units_f32_scalar(gi.data(), gh.data(), c_ref.data(), h_ref.data(), hidden, 0, hidden);
    for (std::size_t j = 0; j < hidden; ++j) CHECK_CLOSE(h_units[j], h_ref[j], 2e-6, 1e-5);
#endif
  }
}
