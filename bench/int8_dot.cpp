// npm run bench -- --int8-dot: issue #19's question, measured. The shipped int8 matrix-vector
// kernel (gemv_packed_i8_wasm_simd) splits the input into two int16 parts and multiplies them
// with the int8 weights, widened to 16 bits, by i32x4.dot_i16x8_s, summing in int32 (int8.h).
// This program times it against the float32 kernel, against the kernel it replaced (each
// weight converted to float32 and scaled, then multiplied in float32: 13 wasm instructions per
// 8 weights), and against the dot kernel with the input in one int16 part (faster, but off by
// more than int8's atol 1e-5), on the batch-1 matrix shapes of the workloads (W1: 1024 x 256,
// W2: 768 x 256, W3: 2048 x 256 and 2048 x 512), in one process, interleaved. It prints the
// medians and each int8 kernel's largest error against double on W', over the largest output.
// Built by scripts/bench.sh with the project's kernels.
#include <wasm_simd128.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "../cpp/kernels/gemv.h"
#include "../cpp/kernels/int8.h"
#include "../cpp/kernels/simd_util.h"

using namespace rnn::kernels;

namespace {

// The replaced kernel: q in 8-row panels, column by column (8 bytes per column), each 8 weights
// widened to 32 bits, made floats exactly (1.5 * 2^23 added and subtracted: clang 14 turns
// f32x4.convert_i32x4 after a widening into 8 scalar conversions), scaled, then multiplied.
struct ColumnPanels {
  std::size_t rows, cols;
  std::vector<std::int8_t> panels;
  std::vector<float> scales, bias;
};

ColumnPanels pack_columns(const std::int8_t* q, const float* scales, const float* bias, std::size_t rows, std::size_t cols) {
  ColumnPanels w{rows, cols, std::vector<std::int8_t>(rows * cols), std::vector<float>(scales, scales + rows),
                 std::vector<float>(bias, bias + rows)};
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) w.panels[panel_index(i, j, cols, kPanel)] = q[i * cols + j];
  return w;
}

inline v128_t exact_floats(v128_t v) {
  const v128_t magic = wasm_f32x4_splat(12582912.f);
  return wasm_f32x4_sub(wasm_i32x4_add(v, magic), magic);
}

inline void mul_add_converted(v128_t* acc, const std::int8_t* w, const v128_t* scale, v128_t s) {
  const v128_t wide = wasm_i16x8_load8x8(w);
  acc[0] = wasm_f32x4_add(acc[0], wasm_f32x4_mul(s, wasm_f32x4_mul(exact_floats(wasm_i32x4_extend_low_i16x8(wide)), scale[0])));
  acc[1] = wasm_f32x4_add(acc[1], wasm_f32x4_mul(s, wasm_f32x4_mul(exact_floats(wasm_i32x4_extend_high_i16x8(wide)), scale[1])));
}

void gemv_converted(const ColumnPanels& w, const float* x, float* y) {  // rows a multiple of 16
  const std::size_t n = w.cols, panel_size = n * kPanel;
  for (std::size_t q = 0; q + 2 <= w.rows / kPanel; q += 2) {  // two streams at once
    v128_t acc[4], scale[4];
    for (int v = 0; v < 4; ++v) {
      scale[v] = wasm_v128_load(w.scales.data() + q * kPanel + 4 * v);
      acc[v] = wasm_v128_load(w.bias.data() + q * kPanel + 4 * v);
    }
    const std::int8_t* w0 = w.panels.data() + q * panel_size;
    const std::int8_t* w1 = w0 + panel_size;
    for (std::size_t j = 0; j < n; ++j, w0 += kPanel, w1 += kPanel) {
      const v128_t s = wasm_v128_load32_splat(x + j);
      mul_add_converted(acc, w0, scale, s);
      mul_add_converted(acc + 2, w1, scale + 2, s);
    }
    for (int v = 0; v < 4; ++v) wasm_v128_store(y + q * kPanel + 4 * v, acc[v]);
  }
}

// The dot kernel with the input in one int16 part, x16 = round(x / x_scale), x_scale =
// max|x| / 32767, over the shipped kernel's panels of column pairs (cols even here).
void gemv_dot_one_part(const PackedInt8& w, const float* x, std::int16_t* x16, float* y) {
  float largest = 0;
  for (std::size_t j = 0; j < w.cols; ++j) largest = std::max(largest, std::fabs(x[j]));
  const float x_scale = largest > 0 ? largest / 32767.f : 1.f;
  for (std::size_t j = 0; j < w.cols; ++j) x16[j] = static_cast<std::int16_t>(std::nearbyint(x[j] / x_scale));
  const v128_t xs = wasm_f32x4_splat(x_scale);
  const std::size_t panel_bytes = int8_panel_bytes(w.cols);
  for (std::size_t q = 0; q + 2 <= w.rows / kPanel; q += 2) {
    const std::int8_t* w0 = w.panels.data() + q * panel_bytes;
    const std::int8_t* w1 = w0 + panel_bytes;
    v128_t a[4];
    for (auto& v : a) v = wasm_i32x4_splat(0);
    for (std::size_t j = 0; j < w.cols; j += 2, w0 += 16, w1 += 16) {
      const v128_t pair = wasm_v128_load32_splat(x16 + j);
      const v128_t q0 = wasm_v128_load(w0), q1 = wasm_v128_load(w1);
      a[0] = wasm_i32x4_add(a[0], wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(q0), pair));
      a[1] = wasm_i32x4_add(a[1], wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(q0), pair));
      a[2] = wasm_i32x4_add(a[2], wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(q1), pair));
      a[3] = wasm_i32x4_add(a[3], wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(q1), pair));
    }
    for (int v = 0; v < 4; ++v) {
      const std::size_t row = q * kPanel + 4 * v;
      const v128_t sum = wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_convert_i32x4(a[v]), wasm_v128_load(w.scales.data() + row)), xs);
      wasm_v128_store(y + row, wasm_f32x4_add(sum, wasm_v128_load(w.bias.data() + row)));
    }
  }
}

double seconds() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

float median(std::vector<float> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main() {
  const std::size_t shapes[][2] = {{1024, 256}, {768, 256}, {2048, 256}, {2048, 512}};  // rows: multiples of 16
  std::printf(
      "| matrix (rows x cols) | float32 (us) | int8, shipped: dot, input in two parts (us) | int8, converted to float32 (us, replaced) "
      "| int8, dot, input in one part (us) | shipped vs float32 | shipped vs converted | largest error / largest output: shipped, converted, one part |\n"
      "|---|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& shape : shapes) {
    const std::size_t m = shape[0], n = shape[1];
    std::vector<float> w(m * n), bias(m), x(n), scales(m), y_float(m), y_shipped(m), y_converted(m), y_one(m);
    std::vector<std::int8_t> q(m * n);
    std::vector<std::int16_t> x16(n);
    std::uint64_t state = 1;
    auto uniform = [&] {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      return static_cast<float>(state >> 40) / 16777216.f * 2.f - 1.f;
    };
    for (auto& v : w) v = uniform() * 0.1f;
    for (auto& v : bias) v = uniform() * 0.1f;
    for (auto& v : x) v = uniform();
    quantize_rows_i8(w.data(), m, n, q.data(), scales.data());
    const PackedWeights packed = pack_weights(w.data(), bias.data(), m, n);
    const PackedInt8 packed_i8 = pack_int8(q.data(), scales.data(), bias.data(), m, n);
    const ColumnPanels columns = pack_columns(q.data(), scales.data(), bias.data(), m, n);
    std::vector<float> t_float, t_shipped, t_converted, t_one;
    const int calls = 200;
    for (int round = 0; round < 31; ++round) {
      double t0 = seconds();
      for (int c = 0; c < calls; ++c) gemv_packed_f32_wasm_simd(packed, x.data(), y_float.data());
      double t1 = seconds();
      for (int c = 0; c < calls; ++c) gemv_packed_i8_wasm_simd(packed_i8, x.data(), y_shipped.data());
      double t2 = seconds();
      for (int c = 0; c < calls; ++c) gemv_converted(columns, x.data(), y_converted.data());
      double t3 = seconds();
      for (int c = 0; c < calls; ++c) gemv_dot_one_part(packed_i8, x.data(), x16.data(), y_one.data());
      double t4 = seconds();
      if (round == 0) continue;  // warm-up
      t_float.push_back(float((t1 - t0) / calls * 1e6));
      t_shipped.push_back(float((t2 - t1) / calls * 1e6));
      t_converted.push_back(float((t3 - t2) / calls * 1e6));
      t_one.push_back(float((t4 - t3) / calls * 1e6));
    }
    double worst[3] = {0, 0, 0}, largest = 0;
    for (std::size_t i = 0; i < m; ++i) {
      double exact = bias[i];
      for (std::size_t j = 0; j < n; ++j) exact += double(float(q[i * n + j]) * scales[i]) * x[j];
      largest = std::max(largest, std::fabs(exact));
      const float got[3] = {y_shipped[i], y_converted[i], y_one[i]};
      for (int k = 0; k < 3; ++k) worst[k] = std::max(worst[k], std::fabs(got[k] - exact));
    }
    const float f = median(t_float), shipped = median(t_shipped), converted = median(t_converted), one = median(t_one);
    std::printf("| %zu x %zu | %.2f | %.2f | %.2f | %.2f | %.2fx | %.2fx | %.1e, %.1e, %.1e |\n", m, n, f, shipped, converted, one,
                f / shipped, converted / shipped, worst[0] / largest, worst[1] / largest, worst[2] / largest);
  }
}
