// The int8 scheme (int8.h): quantizing, packing and back. Run at load, not per call, but compiled
// -O3 as the other kernels are: compiled for size (-Oz), loadModel of the demo's next-word model
// took 13.5 ms instead of 9.7 (float32: 9.0).
#include <algorithm>
#include <cmath>

#include "int8.h"

namespace rnn::kernels {

void quantize_rows_i8(const float* w, std::size_t rows, std::size_t cols, std::int8_t* q, float* scales) {
  for (std::size_t i = 0; i < rows; ++i) {
    const float* row = w + i * cols;
    float largest = 0.f;
    for (std::size_t j = 0; j < cols; ++j) largest = std::max(largest, std::fabs(row[j]));
    const float scale = largest > 0.f ? largest / 127.f : 1.f;
    scales[i] = scale;
    for (std::size_t j = 0; j < cols; ++j) {
      const float level = std::nearbyint(row[j] / scale);  // ties to even, as torch.round
      q[i * cols + j] = static_cast<std::int8_t>(std::clamp(level, -127.f, 127.f));
    }
  }
}

void dequantize_rows_i8(const std::int8_t* q, const float* scales, std::size_t rows, std::size_t cols, float* w) {
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) w[i * cols + j] = float(q[i * cols + j]) * scales[i];
}

PackedInt8 pack_int8(const std::int8_t* q, const float* scales, const float* bias, std::size_t rows,
                     std::size_t cols) {
  PackedInt8 out;
  out.rows = rows;
  out.cols = cols;
#ifdef RNN_HAVE_WASM_SIMD
  const std::size_t padded = (rows + kPanel - 1) / kPanel * kPanel;
  out.panels.assign(padded / kPanel * int8_panel_bytes(cols), 0);
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) out.panels[int8_panel_index(i, j, cols)] = q[i * cols + j];
#else
  const std::size_t padded = rows;
  out.panels.assign(q, q + rows * cols);
#endif
  out.scales.assign(padded, 1.f);
  out.bias.assign(padded, 0.f);
  std::copy_n(scales, rows, out.scales.begin());
  if (bias) std::copy_n(bias, rows, out.bias.begin());
  return out;
}

void unpack_int8(const PackedInt8& w, std::int8_t* q, float* scales) {
  std::copy_n(w.scales.begin(), w.rows, scales);
#ifdef RNN_HAVE_WASM_SIMD
  for (std::size_t i = 0; i < w.rows; ++i)
    for (std::size_t j = 0; j < w.cols; ++j) q[i * w.cols + j] = w.panels[int8_panel_index(i, j, w.cols)];
#else
  std::copy_n(w.panels.begin(), w.rows * w.cols, q);
#endif
}

}  // namespace rnn::kernels
