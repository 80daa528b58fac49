// The LSTM step after the two projections, fused into one pass over the gates.
#pragma once

#include <cstddef>

namespace rnn::kernels {

// For each batch row: gates = gi + gh in blocks i, f, g, o of `hidden` each;
//   c = sigmoid(f) * c + sigmoid(i) * tanh(g);   h = sigmoid(o) * tanh(c).
// gi, gh: (batch, 4*hidden); c: (batch, hidden), updated in place; h: (batch, hidden), written;
// h must not alias gi, gh or c.
void lstm_gates_f32_scalar(const float* gi, const float* gh, float* c, float* h, std::size_t batch,
                           std::size_t hidden);
void lstm_gates_f32_wasm_simd(const float* gi, const float* gh, float* c, float* h,
                              std::size_t batch, std::size_t hidden);

inline void lstm_gates_f32(const float* gi, const float* gh, float* c, float* h, std::size_t batch,
                           std::size_t hidden) {
#ifdef RNN_HAVE_WASM_SIMD
  lstm_gates_f32_wasm_simd(gi, gh, c, h, batch, hidden);
#else
  lstm_gates_f32_scalar(gi, gh, c, h, batch, hidden);
#endif
}

}  // namespace rnn::kernels
