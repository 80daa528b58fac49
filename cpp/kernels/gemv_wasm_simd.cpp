// W x over packed panels: for each input p, x[p] is splat once and multiplies 8 outputs'
// weights (two contiguous loads). Four panels at a time give 8 independent accumulator chains,
// enough to hide f32x4.add latency; the panels' weights stream through memory once.
#include <cassert>
#include <wasm_simd128.h>

#include "gemv.h"
#include "simd_util.h"

namespace rnn::kernels {

void gemv_packed_f32_wasm_simd(const PackedWeights& w, const float* x, float* y) {
  const std::size_t n = w.cols, panels = (w.rows + kPanel - 1) / kPanel;
  assert(w.rows == 0 || (x || n == 0) && y);
  const float* bias = w.bias.data();
  std::size_t q = 0;
  for (; q + 4 <= panels; q += 4) {
    v128_t acc[8];
    for (int v = 0; v < 8; ++v) acc[v] = wasm_v128_load(bias + q * kPanel + 4 * v);
    const float* base = w.panels.data() + q * n * kPanel;
    for (std::size_t p = 0; p < n; ++p) {
      const v128_t xp = wasm_f32x4_splat(x[p]);
      for (int k = 0; k < 4; ++k) {
        const float* col = base + (k * n + p) * kPanel;
        acc[2 * k] = wasm_f32x4_add(acc[2 * k], wasm_f32x4_mul(wasm_v128_load(col), xp));
        acc[2 * k + 1] = wasm_f32x4_add(acc[2 * k + 1], wasm_f32x4_mul(wasm_v128_load(col + 4), xp));
      }
    }
    store_panel_outputs(acc, 4, y + q * kPanel, w.rows - q * kPanel);
  }
  for (; q < panels; ++q) {
    v128_t acc[2] = {wasm_v128_load(bias + q * kPanel), wasm_v128_load(bias + q * kPanel + 4)};
    const float* base = w.panels.data() + q * n * kPanel;
    for (std::size_t p = 0; p < n; ++p) {
      const v128_t xp = wasm_f32x4_splat(x[p]);
      acc[0] = wasm_f32x4_add(acc[0], wasm_f32x4_mul(wasm_v128_load(base + p * kPanel), xp));
      acc[1] = wasm_f32x4_add(acc[1], wasm_f32x4_mul(wasm_v128_load(base + p * kPanel + 4), xp));
    }
    store_panel_outputs(acc, 1, y + q * kPanel, w.rows - q * kPanel);
  }
}

}  // namespace rnn::kernels
