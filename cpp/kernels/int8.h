// Weight-only int8: a weight matrix W (rows, cols) kept as int8 q with one float32 scale per row
// (per output, so per gate row of a recurrent matrix), symmetric:
//
//   scale_i = max_j |W_ij| / 127   (1 for a row of zeros, so that no scale is 0)
//   q_ij    = round(W_ij / scale_i), in [-127, 127]   (half to even, as torch.round)
//   W'_ij   = q_ij * scale_i        (the dequantized weight, float32)
//
// Activations and biases stay float32; products accumulate in float32. python/rnn_wasm/int8.py
// is the same scheme in PyTorch, so "what int8 computes" is PyTorch run on W'.
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

// q packed for the SIMD kernels like PackedWeights, in 8-row panels only: panel p holds
// q[8p + r][j] at panels[(p*cols + j)*8 + r]. Rows past `rows` have q = 0, scale 1 and bias 0.
// The baseline build keeps q row-major in `panels` (one panel of all rows) and reads it as is.
struct PackedInt8 {
  std::size_t rows = 0, cols = 0;
  std::vector<std::int8_t, CacheLineAllocator<std::int8_t>> panels;
  std::vector<float> scales, bias;  // padded to whole panels (SIMD build)
};
PackedInt8 pack_int8(const std::int8_t* q, const float* scales, const float* bias, std::size_t rows,
                     std::size_t cols);
// Back to q (rows, cols) row-major and scales (rows).
void unpack_int8(const PackedInt8& w, std::int8_t* q, float* scales);

// y_i = sum_j W'_ij x_j + bias_i for i < m, W'_ij = q_ij * scale_i: gemv_f32_scalar on W'. q
// row-major (m, n); bias may be null.
void gemv_i8_scalar(const std::int8_t* q, const float* scales, const float* bias, const float* x, float* y,
                    std::size_t m, std::size_t n);

// C = A W'ᵀ + bias for A (m, k): each row of C as gemv_i8_scalar gives it.
void gemm_i8_scalar(const float* a, const std::int8_t* q, const float* scales, const float* bias, float* c,
                    std::size_t m, std::size_t n, std::size_t k);

// The same products over pack_int8's panels. SIMD build only.
void gemv_packed_i8_wasm_simd(const PackedInt8& w, const float* x, float* y);
// Outputs [first, end) only, each the same bits as in the whole product; first and end are
// multiples of 8, or end is w.rows.
void gemv_packed_rows_i8_wasm_simd(const PackedInt8& w, const float* x, float* y, std::size_t first,
                                   std::size_t end);
// Allocates nothing (worker threads run it).
void gemm_packed_i8_wasm_simd(const float* a, const PackedInt8& w, float* c, std::size_t m);
// The same bits, faster for many rows, but it allocates: for the calling thread only.
void gemm_packed_i8_by_blocks_wasm_simd(const float* a, const PackedInt8& w, float* c, std::size_t m);

}  // namespace rnn::kernels
