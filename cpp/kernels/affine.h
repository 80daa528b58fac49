// y = x Wᵀ + b, the building block of every cell and of Linear.
#pragma once

#include <cstddef>

#include "activations.h"
#include "gemm.h"
#include "gemv.h"

namespace rnn::kernels {

// x: (rows, in), w: (out, in) as PyTorch stores it, b: (out) or null, y: (rows, out).
inline void affine_f32(const float* x, const float* w, const float* b, float* y, std::size_t rows,
                       std::size_t out, std::size_t in) {
  if (rows == 1)
    gemv_f32(w, x, y, out, in);  // one row: W x, streaming W once
  else
    gemm_f32(x, w, y, rows, out, in);
  if (b) add_row_bias_f32(y, b, rows, out);
}

}  // namespace rnn::kernels
