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

// The same with w packed by pack_weights (bias included there), or B packed by pack_columns
// (then c = A B). SIMD build only.
void gemm_packed_f32_wasm_simd(const float* a, const PackedWeights& w, float* c, std::size_t m);

// Backward passes. Each sum is formed from zero in p order and then stored (or added) to c, so
// that the SIMD variants, which take the same order, give the same bits.

// c[i*n + j] (+)= sum_p a[i*k + p] * b[p*n + j]: c = A B with B (k, n) row-major, the input
// gradient dx = dy W. accumulate: add to c instead of overwriting it. (The SIMD build packs B
// with pack_columns and runs gemm_packed_f32_wasm_simd; see Affine::apply_backward.)
void gemm_nn_f32_scalar(const float* a, const float* b, float* c, std::size_t m, std::size_t n,
                        std::size_t k, bool accumulate);

// c[i*n + j] += sum_p a[p*m + i] * b[p*n + j]: c += Aᵀ B with A (k, m) and B (k, n) row-major,
// the weight gradient over every time step at once (dW += dyᵀ x, p running over steps x batch).
void gemm_tn_f32_scalar(const float* a, const float* b, float* c, std::size_t m, std::size_t n, std::size_t k);
void gemm_tn_f32_wasm_simd(const float* a, const float* b, float* c, std::size_t m, std::size_t n, std::size_t k);

inline void gemm_tn_f32(const float* a, const float* b, float* c, std::size_t m, std::size_t n, std::size_t k) {
#ifdef RNN_HAVE_WASM_SIMD
  gemm_tn_f32_wasm_simd(a, b, c, m, n, k);
#else
  gemm_tn_f32_scalar(a, b, c, m, n, k);
#endif
}

}  // namespace rnn::kernels
