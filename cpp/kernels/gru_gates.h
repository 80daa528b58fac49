// The GRU step after the two projections, fused into one pass over the gates.
#pragma once

#include <cstddef>

namespace rnn::kernels {

// For each batch row, blocks r, z, n of `hidden` each:
//   r = sigmoid(gi_r + gh_r);  z = sigmoid(gi_z + gh_z);  n = tanh(gi_n + r * gh_n)
//   h_out = (h - n) * z + n    (= (1 - z) n + z h, in ATen's order of operations)
// gi, gh: (batch, 3*hidden), gh including b_hh so that r scales W_hn h + b_hn;
// h, h_out: (batch, hidden); h_out may alias h.
void gru_gates_f32_scalar(const float* gi, const float* gh, const float* h, float* h_out,
                          std::size_t batch, std::size_t hidden);
void gru_gates_f32_wasm_simd(const float* gi, const float* gh, const float* h, float* h_out,
                             std::size_t batch, std::size_t hidden);

inline void gru_gates_f32(const float* gi, const float* gh, const float* h, float* h_out,
                          std::size_t batch, std::size_t hidden) {
#ifdef RNN_HAVE_WASM_SIMD
  gru_gates_f32_wasm_simd(gi, gh, h, h_out, batch, hidden);
#else
  gru_gates_f32_scalar(gi, gh, h, h_out, batch, hidden);
#endif
}

}  // namespace rnn::kernels
