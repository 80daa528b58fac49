#include "packed.h"

namespace rnn::kernels {

PackedWeights pack_weights(const float* w, const float* bias, std::size_t rows, std::size_t cols) {
  PackedWeights out;
  out.rows = rows;
  out.cols = cols;
  const std::size_t panels = (rows + kPanel - 1) / kPanel;
  out.panels.assign(panels * cols * kPanel, 0.f);
  out.bias.assign(panels * kPanel, 0.f);
  for (std::size_t row = 0; row < rows; ++row) {
    const std::size_t q = row / kPanel, r = row % kPanel;
    for (std::size_t p = 0; p < cols; ++p) out.panels[(q * cols + p) * kPanel + r] = w[row * cols + p];
    if (bias) out.bias[row] = bias[row];
  }
  return out;
}

}  // namespace rnn::kernels
