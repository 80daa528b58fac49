// Weight-only int8: a weight matrix W (rows, cols) kept as int8 q with one float32 scale per row
// (per output, so per gate row of a recurrent matrix), symmetric:
//
//   scale_i = max_j |W_ij| / 127   (1 for a row of zeros, so that no scale is 0)
//   q_ij    = round(W_ij / scale_i), in [-127, 127]   (half to even, as torch.round)
//   W'_ij   = q_ij * scale_i        (the dequantized weight, float32)
//
// Activations and biases stay float32. python/rnn_wasm/int8.py is the same scheme in PyTorch, so
// "what int8 computes" is PyTorch run on W' (within float32's error: the products below).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "packed.h"

namespace rnn::kernels {

// q (rows, cols) and scales (rows) from w (rows, cols), as above. w must be finite.
void quantize_rows_i8(const float* w, std::size_t rows, std::size_t cols, std::int8_t* q, float* scales);

// W' = q * scale, row by row, into w (rows, cols).
void dequantize_rows_i8(const std::int8_t* q, const float* scales, std::size_t rows, std::size_t cols, float* w);

// q packed for the SIMD kernels in 8-row panels of column pairs: for columns 2t and 2t + 1,
// panel p holds rows 8p..8p+7 as 16 bytes, q[8p + r][2t] and q[8p + r][2t + 1] side by side
// (int8_panel_index), the pairs i32x4.dot_i16x8_s multiplies with two inputs. Rows past `rows`,
// and the column past an odd `cols`, are q = 0, with scale 1 and bias 0. The baseline build
// keeps q row-major in `panels` and reads it as is.
struct PackedInt8 {
  std::size_t rows = 0, cols = 0;
  std::vector<std::int8_t, CacheLineAllocator<std::int8_t>> panels;
  std::vector<float> scales, bias;  // padded to whole panels (SIMD build)
};
PackedInt8 pack_int8(const std::int8_t* q, const float* scales, const float* bias, std::size_t rows,
                     std::size_t cols);
// Back to q (rows, cols) row-major and scales (rows).
void unpack_int8(const PackedInt8& w, std::int8_t* q, float* scales);

// Bytes of one panel: 16 per column pair.
inline std::size_t int8_panel_bytes(std::size_t cols) { return (cols + 1) / 2 * 2 * kPanel; }
inline std::size_t int8_panel_index(std::size_t row, std::size_t col, std::size_t cols) {
  return row / kPanel * int8_panel_bytes(cols) + (col / 2 * kPanel + row % kPanel) * 2 + col % 2;
}

// What the products compute. Summing q_ij x_j in float32 needs each q turned into a float and
// scaled (13 wasm instructions per 8 weights, slower than float32 weights); instead the input
// is split into two int16 parts on a power-of-two step, so that every product is an integer:
//
//   step  = 2^(floor(log2 max_j |x_j|) - 13)          (max |x_j| / step < 2^14)
//   hi_j  = round(x_j / step),  lo_j = round((x_j / step - hi_j) * 2^15)   (|hi|, |lo| <= 2^14)
//   x_j  ~= (hi_j + lo_j / 2^15) * step,  off by at most step / 2^16 (max |x_j| / 2^29)
//
//   per chunk c of kInt8Chunk columns:  A_ci = sum q_ij hi_j,  B_ci = sum q_ij lo_j   (int32, exact)
//   y_i = (sum over c, in order, of (float(A_ci) * step + float(B_ci) * (step / 2^15))) * scale_i + bias_i
//
// The integer sums are exact in any order, so the matrix-vector and matrix-matrix kernels, row
// slices of either, any thread count and the scalar reference all give a row the same bits.
// The chunks keep the int32 sums from overflowing (512 * 127 * 2^14 < 2^31). An input with a
// value that is not finite, or whose largest magnitude is outside [2^-90, 2^90], where the
// steps would leave float32's normal range, is summed in float32 on W' instead, in column
// order from 0 (int8_row_float32), its result then bias_i + that sum.
constexpr std::size_t kInt8Chunk = 512;

// The step for x (n values), or 0 when x takes the float32 path. 1 for all zeros.
float int8_input_step(const float* x, std::size_t n);
// hi and lo (n values, and one zero more when n is odd) for x on `step`.
void split_input_i16(const float* x, std::size_t n, float step, std::int16_t* hi, std::int16_t* lo);

// sum_j (float(q_j) * scale) * x_j in float32, j = 0..n-1 in order, for q_j = q(j).
template <class Q>
float int8_row_float32(Q q, float scale, const float* x, std::size_t n) {
  float sum = 0.f;
  for (std::size_t j = 0; j < n; ++j) sum += float(q(j)) * scale * x[j];
  return sum;
}

// y_i as above for i < m: q row-major (m, n); bias may be null. The reference of the SIMD
// kernels, and the baseline build's kernel.
void gemv_i8_scalar(const std::int8_t* q, const float* scales, const float* bias, const float* x, float* y,
                    std::size_t m, std::size_t n);

// C = A W'ᵀ + bias for A (m, k): each row of C as gemv_i8_scalar gives it.
void gemm_i8_scalar(const float* a, const std::int8_t* q, const float* scales, const float* bias, float* c,
                    std::size_t m, std::size_t n, std::size_t k);

// The same products over pack_int8's panels, the same bits. SIMD build only. None allocates
// (worker threads run them).
void gemv_packed_i8_wasm_simd(const PackedInt8& w, const float* x, float* y);
// Outputs [first, end) only; first and end are multiples of 8, or end is w.rows.
void gemv_packed_rows_i8_wasm_simd(const PackedInt8& w, const float* x, float* y, std::size_t first,
                                   std::size_t end);
void gemm_packed_i8_wasm_simd(const float* a, const PackedInt8& w, float* c, std::size_t m);

}  // namespace rnn::kernels
