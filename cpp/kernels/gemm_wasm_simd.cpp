// A Wᵀ over packed panels, register-blocked 4 rows of A by one panel of 8 outputs: for each p,
// four splats of A's values and two loads of the panel feed 8 multiply-adds into 8 independent
// accumulators, 32 multiply-adds per 2 vector loads. Rows left over (m % 4) take the
// matrix-vector kernel's path, one row at a time.
#include <cassert>
#include <wasm_simd128.h>

#include "gemm.h"
#include "gemv.h"
#include "simd_util.h"

namespace rnn::kernels {

void gemm_packed_f32_wasm_simd(const float* a, const PackedWeights& w, float* c, std::size_t m) {
  const std::size_t n = w.rows, k = w.cols, panels = (n + kPanel - 1) / kPanel;
  assert(m == 0 || n == 0 || (c && (k == 0 || a)));
  std::size_t i = 0;
  for (; i + 4 <= m; i += 4) {
    const float* a0 = a + i * k;
    for (std::size_t q = 0; q < panels; ++q) {
      const v128_t b0 = wasm_v128_load(w.bias.data() + q * kPanel);
      const v128_t b1 = wasm_v128_load(w.bias.data() + q * kPanel + 4);
      v128_t acc[8] = {b0, b1, b0, b1, b0, b1, b0, b1};  // row r: acc[2r], acc[2r + 1]
      const float* panel = w.panels.data() + q * k * kPanel;
      for (std::size_t p = 0; p < k; ++p) {
        const v128_t w0 = wasm_v128_load(panel + p * kPanel);
        const v128_t w1 = wasm_v128_load(panel + p * kPanel + 4);
        for (int r = 0; r < 4; ++r) {
          const v128_t ar = wasm_f32x4_splat(a0[r * k + p]);
          acc[2 * r] = wasm_f32x4_add(acc[2 * r], wasm_f32x4_mul(ar, w0));
          acc[2 * r + 1] = wasm_f32x4_add(acc[2 * r + 1], wasm_f32x4_mul(ar, w1));
        }
      }
      for (int r = 0; r < 4; ++r)
        store_panel_outputs(acc + 2 * r, 1, c + (i + r) * n + q * kPanel, n - q * kPanel);
    }
  }
  for (; i < m; ++i) gemv_packed_f32_wasm_simd(w, a + i * k, c + i * n);
}

}  // namespace rnn::kernels
