// int8 weights over pack_int8's panels of column pairs, with the input in two int16 parts
// (int8.h). Per pair of columns and 8-row panel: one 16-byte load, two widenings to 16 bits and
// four i32x4.dot_i16x8_s (hi and lo parts, 4 rows each) with their adds, 11 wasm instructions
// per 16 weights, where converting each q to float and scaling it took 26 (float32 weights take
// 12). Each output gets gemv_i8_scalar's bits: the int32 sums are exact, and the float steps
// after them are the same.
//
// One row of A (matrix-vector): two panels at a time share the row's input loads. Several
// (matrix-matrix): rows in blocks of kRowBlock, split once per chunk onto the stack; per panel,
// two rows at a time share its loads and widenings (4 rows by 2 panels at a time would need
// more accumulators than x86's 16 vector registers hold). A panel's chunk (8 KB) is read from
// memory once per block, from the L1 cache for the block's other rows. Nothing allocates.
#include <algorithm>
#include <cassert>
#include <wasm_simd128.h>

#include "int8.h"
#include "simd_util.h"

namespace rnn::kernels {

namespace {

constexpr std::size_t kRowBlock = 4;  // 4 rows' parts: 8 KB of stack (a worker has 64 KB)

// One input row of a chunk, split on its step: hi and lo.
struct SplitRow {
  alignas(16) std::int16_t hi[kInt8Chunk + 2];
  alignas(16) std::int16_t lo[kInt8Chunk + 2];
  float step;
};

// The float partial sums of a row, float(A) * step + float(B) * step / 2^15, from the int32 sums.
inline v128_t partial_sums(v128_t a, v128_t b, const SplitRow& x) {
  return wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_convert_i32x4(a), wasm_f32x4_splat(x.step)),
                        wasm_f32x4_mul(wasm_f32x4_convert_i32x4(b), wasm_f32x4_splat(x.step / 32768.f)));
}

// The partial sums of P panels (P = 1 or 2, the
// second panel_bytes after the first) against a chunk's `pairs` column pairs.
template <int P>
inline void chunk_products(const std::int8_t* w, std::size_t panel_bytes, const SplitRow& x, std::size_t pairs,
                           v128_t* out) {
  v128_t a[2 * P], b[2 * P];
  for (int v = 0; v < 2 * P; ++v) a[v] = b[v] = wasm_i32x4_splat(0);
  for (std::size_t t = 0; t < pairs; ++t, w += 16) {
    const v128_t hi = wasm_v128_load32_splat(x.hi + 2 * t), lo = wasm_v128_load32_splat(x.lo + 2 * t);
    for (int p = 0; p < P; ++p) {
      const v128_t q = wasm_v128_load(w + p * panel_bytes);
      const v128_t q_low = wasm_i16x8_extend_low_i8x16(q), q_high = wasm_i16x8_extend_high_i8x16(q);  // rows 0-3, 4-7
      a[2 * p] = wasm_i32x4_add(a[2 * p], wasm_i32x4_dot_i16x8(q_low, hi));
      b[2 * p] = wasm_i32x4_add(b[2 * p], wasm_i32x4_dot_i16x8(q_low, lo));
      a[2 * p + 1] = wasm_i32x4_add(a[2 * p + 1], wasm_i32x4_dot_i16x8(q_high, hi));
      b[2 * p + 1] = wasm_i32x4_add(b[2 * p + 1], wasm_i32x4_dot_i16x8(q_high, lo));
    }
  }
  for (int v = 0; v < 2 * P; ++v) out[v] = partial_sums(a[v], b[v], x);
}

// The same for R rows of A against one panel: its weights are loaded and widened once for all R.
template <int R>
inline void chunk_products_rows(const std::int8_t* w, const SplitRow* x, std::size_t pairs, v128_t (*out)[2]) {
  v128_t a[R][2], b[R][2];
  for (int r = 0; r < R; ++r) a[r][0] = a[r][1] = b[r][0] = b[r][1] = wasm_i32x4_splat(0);
  for (std::size_t t = 0; t < pairs; ++t, w += 16) {
    const v128_t q = wasm_v128_load(w);
    const v128_t q_low = wasm_i16x8_extend_low_i8x16(q), q_high = wasm_i16x8_extend_high_i8x16(q);
    for (int r = 0; r < R; ++r) {
      const v128_t hi = wasm_v128_load32_splat(x[r].hi + 2 * t);
      a[r][0] = wasm_i32x4_add(a[r][0], wasm_i32x4_dot_i16x8(q_low, hi));
      a[r][1] = wasm_i32x4_add(a[r][1], wasm_i32x4_dot_i16x8(q_high, hi));
      const v128_t lo = wasm_v128_load32_splat(x[r].lo + 2 * t);
      b[r][0] = wasm_i32x4_add(b[r][0], wasm_i32x4_dot_i16x8(q_low, lo));
      b[r][1] = wasm_i32x4_add(b[r][1], wasm_i32x4_dot_i16x8(q_high, lo));
    }
  }
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < 2; ++v) out[r][v] = partial_sums(a[r][v], b[r][v], x[r]);
}

// Loads what store_panel_outputs stored (the padding lanes zero).
inline void load_panel_outputs(v128_t* acc, std::size_t panels, const float* y, std::size_t remaining) {
  float in[16] = {};
  const float* from = y;
  if (remaining < panels * 8) {
    std::copy_n(y, remaining, in);
    from = in;
  }
  for (std::size_t v = 0; v < 2 * panels; ++v) acc[v] = wasm_v128_load(from + 4 * v);
}

// Panels [q, q + P) of one row, their partial sums `sum` for the chunk starting at column c0:
// added to those of the chunks before (kept in y), and on the last chunk scaled and biased.
inline void finish_panels(const PackedInt8& w, std::size_t q, int panels, std::size_t c0, bool last, v128_t* sum, float* y) {
  float* out = y + q * kPanel;
  const std::size_t remaining = w.rows - q * kPanel;
  if (c0 > 0) {
    v128_t before[4];
    load_panel_outputs(before, panels, out, remaining);
    for (int v = 0; v < 2 * panels; ++v) sum[v] = wasm_f32x4_add(before[v], sum[v]);
  }
  if (last)
    for (int v = 0; v < 2 * panels; ++v)
      sum[v] = wasm_f32x4_add(wasm_f32x4_mul(sum[v], wasm_v128_load(w.scales.data() + q * kPanel + 4 * v)),
                              wasm_v128_load(w.bias.data() + q * kPanel + 4 * v));
  store_panel_outputs(sum, panels, out, remaining);
}

// A row that takes the float32 path (int8.h): outputs [first, end).
void row_float32(const PackedInt8& w, const float* x, float* y, std::size_t first, std::size_t end) {
  for (std::size_t i = first; i < end; ++i)
    y[i] = int8_row_float32([&](std::size_t j) { return w.panels[int8_panel_index(i, j, w.cols)]; }, w.scales[i], x,
                            w.cols) +
           w.bias[i];
}

// One row's chunk against panels [first_panel, end_panel), two at a time.
void row_panels(const PackedInt8& w, const std::int8_t* weights, const SplitRow& x, std::size_t pairs, std::size_t c0,
                bool last, float* y, std::size_t first_panel, std::size_t end_panel) {
  const std::size_t panel_bytes = int8_panel_bytes(w.cols);
  std::size_t q = first_panel;
  for (; q + 2 <= end_panel; q += 2) {
    v128_t sum[4];
    chunk_products<2>(weights + q * panel_bytes, panel_bytes, x, pairs, sum);
    finish_panels(w, q, 2, c0, last, sum, y);
  }
  if (q < end_panel) {
    v128_t sum[2];
    chunk_products<1>(weights + q * panel_bytes, panel_bytes, x, pairs, sum);
    finish_panels(w, q, 1, c0, last, sum, y);
  }
}

// Several rows' chunks (rows x[r] of C, r < count) against panels [first_panel, end_panel), two
// rows at a time.
void rows_panels(const PackedInt8& w, const std::int8_t* weights, const SplitRow* x, const std::size_t* row,
                 std::size_t count, std::size_t pairs, std::size_t c0, bool last, float* c, std::size_t first_panel,
                 std::size_t end_panel) {
  const std::size_t panel_bytes = int8_panel_bytes(w.cols);
  for (std::size_t q = first_panel; q < end_panel; ++q) {
    std::size_t r = 0;
    for (; r + 2 <= count; r += 2) {
      v128_t sum[2][2];
      chunk_products_rows<2>(weights + q * panel_bytes, x + r, pairs, sum);
      finish_panels(w, q, 1, c0, last, sum[0], c + row[r] * w.rows);
      finish_panels(w, q, 1, c0, last, sum[1], c + row[r + 1] * w.rows);
    }
    if (r < count) {
      v128_t sum[2];
      chunk_products<1>(weights + q * panel_bytes, panel_bytes, x[r], pairs, sum);
      finish_panels(w, q, 1, c0, last, sum, c + row[r] * w.rows);
    }
  }
}

// Outputs [first, end) of rows [0, m) of A (m, w.cols) into C (m, w.rows).
void products(const PackedInt8& w, const float* a, std::size_t m, float* c, std::size_t first, std::size_t end) {
  const std::size_t k = w.cols, n = w.rows;
  const std::size_t first_panel = first / kPanel, end_panel = (end + kPanel - 1) / kPanel;
  SplitRow rows[kRowBlock];
  for (std::size_t i0 = 0; i0 < m; i0 += kRowBlock) {
    std::size_t block[kRowBlock], count = 0;  // rows of this block on the int16 path
    for (std::size_t i = i0; i < std::min(m, i0 + kRowBlock); ++i) {
      const float step = int8_input_step(a + i * k, k);
      if (step == 0.f) {
        row_float32(w, a + i * k, c + i * n, first, end);
        continue;
      }
      rows[count].step = step;
      block[count++] = i;
    }
    for (std::size_t c0 = 0; count > 0 && (c0 == 0 || c0 < k); c0 += kInt8Chunk) {
      const std::size_t len = std::min(kInt8Chunk, k - c0), pairs = (len + 1) / 2;
      const bool last = c0 + len >= k;
      for (std::size_t r = 0; r < count; ++r) split_input_i16(a + block[r] * k + c0, len, rows[r].step, rows[r].hi, rows[r].lo);
      const std::int8_t* weights = w.panels.data() + c0 * 8;  // the chunk's first column pair
      if (count == 1)
        row_panels(w, weights, rows[0], pairs, c0, last, c + block[0] * n, first_panel, end_panel);
      else
        rows_panels(w, weights, rows, block, count, pairs, c0, last, c, first_panel, end_panel);
    }
  }
}

}  // namespace

void gemv_packed_rows_i8_wasm_simd(const PackedInt8& w, const float* x, float* y, std::size_t first,
                                   std::size_t end) {
  assert(first % kPanel == 0 && (end % kPanel == 0 || end == w.rows) && first <= end && end <= w.rows);
  assert(first == end || (x || w.cols == 0) && y);
  if (first < end) products(w, x, 1, y, first, end);
}

void gemv_packed_i8_wasm_simd(const PackedInt8& w, const float* x, float* y) {
  gemv_packed_rows_i8_wasm_simd(w, x, y, 0, w.rows);
}

void gemm_packed_i8_wasm_simd(const float* a, const PackedInt8& w, float* c, std::size_t m) {
  assert(m == 0 || w.rows == 0 || (c && (w.cols == 0 || a)));
  if (w.rows > 0) products(w, a, m, c, 0, w.rows);
}

}  // namespace rnn::kernels
