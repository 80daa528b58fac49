// int8 weights over 8-row panels (int8.h). Matrix-vector: for each input p, a panel's 8 weights
// are one 8-byte load widened to 16 bits (v128.load8x8_s), then to two f32x4 (extend, convert),
// multiplied by the splat x[p] and added, four panels at once as the float kernel does; the
// scale and bias come once per output at the end. A quarter of the float weights' bytes, for
// about twice the instructions per weight. Matrix-matrix: each block of panels is dequantized
// once into float panels and run through the float kernel for every row of A.
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

// acc[0..1] += the panel's 8 weights for one input, times s.
inline void mul_add_i8(v128_t* acc, const std::int8_t* w, v128_t s) {
  const v128_t wide = wasm_i16x8_load8x8(w);
  acc[0] = madd_f32x4(exact_floats(wasm_i32x4_extend_low_i16x8(wide)), s, acc[0]);
  acc[1] = madd_f32x4(exact_floats(wasm_i32x4_extend_high_i16x8(wide)), s, acc[1]);
}

// acc * scale + bias for `panels` panels starting at panel q, stored to y.
inline void finish_panels(v128_t* acc, std::size_t panels, const PackedInt8& w, std::size_t q, float* y) {
  for (std::size_t v = 0; v < 2 * panels; ++v) {
    const std::size_t at = q * kPanel + 4 * v;
    acc[v] = wasm_f32x4_add(wasm_f32x4_mul(acc[v], wasm_v128_load(w.scales.data() + at)), wasm_v128_load(w.bias.data() + at));
  }
  store_panel_outputs(acc, panels, y + q * kPanel, w.rows - q * kPanel);
}

}  // namespace

void gemv_packed_rows_i8_wasm_simd(const PackedInt8& w, const float* x, float* y, std::size_t first,
                                   std::size_t end) {
  assert(first % kPanel == 0 && (end % kPanel == 0 || end == w.rows) && first <= end && end <= w.rows);
  assert(first == end || (x || w.cols == 0) && y);
  const std::size_t n = w.cols, panel_size = n * kPanel;
  const std::size_t last = (end + kPanel - 1) / kPanel;
  std::size_t q = first / kPanel;
  for (; q + 4 <= last; q += 4) {
    v128_t acc[8];
    for (auto& a : acc) a = wasm_f32x4_splat(0.f);
    const std::int8_t* w0 = w.panels.data() + q * panel_size;
    const std::int8_t* w1 = w0 + panel_size;
    const std::int8_t* w2 = w1 + panel_size;
    const std::int8_t* w3 = w2 + panel_size;
    for (const float *xp = x, *stop = x + n; xp != stop; ++xp) {
      const v128_t s = wasm_v128_load32_splat(xp);
      mul_add_i8(acc, w0, s);
      mul_add_i8(acc + 2, w1, s);
      mul_add_i8(acc + 4, w2, s);
      mul_add_i8(acc + 6, w3, s);
      w0 += kPanel;
      w1 += kPanel;
      w2 += kPanel;
      w3 += kPanel;
    }
    finish_panels(acc, 4, w, q, y);
  }
  for (; q < last; ++q) {
    v128_t acc[2] = {wasm_f32x4_splat(0.f), wasm_f32x4_splat(0.f)};
    const std::int8_t* w0 = w.panels.data() + q * panel_size;
    for (const float *xp = x, *stop = x + n; xp != stop; ++xp, w0 += kPanel) mul_add_i8(acc, w0, wasm_v128_load32_splat(xp));
    finish_panels(acc, 1, w, q, y);
  }
}

void gemv_packed_i8_wasm_simd(const PackedInt8& w, const float* x, float* y) {
  gemv_packed_rows_i8_wasm_simd(w, x, y, 0, w.rows);
}

void gemm_packed_i8_wasm_simd(const float* a, const PackedInt8& w, float* c, std::size_t m) {
  const std::size_t n = w.rows, k = w.cols, panels = (n + kPanel - 1) / kPanel;
  assert(m == 0 || n == 0 || (c && (k == 0 || a)));
  if (m == 0 || n == 0) return;
  // Blocks of up to 8 panels (64 outputs, 64 * k floats: L2-sized), dequantized with SIMD.
  constexpr std::size_t kBlockPanels = 8;
  PackedWeights block;
  block.cols = k;
  block.panel = kPanel;
  block.panels.resize(kBlockPanels * k * kPanel);
  block.bias.resize(kBlockPanels * kPanel);
  const std::unique_ptr<float[]> out(new float[m * kBlockPanels * kPanel]);
  for (std::size_t q0 = 0; q0 < panels; q0 += kBlockPanels) {
    const std::size_t q1 = std::min(panels, q0 + kBlockPanels);
    for (std::size_t q = q0; q < q1; ++q) {
      const std::int8_t* source = w.panels.data() + q * k * kPanel;
      float* target = block.panels.data() + (q - q0) * k * kPanel;
      const v128_t scale_lo = wasm_v128_load(w.scales.data() + q * kPanel);
      const v128_t scale_hi = wasm_v128_load(w.scales.data() + q * kPanel + 4);
      for (std::size_t p = 0; p < k; ++p, source += kPanel, target += kPanel) {
        const v128_t wide = wasm_i16x8_load8x8(source);
        wasm_v128_store(target, wasm_f32x4_mul(exact_floats(wasm_i32x4_extend_low_i16x8(wide)), scale_lo));
        wasm_v128_store(target + 4, wasm_f32x4_mul(exact_floats(wasm_i32x4_extend_high_i16x8(wide)), scale_hi));
      }
    }
    std::copy(w.bias.begin() + q0 * kPanel, w.bias.begin() + q1 * kPanel, block.bias.begin());
    const std::size_t first = q0 * kPanel, width = std::min(n, q1 * kPanel) - first;
    block.rows = width;
    gemm_packed_f32_wasm_simd(a, block, out.get(), m);
    for (std::size_t i = 0; i < m; ++i) std::copy_n(out.get() + i * width, width, c + i * n + first);
  }
}

}  // namespace rnn::kernels
