// Weights repacked once, at load, for the SIMD matrix kernels. W is (rows, cols) as PyTorch
// stores it (one row per output). Packed, it is a sequence of panels of 8 output rows, each
// stored column-major: panel q holds W[8q + r][p] at panels[(q*cols + p)*8 + r]. A kernel then
// reads 8 outputs' weights for one input p as two contiguous v128 loads, and needs no
// horizontal sums. Rows past `rows` are zero, as is the padded bias.
#pragma once

#include <cstddef>
#include <vector>

namespace rnn::kernels {

constexpr std::size_t kPanel = 8;

struct PackedWeights {
  std::size_t rows = 0, cols = 0;
  std::vector<float> panels;  // ceil(rows/8) * cols * 8
  std::vector<float> bias;    // ceil(rows/8) * 8; zeros where there is no bias
};

// w: (rows, cols) row-major; bias: (rows) or null.
PackedWeights pack_weights(const float* w, const float* bias, std::size_t rows, std::size_t cols);

}  // namespace rnn::kernels
