// A Wᵀ over packed panels, register-blocked 4 rows of A by 8 outputs: for each p, four splats
// of A's values and two loads of the 8 outputs' weights feed 8 multiply-adds into 8 independent
// accumulators, 32 multiply-adds per 2 vector loads.
//
// Cache blocking: rows of A are taken in chunks of kRowChunk; within a chunk every 8 outputs'
// weights are applied to all of the chunk's rows before the next 8. Those weights (8 x k floats,
// 16 KB at k = 512) then stay in L1 while they serve kRowChunk rows (in 16-row panels their
// lines hold the next 8 outputs' too, 32 KB at k = 512, which that pass finds in L1 or L2), and
// the chunk (128 KB at k = 512) stays in L2, so W streams from memory once per chunk rather
// than once per 4 rows. At 2048 rows and a 4 MB W that is 32 passes over W instead of 512.
#include <algorithm>
#include <cassert>
#include <memory>
#include <wasm_simd128.h>

#include "gemm.h"
#include "simd_util.h"

namespace rnn::kernels {

namespace {

constexpr std::size_t kRowChunk = 64;

// c[r][8g .. 8g+7] for `rows` (4 or 1) rows of A starting at a: outputs 8g.. of W, which sit in
// panel 8g / w.panel at column offset 8g % w.panel.
template <int rows>
void panel_block(const float* a, std::size_t k, const PackedWeights& w, std::size_t g, float* c,
                 std::size_t n) {
  const std::size_t first = g * kPanel;
  const v128_t b0 = wasm_v128_load(w.bias.data() + first);
  const v128_t b1 = wasm_v128_load(w.bias.data() + first + 4);
  v128_t acc[2 * rows];
  for (int r = 0; r < rows; ++r) {
    acc[2 * r] = b0;
    acc[2 * r + 1] = b1;
  }
  const std::size_t stride = w.panel;
  const float* wp = w.panels.data() + (first / stride) * k * stride + first % stride;
  for (std::size_t p = 0; p < k; ++p, wp += stride) {
    const v128_t w0 = wasm_v128_load(wp);
    const v128_t w1 = wasm_v128_load(wp + 4);
    for (int r = 0; r < rows; ++r) {
      const v128_t ar = wasm_v128_load32_splat(a + r * k + p);
      acc[2 * r] = madd_f32x4(ar, w0, acc[2 * r]);
      acc[2 * r + 1] = madd_f32x4(ar, w1, acc[2 * r + 1]);
    }
  }
  for (int r = 0; r < rows; ++r) store_panel_outputs(acc + 2 * r, 1, c + r * n + first, n - first);
}

}  // namespace

void gemm_packed_f32_wasm_simd(const float* a, const PackedWeights& w, float* c, std::size_t m) {
  const std::size_t n = w.rows, k = w.cols, groups = (n + kPanel - 1) / kPanel;
  assert(m == 0 || n == 0 || (c && (k == 0 || a)));
  for (std::size_t i0 = 0; i0 < m; i0 += kRowChunk) {
    const std::size_t i1 = std::min(m, i0 + kRowChunk);
    for (std::size_t g = 0; g < groups; ++g) {
      std::size_t i = i0;
      for (; i + 4 <= i1; i += 4) panel_block<4>(a + i * k, k, w, g, c + i * n, n);
      for (; i < i1; ++i) panel_block<1>(a + i * k, k, w, g, c + i * n, n);
    }
  }
}

namespace {

// (rows, cols) row-major to (cols, rows), in 8 x 8 tiles: a column-by-column walk writes each
// value to another cache line, and the weight gradients' transposes (2048 x 128 for a batch of
// 32 x 64 steps) took 8% of a training step that way.
std::unique_ptr<float[]> transposed(const float* x, std::size_t rows, std::size_t cols) {
  constexpr std::size_t kTile = 8;
  std::unique_ptr<float[]> t(new float[rows * cols]);
  for (std::size_t r0 = 0; r0 < rows; r0 += kTile)
    for (std::size_t c0 = 0; c0 < cols; c0 += kTile)
      for (std::size_t r = r0; r < std::min(rows, r0 + kTile); ++r)
        for (std::size_t c = c0; c < std::min(cols, c0 + kTile); ++c) t[c * rows + r] = x[r * cols + c];
  return t;
}

}  // namespace

// Aᵀ B as the packed kernel's A Wᵀ: one operand transposed, the other packed by columns. Either
// A is transposed and the product added to c as it is, or (cheaper when A is the larger one, as
// a (steps x batch, 4H) gate gradient beside a (steps x batch, H) input over many steps) B is,
// and the product, (Aᵀ B)ᵀ, is added transposed, in tiles. The choice counts the floats each
// route moves; a transposed add costs about two. Either way each sum is the reference's, in the
// same order, so the result is bitwise the same.
void gemm_tn_f32_wasm_simd(const float* a, const float* b, float* c, std::size_t m, std::size_t n, std::size_t k) {
  assert(m == 0 || n == 0 || (c && (k == 0 || (a && b))));
  if (m == 0 || n == 0) return;
  const std::unique_ptr<float[]> product(new float[m * n]);
  if (k * m + m * n <= k * n + 2 * m * n) {
    const auto at = transposed(a, k, m);  // (m, k)
    gemm_packed_f32_wasm_simd(at.get(), pack_columns(b, k, n), product.get(), m);
    for (std::size_t i = 0; i < m * n; ++i) c[i] += product[i];
    return;
  }
  const auto bt = transposed(b, k, n);  // (n, k)
  gemm_packed_f32_wasm_simd(bt.get(), pack_columns(a, k, m), product.get(), n);  // (n, m)
  constexpr std::size_t kTile = 8;
  for (std::size_t i0 = 0; i0 < m; i0 += kTile)
    for (std::size_t j0 = 0; j0 < n; j0 += kTile)
      for (std::size_t i = i0; i < std::min(m, i0 + kTile); ++i)
        for (std::size_t j = j0; j < std::min(n, j0 + kTile); ++j) c[i * n + j] += product[j * m + i];
}

}  // namespace rnn::kernels
