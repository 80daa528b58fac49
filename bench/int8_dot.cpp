// npm run bench -- --int8-dot: issue #19's question, measured. The shipped int8 matrix-vector
// kernel (gemv_packed_i8_wasm_simd) converts each weight to float32, scales it and multiplies in
// float32: 13 wasm instructions per 8 weights. The alternative widens the int8 weights to 16
// bits and multiplies them with the input quantized to int16 by i32x4.dot_i16x8_s, summing in
// int32, one float conversion and scaling per output at the end: 8 instructions per 16
// weights. This program times both, and the float32 kernel, on the batch-1 matrix shapes of
// the workloads (W1: 1024 x 256, W2: 768 x 256, W3: 2048 x 256 and 2048 x 512), in one
// process, interleaved, and prints the medians and the dot kernel's largest error against the
// shipped kernel's results. Built by scripts/bench.sh with the project's kernels.
#include <wasm_simd128.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "../cpp/kernels/gemv.h"
#include "../cpp/kernels/int8.h"

using namespace rnn::kernels;

namespace {

// 8-row panels of q in pairs of columns (rows a multiple of 16, cols even: enough for the question): for columns j, j+1 the panel holds rows 0..7 as
// q[r][j], q[r][j+1] interleaved (16 bytes), what dot_i16x8 pairs with x[j], x[j+1].
struct DotPacked {
  std::size_t rows, cols;  // cols even
  std::vector<std::int8_t> panels;
  std::vector<float> scales, bias;
};

DotPacked pack_dot(const std::int8_t* q, const float* scales, const float* bias, std::size_t rows, std::size_t cols) {
  DotPacked w{rows, cols, std::vector<std::int8_t>(rows * cols), std::vector<float>(scales, scales + rows),
              std::vector<float>(bias, bias + rows)};
  std::int8_t* out = w.panels.data();
  for (std::size_t p = 0; p < rows / 8; ++p)
    for (std::size_t j = 0; j < cols; j += 2)
      for (std::size_t r = 0; r < 8; ++r) {
        *out++ = q[(p * 8 + r) * cols + j];
        *out++ = q[(p * 8 + r) * cols + j + 1];
      }
  return w;
}

// y = (q x16) * scale * x_scale + bias, x16 = round(x / x_scale) in int16, x_scale = max|x| / 32767.
// The int32 sums cannot overflow: |q| <= 127 and |x16| <= 32767 over at most 512 columns is
// below 2^31.
void gemv_dot(const DotPacked& w, const float* x, std::int16_t* x16, float* y) {
  float largest = 0;
  for (std::size_t j = 0; j < w.cols; ++j) largest = std::max(largest, std::fabs(x[j]));
  const float x_scale = largest > 0 ? largest / 32767.f : 1.f;
  for (std::size_t j = 0; j < w.cols; ++j) x16[j] = static_cast<std::int16_t>(std::nearbyint(x[j] / x_scale));
  const v128_t xs = wasm_f32x4_splat(x_scale);
  const auto store = [&](std::size_t p, v128_t acc0, v128_t acc1) {
    const float* s = w.scales.data() + p * 8;
    const float* b = w.bias.data() + p * 8;
    wasm_v128_store(y + p * 8, wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc0), wasm_v128_load(s)), xs), wasm_v128_load(b)));
    wasm_v128_store(y + p * 8 + 4, wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc1), wasm_v128_load(s + 4)), xs), wasm_v128_load(b + 4)));
  };
  const std::size_t panel_bytes = w.cols * 8;
  // Two panels at once share each pair of inputs, as the float32 kernel reads two streams.
  for (std::size_t p = 0; p + 2 <= w.rows / 8; p += 2) {
    const std::int8_t* w0 = w.panels.data() + p * panel_bytes;
    const std::int8_t* w1 = w0 + panel_bytes;
    v128_t a0 = wasm_i32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (std::size_t j = 0; j < w.cols; j += 2, w0 += 16, w1 += 16) {
      const v128_t pair = wasm_v128_load32_splat(x16 + j);  // x[j], x[j+1] in every lane pair
      const v128_t q0 = wasm_v128_load(w0), q1 = wasm_v128_load(w1);
      a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(q0), pair));
      a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(q0), pair));
      a2 = wasm_i32x4_add(a2, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(q1), pair));
      a3 = wasm_i32x4_add(a3, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(q1), pair));
    }
    store(p, a0, a1);
    store(p + 1, a2, a3);
  }
}

// The same with the input in two int16 parts, x ~ (x_hi + x_lo / 32768) * x_scale, so that the
// input keeps about 30 bits instead of 16: twice the products, and an error near float32's.
void gemv_dot_split(const DotPacked& w, const float* x, std::int16_t* x16, float* y) {
  float largest = 0;
  for (std::size_t j = 0; j < w.cols; ++j) largest = std::max(largest, std::fabs(x[j]));
  const float x_scale = largest > 0 ? largest / 32767.f : 1.f;
  std::int16_t* hi = x16;
  std::int16_t* lo = x16 + w.cols;
  for (std::size_t j = 0; j < w.cols; ++j) {
    const float h = std::nearbyint(x[j] / x_scale);
    hi[j] = static_cast<std::int16_t>(h);
    lo[j] = static_cast<std::int16_t>(std::nearbyint((x[j] - h * x_scale) / x_scale * 32768.f));
  }
  const v128_t xs = wasm_f32x4_splat(x_scale), xs_lo = wasm_f32x4_splat(x_scale / 32768.f);
  const std::size_t panel_bytes = w.cols * 8;
  for (std::size_t p = 0; p + 2 <= w.rows / 8; p += 2) {
    const std::int8_t* w0 = w.panels.data() + p * panel_bytes;
    const std::int8_t* w1 = w0 + panel_bytes;
    v128_t a[4], b[4];
    for (int i = 0; i < 4; ++i) a[i] = b[i] = wasm_i32x4_splat(0);
    for (std::size_t j = 0; j < w.cols; j += 2, w0 += 16, w1 += 16) {
      const v128_t ph = wasm_v128_load32_splat(hi + j), pl = wasm_v128_load32_splat(lo + j);
      const v128_t q0 = wasm_v128_load(w0), q1 = wasm_v128_load(w1);
      const v128_t q[4] = {wasm_i16x8_extend_low_i8x16(q0), wasm_i16x8_extend_high_i8x16(q0),
                           wasm_i16x8_extend_low_i8x16(q1), wasm_i16x8_extend_high_i8x16(q1)};
      for (int i = 0; i < 4; ++i) {
        a[i] = wasm_i32x4_add(a[i], wasm_i32x4_dot_i16x8(q[i], ph));
        b[i] = wasm_i32x4_add(b[i], wasm_i32x4_dot_i16x8(q[i], pl));
      }
    }
    for (int i = 0; i < 4; ++i) {
      const std::size_t row = p * 8 + i * 4;
      const v128_t sum = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_convert_i32x4(a[i]), xs), wasm_f32x4_mul(wasm_f32x4_convert_i32x4(b[i]), xs_lo));
      wasm_v128_store(y + row, wasm_f32x4_add(wasm_f32x4_mul(sum, wasm_v128_load(w.scales.data() + row)), wasm_v128_load(w.bias.data() + row)));
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
  std::printf("| matrix (rows x cols) | float32 (us) | int8, to float (us) | int8, dot_i16x8 (us) | int8, dot, input in two parts (us) | dot vs to-float | dot vs float32 | two parts vs to-float | largest error / largest output: dot, two parts |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& shape : shapes) {
    const std::size_t m = shape[0], n = shape[1];
    std::vector<float> w(m * n), bias(m), x(n), scales(m), y_float(m), y_i8(m), y_dot(m), y_split(m);
    std::vector<std::int8_t> q(m * n);
    std::vector<std::int16_t> x16(2 * n);
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
    const DotPacked packed_dot = pack_dot(q.data(), scales.data(), bias.data(), m, n);
    std::vector<float> t_float, t_i8, t_dot, t_split;
    const int calls = 200;
    for (int round = 0; round < 31; ++round) {
      double t0 = seconds();
      for (int c = 0; c < calls; ++c) gemv_packed_f32_wasm_simd(packed, x.data(), y_float.data());
      double t1 = seconds();
      for (int c = 0; c < calls; ++c) gemv_packed_i8_wasm_simd(packed_i8, x.data(), y_i8.data());
      double t2 = seconds();
      for (int c = 0; c < calls; ++c) gemv_dot(packed_dot, x.data(), x16.data(), y_dot.data());
      double t3 = seconds();
      for (int c = 0; c < calls; ++c) gemv_dot_split(packed_dot, x.data(), x16.data(), y_split.data());
      double t4 = seconds();
      if (round == 0) continue;  // warm-up
      t_float.push_back(float((t1 - t0) / calls * 1e6));
      t_i8.push_back(float((t2 - t1) / calls * 1e6));
      t_dot.push_back(float((t3 - t2) / calls * 1e6));
      t_split.push_back(float((t4 - t3) / calls * 1e6));
    }
    float worst = 0, worst_split = 0, largest = 0;
    for (std::size_t i = 0; i < m; ++i) {
      worst = std::max(worst, std::fabs(y_dot[i] - y_i8[i]));
      worst_split = std::max(worst_split, std::fabs(y_split[i] - y_i8[i]));
      largest = std::max(largest, std::fabs(y_i8[i]));
    }
    const float f = median(t_float), i8 = median(t_i8), dot = median(t_dot), split = median(t_split);
    std::printf("| %zu x %zu | %.2f | %.2f | %.2f | %.2f | %.2fx | %.2fx | %.2fx | %.1e, %.1e |\n", m, n, f, i8, dot, split, i8 / dot, f / dot,
                i8 / split, worst / largest, worst_split / largest);
  }
}
