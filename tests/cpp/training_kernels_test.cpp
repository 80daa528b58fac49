// The training kernels (backward passes, optimizer steps) against references. Natively: each scalar kernel against a double
// transcription of its formula. In the SIMD wasm build also: each SIMD kernel against its
// scalar reference, every size 0..67 (and 1..67 hidden units), odd shapes, edge values. The
// backward kernels sum in the reference's order, so most SIMD results are bitwise equal.
#include <cmath>
#include <limits>
#include <vector>

#include "check.h"
#include "random_tensor.h"
#include "kernels/activations.h"
#include "kernels/affine.h"
#include "kernels/exp.h"
#include "kernels/gemm.h"
#include "kernels/gru_gates.h"
#include "kernels/lstm_gates.h"
#include "kernels/optimizer_steps.h"
#include "kernels/packed.h"
#include "tensor/random.h"

using namespace rnn;
using namespace rnn::kernels;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

double sum_tolerance(std::size_t n) { return 1e-6 * (1.0 + double(n)); }

// gemm_nn (A B) and gemm_tn (Aᵀ B) against double; the SIMD paths (A B through pack_columns
// and the packed kernels, as Affine::apply_backward runs it; gemm_tn) against the references.
void check_backward_products(std::size_t m, std::size_t n, std::size_t k, Random& random) {
  const auto a = random_vector(m * k, random), b = random_vector(k * n, random), c0 = random_vector(m * n, random);
  for (bool accumulate : {false, true}) {
    std::vector<float> c = c0;
    gemm_nn_f32_scalar(a.data(), b.data(), c.data(), m, n, k, accumulate);
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        double sum = accumulate ? c0[i * n + j] : 0.0;
        for (std::size_t p = 0; p < k; ++p) sum += double(a[i * k + p]) * b[p * n + j];
        CHECK_CLOSE(c[i * n + j], sum, sum_tolerance(k), 0);
      }
#ifdef RNN_HAVE_WASM_SIMD
    // dx = dy W as the layers compute it: W packed by columns, the packed kernels.
    Affine affine;
    affine.prepare(b.data(), nullptr, k, n, true);  // W (k, n): y = x Wᵀ maps n to k
    std::vector<float> cs = c0;
    affine.apply_backward(a.data(), m, cs.data(), accumulate);
    for (std::size_t i = 0; i < m * n; ++i) CHECK_CLOSE(cs[i], c[i], sum_tolerance(k), 1e-6);
#endif
  }
  // Aᵀ B: A (k, m), B (k, n), added to c.
  const auto at = random_vector(k * m, random);
  std::vector<float> c = c0;
  gemm_tn_f32_scalar(at.data(), b.data(), c.data(), m, n, k);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      double sum = 0;
      for (std::size_t p = 0; p < k; ++p) sum += double(at[p * m + i]) * b[p * n + j];
      CHECK_CLOSE(c[i * n + j], c0[i * n + j] + sum, sum_tolerance(k), 0);
    }
#ifdef RNN_HAVE_WASM_SIMD
  std::vector<float> cs = c0;
  gemm_tn_f32_wasm_simd(at.data(), b.data(), cs.data(), m, n, k);
#ifdef RNN_WASM_RELAXED
  // Fused multiply-adds round once per term: close to the reference's sums, not equal.
  for (std::size_t i = 0; i < m * n; ++i) CHECK_CLOSE(cs[i], c[i], sum_tolerance(k), 1e-6);
#else
  for (std::size_t i = 0; i < m * n; ++i) CHECK(cs[i] == c[i]);  // the same sums in the same order
#endif
#endif
}

double sig(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace

TEST_CASE("gemm_nn and gemm_tn: every size 0..67 in each dimension, both orientations of gemm_tn") {
  Random random(11);
  for (std::size_t d = 0; d <= 67; ++d) {
    check_backward_products(d, 5, 9, random);
    check_backward_products(3, d, 9, random);
    check_backward_products(4, 7, d, random);
  }
  check_backward_products(40, 9, 70, random);  // gemm_tn with m > n: transposes B instead of A
  check_backward_products(9, 40, 70, random);
}

TEST_CASE("affine_weight_gradients: dW += dyᵀ x and db += column sums; null buffers are skipped") {
  Random random(12);
  const std::size_t rows = 6, out = 5, in = 3;
  const auto dy = random_vector(rows * out, random), x = random_vector(rows * in, random);
  std::vector<float> dw(out * in, 1.f), db(out, 2.f);
  affine_weight_gradients(dy.data(), x.data(), rows, out, in, dw.data(), db.data());
  for (std::size_t j = 0; j < out; ++j) {
    double sum = 0;
    for (std::size_t r = 0; r < rows; ++r) sum += dy[r * out + j];
    CHECK_CLOSE(db[j], 2.0 + sum, 1e-6, 0);
    for (std::size_t p = 0; p < in; ++p) {
      double w = 0;
      for (std::size_t r = 0; r < rows; ++r) w += double(dy[r * out + j]) * x[r * in + p];
      CHECK_CLOSE(dw[j * in + p], 1.0 + w, 1e-6, 0);
    }
  }
  affine_weight_gradients(dy.data(), x.data(), rows, out, in, nullptr, nullptr);  // frozen: nothing to do
}

TEST_CASE("lstm_gates: the cache holds i, f, g, o and tanh(c'), and caching changes no result") {
  Random random(13);
  for (std::size_t hidden : {1, 3, 4, 5, 8, 67}) {
    const std::size_t batch = 2, stride = batch * hidden + 3;  // planes apart, as a layer's tape
    const auto gi = random_vector(batch * 4 * hidden, random, 3.f), gh = random_vector(batch * 4 * hidden, random, 3.f);
    const auto c0 = random_vector(batch * hidden, random);
    std::vector<float> c = c0, h(batch * hidden), cc = c0, hc(batch * hidden), cache(kLstmCachePlanes * stride, kNaN);
    lstm_gates_f32(gi.data(), gh.data(), c.data(), h.data(), batch, hidden);
    lstm_gates_f32(gi.data(), gh.data(), cc.data(), hc.data(), batch, hidden, cache.data(), stride);
    CHECK(c == cc && h == hc);
    for (std::size_t b = 0; b < batch; ++b)
      for (std::size_t j = 0; j < hidden; ++j) {
        auto pre = [&](std::size_t g) { return double(gi[(b * 4 + g) * hidden + j]) + gh[(b * 4 + g) * hidden + j]; };
        const float* at = cache.data() + b * hidden + j;
        CHECK_CLOSE(at[0], sig(pre(0)), 1e-6, 0);
        CHECK_CLOSE(at[stride], sig(pre(1)), 1e-6, 0);
        CHECK_CLOSE(at[2 * stride], std::tanh(pre(2)), 1e-6, 0);
        CHECK_CLOSE(at[3 * stride], sig(pre(3)), 1e-6, 0);
        CHECK_CLOSE(at[4 * stride], std::tanh(double(c[b * hidden + j])), 1e-6, 0);
      }
  }
}

TEST_CASE("gru_gates: the cache holds r, z, n and W_hn h + b_hn, and caching changes no result") {
  Random random(14);
  for (std::size_t hidden : {1, 3, 4, 5, 8, 67}) {
    const std::size_t batch = 2, stride = batch * hidden;
    const auto gi = random_vector(batch * 3 * hidden, random, 3.f), gh = random_vector(batch * 3 * hidden, random, 3.f);
    const auto h0 = random_vector(batch * hidden, random);
    std::vector<float> h(batch * hidden), hc(batch * hidden), cache(kGruCachePlanes * stride, kNaN);
    gru_gates_f32(gi.data(), gh.data(), h0.data(), h.data(), batch, hidden);
    gru_gates_f32(gi.data(), gh.data(), h0.data(), hc.data(), batch, hidden, cache.data(), stride);
    CHECK(h == hc);
    for (std::size_t b = 0; b < batch; ++b)
      for (std::size_t j = 0; j < hidden; ++j) {
        auto at = [&](const std::vector<float>& v, std::size_t g) { return double(v[(b * 3 + g) * hidden + j]); };
        const double r = sig(at(gi, 0) + at(gh, 0));
        const float* k = cache.data() + b * hidden + j;
        CHECK_CLOSE(k[0], r, 1e-6, 0);
        CHECK_CLOSE(k[stride], sig(at(gi, 1) + at(gh, 1)), 1e-6, 0);
        CHECK_CLOSE(k[2 * stride], std::tanh(at(gi, 2) + r * at(gh, 2)), 1e-6, 0);
        CHECK(k[3 * stride] == gh[(b * 3 + 2) * hidden + j]);
      }
  }
}

// The gate backward kernels from random caches (any values in the gates' ranges), against the
// formulas in double, and (SIMD build) the SIMD kernels against the scalar ones.
TEST_CASE("lstm_gates_backward and gru_gates_backward: every hidden size 1..67, batch 1 and 3") {
  Random random(15);
  for (std::size_t hidden = 1; hidden <= 67; ++hidden)
    for (std::size_t batch : {1, 3}) {
      const std::size_t n = batch * hidden;
      std::vector<float> cache(kLstmCachePlanes * n);
      for (std::size_t i = 0; i < cache.size(); ++i) cache[i] = (i / n == 2 || i / n == 4) ? random.uniform(-1, 1) : random.uniform(0, 1);
      const auto c_prev = random_vector(n, random, 2.f), dh = random_vector(n, random), dc0 = random_vector(n, random);
      std::vector<float> dc = dc0, dgates(batch * 4 * hidden);
      lstm_gates_backward_f32_scalar(cache.data(), n, c_prev.data(), dh.data(), dc.data(), dgates.data(), batch, hidden);
      for (std::size_t b = 0; b < batch; ++b)
        for (std::size_t j = 0; j < hidden; ++j) {
          const std::size_t at = b * hidden + j;
          const double i = cache[at], f = cache[n + at], g = cache[2 * n + at], o = cache[3 * n + at], tc = cache[4 * n + at];
          const double dcell = dc0[at] + double(dh[at]) * o * (1 - tc * tc);
          const float* d = dgates.data() + b * 4 * hidden;
          CHECK_CLOSE(d[j], dcell * g * i * (1 - i), 1e-6, 1e-5);
          CHECK_CLOSE(d[hidden + j], dcell * c_prev[at] * f * (1 - f), 1e-6, 1e-5);
          CHECK_CLOSE(d[2 * hidden + j], dcell * i * (1 - g * g), 1e-6, 1e-5);
          CHECK_CLOSE(d[3 * hidden + j], double(dh[at]) * tc * o * (1 - o), 1e-6, 1e-5);
          CHECK_CLOSE(dc[at], dcell * f, 1e-6, 1e-5);
        }
      std::vector<float> gcache(kGruCachePlanes * n);
      for (std::size_t i = 0; i < gcache.size(); ++i) gcache[i] = i / n == 0 || i / n == 1 ? random.uniform(0, 1) : random.uniform(-2, 2);
      const auto h_prev = random_vector(n, random);
      std::vector<float> dgi(batch * 3 * hidden), dgh(batch * 3 * hidden), dh_prev(n);
      gru_gates_backward_f32_scalar(gcache.data(), n, h_prev.data(), dh.data(), dgi.data(), dgh.data(), dh_prev.data(), batch, hidden);
      for (std::size_t b = 0; b < batch; ++b)
        for (std::size_t j = 0; j < hidden; ++j) {
          const std::size_t at = b * hidden + j;
          const double r = gcache[at], z = gcache[n + at], nn = gcache[2 * n + at], hn = gcache[3 * n + at];
          const double dn = double(dh[at]) * (1 - z) * (1 - nn * nn), dz = double(dh[at]) * (h_prev[at] - nn) * z * (1 - z);
          const double dr = dn * hn * r * (1 - r);
          const float *i3 = dgi.data() + b * 3 * hidden, *h3 = dgh.data() + b * 3 * hidden;
          CHECK_CLOSE(i3[j], dr, 1e-6, 1e-5);
          CHECK(h3[j] == i3[j]);
          CHECK_CLOSE(i3[hidden + j], dz, 1e-6, 1e-5);
          CHECK(h3[hidden + j] == i3[hidden + j]);
          CHECK_CLOSE(i3[2 * hidden + j], dn, 1e-6, 1e-5);
          CHECK_CLOSE(h3[2 * hidden + j], dn * r, 1e-6, 1e-5);
          CHECK_CLOSE(dh_prev[at], double(dh[at]) * z, 1e-6, 1e-5);
        }
#ifdef RNN_HAVE_WASM_SIMD
      std::vector<float> dcs = dc0, dgates_s(dgates.size());
      lstm_gates_backward_f32_wasm_simd(cache.data(), n, c_prev.data(), dh.data(), dcs.data(), dgates_s.data(), batch, hidden);
      CHECK(dcs == dc && dgates_s == dgates);  // the scalar kernel's operations, in its order
      std::vector<float> dgi_s(dgi.size()), dgh_s(dgh.size()), dh_prev_s(n);
      gru_gates_backward_f32_wasm_simd(gcache.data(), n, h_prev.data(), dh.data(), dgi_s.data(), dgh_s.data(), dh_prev_s.data(), batch, hidden);
      CHECK(dgi_s == dgi && dgh_s == dgh && dh_prev_s == dh_prev);
#endif
    }
}

TEST_CASE("gate backward kernels propagate NaN and infinities as IEEE arithmetic does") {
  const float cache[5] = {0.5f, 0.5f, 0.f, 0.5f, 0.f}, c_prev[1] = {1.f}, dh[1] = {kNaN};
  float dc[1] = {0.f}, dgates[4];
  lstm_gates_backward_f32(cache, 1, c_prev, dh, dc, dgates, 1, 1);
  CHECK(std::isnan(dc[0]) && std::isnan(dgates[0]) && std::isnan(dgates[3]));
  const float gcache[4] = {0.5f, 0.5f, 0.f, kInf}, h_prev[1] = {0.f}, dh1[1] = {1.f};
  float dgi[3], dgh[3], dhp[1];
  gru_gates_backward_f32(gcache, 1, h_prev, dh1, dgi, dgh, dhp, 1, 1);
  CHECK(std::isinf(dgi[0]) && dhp[0] == 0.5f);
}

TEST_CASE("activation backward from the output: relu, tanh, sigmoid") {
  const float y[] = {-0.f, 0.f, 0.25f, 0.9f, kNaN}, dy[] = {1.f, 2.f, 3.f, 4.f, 5.f};
  float dx[5];
  relu_backward_f32(y, dy, dx, 5);
  CHECK(dx[0] == 0.f && dx[1] == 0.f && dx[2] == 3.f && dx[3] == 4.f && dx[4] == 0.f);
  tanh_backward_f32(y, dy, dx, 4);
  CHECK_CLOSE(dx[2], 3 * (1 - 0.0625), 1e-7, 0);
  CHECK_CLOSE(dx[3], 4 * (1 - 0.81), 1e-6, 0);
  sigmoid_backward_f32(y, dy, dx, 4);
  CHECK_CLOSE(dx[2], 3 * 0.75 * 0.25, 1e-7, 0);
  CHECK(dx[0] == 0.f);
}

TEST_CASE("exp: within 1e-6 relative of double over [-87, 88]; the SIMD kernel agrees") {
  std::vector<float> x;
  for (int i = -8700; i <= 8800; ++i) x.push_back(float(i) * 0.01f);
  std::vector<float> y(x.size());
  exp_f32_scalar(x.data(), y.data(), x.size());
  for (std::size_t i = 0; i < x.size(); ++i) CHECK_CLOSE(y[i], std::exp(double(x[i])), 0, 1e-6);
#ifdef RNN_HAVE_WASM_SIMD
  for (std::size_t n = 0; n <= 67; ++n) {
    std::vector<float> ys(n + 1, 42.f);
    exp_f32_wasm_simd(x.data() + 5000, ys.data(), n);
    for (std::size_t i = 0; i < n; ++i) CHECK_CLOSE(ys[i], y[5000 + i], 0, 1e-6);
    CHECK(ys[n] == 42.f);
  }
  const float nan[1] = {kNaN};
  float out[1];
  exp_f32_wasm_simd(nan, out, 1);
  CHECK(std::isnan(out[0]));
#endif
}

TEST_CASE("sgd_step and adam_step: the SIMD variants equal the scalar references, every length 0..67 and option") {
  Random random(16);
  for (std::size_t n = 0; n <= 67; ++n) {
    const auto p0 = random_vector(n, random), g = random_vector(n, random), b0 = random_vector(n, random);
    const auto m0 = random_vector(n, random, 0.1f), v0 = random_vector(n, random, 0.1f);
    std::vector<float> v_pos(n), vmax0(n);
    for (std::size_t i = 0; i < n; ++i) v_pos[i] = std::fabs(v0[i]), vmax0[i] = std::fabs(v0[n - 1 - i]);
    for (int option = 0; option < 4; ++option) {
      const SgdScalars sgd{-0.1f, option & 1 ? 0.01f : 0.f, 0.9f, option & 2 ? 0.7f : 1.f, option == 0, option == 3};
      std::vector<float> p = p0, b = b0;
      sgd_step_f32_scalar(p.data(), g.data(), option == 1 ? nullptr : b.data(), n, sgd);
      // The step moved every weight by lr times the formula's d (one case checked here).
      if (option == 1)
        for (std::size_t i = 0; i < n; ++i) CHECK_CLOSE(p[i], p0[i] - 0.1 * (g[i] + 0.01 * p0[i]), 1e-6, 0);
#ifdef RNN_HAVE_WASM_SIMD
      std::vector<float> ps = p0, bs = b0;
      sgd_step_f32_wasm_simd(ps.data(), g.data(), option == 1 ? nullptr : bs.data(), n, sgd);
      CHECK(ps == p && bs == b);
#endif
      AdamScalars adam{0.9f, 0.999f, 0.1f, 0.001f, option & 1 ? 0.01f : 0.f, 0.9999f, 1e-8f, 0.03162f, -0.01f, option >= 2};
      std::vector<float> pa = p0, m = m0, v = v_pos, vmax = vmax0;
      adam_step_f32_scalar(pa.data(), g.data(), m.data(), v.data(), option & 1 ? vmax.data() : nullptr, n, adam);
      for (std::size_t i = 0; i < n; ++i) CHECK_CLOSE(m[i], 0.9 * m0[i] + 0.1 * (g[i] + (option == 1 ? 0.01 * p0[i] : 0.0)), 1e-6, 0);
#ifdef RNN_HAVE_WASM_SIMD
      std::vector<float> pas = p0, ms = m0, vs = v_pos, vmaxs = vmax0;
      adam_step_f32_wasm_simd(pas.data(), g.data(), ms.data(), vs.data(), option & 1 ? vmaxs.data() : nullptr, n, adam);
      CHECK(pas == pa && ms == m && vs == v && vmaxs == vmax);
#endif
    }
  }
}

TEST_CASE("all_finite and norm_power: NaN and infinities are seen; p = 1, 2, 3 and inf") {
  std::vector<float> x = {3.f, -4.f, 0.f};
  CHECK(all_finite_f32(x.data(), 3));
  CHECK_CLOSE(norm_power_f32(x.data(), 3, 2), 25, 0, 0);
  CHECK_CLOSE(norm_power_f32(x.data(), 3, 1), 7, 0, 0);
  CHECK_CLOSE(norm_power_f32(x.data(), 3, 3), 27 + 64, 1e-9, 0);
  CHECK(norm_power_f32(x.data(), 3, kInf) == 4);
  x[1] = kInf;
  CHECK(!all_finite_f32(x.data(), 3));
  x[1] = kNaN;
  CHECK(!all_finite_f32(x.data(), 3));
  CHECK(std::isnan(norm_power_f32(x.data(), 3, kInf)));
}
