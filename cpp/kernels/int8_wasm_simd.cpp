// int8 weights over 8-row panels (int8.h). For each input p, a panel's 8 weights are one 8-byte
// load widened to 16 bits (v128.load8x8_s), then to 32 bits, made floats exactly (exact_floats)
// and multiplied by the panel's scales: W', 8 values. They then feed the multiply-adds as a
// float panel's weights do, from the bias up in p order, so each output has the bits the float
// kernels give it with W' (and the matrix-vector and matrix-matrix kernels agree). A quarter of
// the float weights' bytes, for about twice the instructions per weight (13 against 6 per 8
// weights at batch 1). Matrix-matrix: each W' value formed once for 4 rows of A, allocating
// nothing (worker threads run it); or, by blocks, W' of 64 outputs formed once into a float
// block and run through the float kernel for every row: faster, but it allocates, so it is for
// the calling thread when no job runs (kernels/affine.cpp).
#include <algorithm>
#include <cassert>
#include <memory>
#include <wasm_simd128.h>

#include "gemm.h"
#include "int8.h"
#include "simd_util.h"

namespace rnn::kernels {

namespace {

// Four int32 lanes (|v| < 2^22) as floats, exactly: 1.5 * 2^23 + v has v in its low mantissa
// bits, so adding the bits of 1.5 * 2^23 and subtracting it as a float gives v. Not
// f32x4.convert_i32x4: clang 14 folds that and the widening before it into one int16-to-float
// conversion, which it then does one lane at a time (8 scalar conversions per load), 5x slower.
inline v128_t exact_floats(v128_t v) {
  const v128_t magic = wasm_f32x4_splat(12582912.f);
  return wasm_f32x4_sub(wasm_i32x4_add(v, magic), magic);
}

// The panel's 8 dequantized weights for one input, fl(q * scale): exactly W'.
inline void panel_weights(const std::int8_t* w, const v128_t* scale, v128_t* out) {
  const v128_t wide = wasm_i16x8_load8x8(w);
  out[0] = wasm_f32x4_mul(exact_floats(wasm_i32x4_extend_low_i16x8(wide)), scale[0]);
  out[1] = wasm_f32x4_mul(exact_floats(wasm_i32x4_extend_high_i16x8(wide)), scale[1]);
}

// acc[0..1] += W' of the panel for one input, times s.
inline void mul_add_i8(v128_t* acc, const std::int8_t* w, const v128_t* scale, v128_t s) {
  v128_t weights[2];
  panel_weights(w, scale, weights);
  acc[0] = madd_f32x4(s, weights[0], acc[0]);
  acc[1] = madd_f32x4(s, weights[1], acc[1]);
}

// Panel q's scales, and its bias (the accumulators' start).
inline void start_panel(const PackedInt8& w, std::size_t q, v128_t* scale, v128_t* bias) {
  scale[0] = wasm_v128_load(w.scales.data() + q * kPanel);
  scale[1] = wasm_v128_load(w.scales.data() + q * kPanel + 4);
  bias[0] = wasm_v128_load(w.bias.data() + q * kPanel);
  bias[1] = wasm_v128_load(w.bias.data() + q * kPanel + 4);
}

}  // namespace

void gemv_packed_rows_i8_wasm_simd(const PackedInt8& w, const float* x, float* y, std::size_t first,
                                   std::size_t end) {
  assert(first % kPanel == 0 && (end % kPanel == 0 || end == w.rows) && first <= end && end <= w.rows);
  assert(first == end || (x || w.cols == 0) && y);
  const std::size_t n = w.cols, panel_size = n * kPanel;
  const std::size_t last = (end + kPanel - 1) / kPanel;
  std::size_t q = first / kPanel;
  for (; q + 2 <= last; q += 2) {  // two streams at once
    v128_t acc[4], scale[4];
    start_panel(w, q, scale, acc);
    start_panel(w, q + 1, scale + 2, acc + 2);
    const std::int8_t* w0 = w.panels.data() + q * panel_size;
    const std::int8_t* w1 = w0 + panel_size;
    for (const float *xp = x, *stop = x + n; xp != stop; ++xp, w0 += kPanel, w1 += kPanel) {
      const v128_t s = wasm_v128_load32_splat(xp);
      mul_add_i8(acc, w0, scale, s);
      mul_add_i8(acc + 2, w1, scale + 2, s);
    }
    store_panel_outputs(acc, 2, y + q * kPanel, w.rows - q * kPanel);
  }
  for (; q < last; ++q) {
    v128_t acc[2], scale[2];
    start_panel(w, q, scale, acc);
    const std::int8_t* w0 = w.panels.data() + q * panel_size;
    for (const float *xp = x, *stop = x + n; xp != stop; ++xp, w0 += kPanel) mul_add_i8(acc, w0, scale, wasm_v128_load32_splat(xp));
    store_panel_outputs(acc, 1, y + q * kPanel, w.rows - q * kPanel);
  }
}

void gemv_packed_i8_wasm_simd(const PackedInt8& w, const float* x, float* y) {
  gemv_packed_rows_i8_wasm_simd(w, x, y, 0, w.rows);
}

namespace {

// Rows [i, i + R) of A against panel q: the panel's W' for input p is formed once and used by
// all R rows. Allocates nothing.
template <int R>
void panel_rows_i8(const float* a, std::size_t k, const PackedInt8& w, std::size_t q, float* c, std::size_t n) {
  v128_t acc[R][2], scale[2], bias[2];
  start_panel(w, q, scale, bias);
  for (auto& row : acc) row[0] = bias[0], row[1] = bias[1];
  const std::int8_t* wp = w.panels.data() + q * k * kPanel;
  for (std::size_t p = 0; p < k; ++p, wp += kPanel) {
    v128_t weights[2];
    panel_weights(wp, scale, weights);
    for (int r = 0; r < R; ++r) {
      const v128_t s = wasm_v128_load32_splat(a + r * k + p);
      acc[r][0] = madd_f32x4(s, weights[0], acc[r][0]);
      acc[r][1] = madd_f32x4(s, weights[1], acc[r][1]);
    }
  }
  for (int r = 0; r < R; ++r) store_panel_outputs(acc[r], 1, c + r * n + q * kPanel, w.rows - q * kPanel);
}

}  // namespace

void gemm_packed_i8_wasm_simd(const float* a, const PackedInt8& w, float* c, std::size_t m) {
  const std::size_t n = w.rows, k = w.cols, panels = (n + kPanel - 1) / kPanel;
  assert(m == 0 || n == 0 || (c && (k == 0 || a)));
  // Rows in chunks, as the float kernel takes them (gemm_wasm_simd.cpp): a chunk of A stays in
  // L2 while every panel passes over it; over all rows at once, A streamed from memory once per
  // panel and W4 took 1.7x float32's time.
  constexpr std::size_t kRowChunk = 60;
  for (std::size_t i0 = 0; i0 < m; i0 += kRowChunk) {
    const std::size_t i1 = std::min(m, i0 + kRowChunk);
    for (std::size_t q = 0; q < panels; ++q) {
      std::size_t i = i0;
      for (; i + 4 <= i1; i += 4) panel_rows_i8<4>(a + i * k, k, w, q, c + i * n, n);
      for (; i < i1; ++i) panel_rows_i8<1>(a + i * k, k, w, q, c + i * n, n);
    }
  }
}

void gemm_packed_i8_by_blocks_wasm_simd(const float* a, const PackedInt8& w, float* c, std::size_t m) {
  const std::size_t n = w.rows, k = w.cols, panels = (n + kPanel - 1) / kPanel;
  assert(m == 0 || n == 0 || (c && (k == 0 || a)));
  if (m == 0 || n == 0) return;
  constexpr std::size_t kBlockPanels = 8;  // 64 outputs: 64 * k floats, L2-sized
  PackedWeights block;
  block.cols = k;
  block.panel = kPanel;
  block.panels.resize(kBlockPanels * k * kPanel);
  block.bias.resize(kBlockPanels * kPanel);
  const std::unique_ptr<float[]> out(new float[m * kBlockPanels * kPanel]);
  for (std::size_t q0 = 0; q0 < panels; q0 += kBlockPanels) {
    const std::size_t q1 = std::min(panels, q0 + kBlockPanels);
    for (std::size_t q = q0; q < q1; ++q) {
      v128_t scale[2], bias[2];
      start_panel(w, q, scale, bias);
      const std::int8_t* source = w.panels.data() + q * k * kPanel;
      float* target = block.panels.data() + (q - q0) * k * kPanel;
      for (std::size_t p = 0; p < k; ++p, source += kPanel, target += kPanel) {
        v128_t weights[2];
        panel_weights(source, scale, weights);
        wasm_v128_store(target, weights[0]);
        wasm_v128_store(target + 4, weights[1]);
      }
      wasm_v128_store(block.bias.data() + (q - q0) * kPanel, bias[0]);
      wasm_v128_store(block.bias.data() + (q - q0) * kPanel + 4, bias[1]);
    }
    const std::size_t first = q0 * kPanel, width = std::min(n, q1 * kPanel) - first;
    block.rows = width;
    gemm_packed_f32_wasm_simd(a, block, out.get(), m);
    for (std::size_t i = 0; i < m; ++i) std::copy_n(out.get() + i * width, width, c + i * n + first);
  }
}

}  // namespace rnn::kernels
