// Matrix-matrix product C = A Wᵀ (+ bias): the input projection of a whole sequence, x W_ihᵀ,
// and the batched recurrence, h W_hhᵀ, with W stored as PyTorch does, (out_features, in_features).
#pragma once

#include <cstddef>

#include "packed.h"

namespace rnn::kernels {

// c[i*n + j] = sum_p a[i*k + p] * w[j*k + p] (+ bias[j]) for i < m, j < n.
// a: (m, k), w: (n, k), c: (m, n), all row-major; bias (n) or null; c must not alias a or w.
void gemm_f32_scalar(const float* a, const float* w, const float* bias, float* c, std::size_t m,
                     std::size_t n, std::size_t k);

// The same with w packed by pack_weights (bias included there). SIMD build only.
void gemm_packed_f32_wasm_simd(const float* a, const PackedWeights& w, float* c, std::size_t m);

}  // namespace rnn::kernels
