// Matrix-vector product: the batch-1 recurrence, W h, with W stored as PyTorch does (rows =
// outputs).
#pragma once

#include <cstddef>

#include "packed.h"

namespace rnn::kernels {

// y[i] = sum_j a[i*n + j] * x[j] (+ bias[i]) for i < m. a is row-major (m, n); bias may be
// null; y must not alias a or x. The reference: one loop per output, in order.
void gemv_f32_scalar(const float* a, const float* bias, const float* x, float* y, std::size_t m,
                     std::size_t n);

// The same with a = W packed by pack_weights (bias included there). SIMD build only.
void gemv_packed_f32_wasm_simd(const PackedWeights& w, const float* x, float* y);
// Only outputs [first, end) of it, each the same bits as in the whole product: one thread's share
// of a batch-1 step. first and end are multiples of w.panel, or end is w.rows.
void gemv_packed_rows_f32_wasm_simd(const PackedWeights& w, const float* x, float* y, std::size_t first,
                                    std::size_t end);

}  // namespace rnn::kernels
