#include "packed.h"

#include <cassert>

namespace rnn::kernels {

std::size_t panel_rows_for(std::size_t rows, std::size_t cols) {
  constexpr std::size_t kRowMultiple = 4 * kWidePanel;
  constexpr std::size_t kMaxCols = 512;
  return rows % kRowMultiple == 0 && cols <= kMaxCols ? kWidePanel : kPanel;
}

PackedWeights pack_weights(const float* w, const float* bias, std::size_t rows, std::size_t cols,
                           std::size_t panel) {
  assert(panel == kPanel || panel == kWidePanel);
  PackedWeights out;
  out.rows = rows;
  out.cols = cols;
  out.panel = panel;
  const std::size_t panels = (rows + panel - 1) / panel;
  out.panels.assign(panels * cols * panel, 0.f);
  out.bias.assign(panels * panel, 0.f);
  for (std::size_t row = 0; row < rows; ++row) {
    for (std::size_t p = 0; p < cols; ++p) out.panels[panel_index(row, p, cols, panel)] = w[row * cols + p];
    if (bias) out.bias[row] = bias[row];
  }
  return out;
}

PackedWeights pack_columns(const float* b, std::size_t k, std::size_t n) {
  PackedWeights out;
  out.rows = n;
  out.cols = k;
  out.panel = kPanel;
  const std::size_t panels = (n + kPanel - 1) / kPanel;
  out.panels.assign(panels * k * kPanel, 0.f);
  out.bias.assign(panels * kPanel, 0.f);
  // Row p of B holds input p's weights for every output: read it once, in order.
  for (std::size_t p = 0; p < k; ++p)
    for (std::size_t j = 0; j < n; ++j) out.panels[panel_index(j, p, k, kPanel)] = b[p * n + j];
  return out;
}

}  // namespace rnn::kernels
