// The GRU step after the two projections, fused into one pass over the gates, and its backward.
#pragma once

#include <cstddef>

namespace rnn::kernels {

// The cache a training forward keeps, in planes as lstm_gates.h describes: r, z, n after their
// nonlinearity, and W_hn h + b_hn (what r scaled).
constexpr std::size_t kGruCachePlanes = 4;

// For each batch row, blocks r, z, n of `hidden` each:
//   r = sigmoid(gi_r + gh_r);  z = sigmoid(gi_z + gh_z);  n = tanh(gi_n + r * gh_n)
//   h_out = (h - n) * z + n    (= (1 - z) n + z h, in ATen's order of operations)
// gi, gh: (batch, 3*hidden), gh including b_hh so that r scales W_hn h + b_hn;
// h, h_out: (batch, hidden); h_out may alias h. cache: null, or kGruCachePlanes planes, written.
void gru_gates_f32_scalar(const float* gi, const float* gh, const float* h, float* h_out,
                          std::size_t batch, std::size_t hidden, float* cache = nullptr,
                          std::size_t cache_stride = 0);
void gru_gates_f32_wasm_simd(const float* gi, const float* gh, const float* h, float* h_out,
                             std::size_t batch, std::size_t hidden, float* cache = nullptr,
                             std::size_t cache_stride = 0);

// The same for one batch row's units [first, end) only, without a cache: a thread's share of a
// batch-1 step. Each unit gets the bits gru_gates_f32 gives it.
void gru_gates_units_f32_scalar(const float* gi, const float* gh, const float* h, float* h_out,
                                std::size_t hidden, std::size_t first, std::size_t end);
void gru_gates_units_f32_wasm_simd(const float* gi, const float* gh, const float* h, float* h_out,
                                   std::size_t hidden, std::size_t first, std::size_t end);

// Backward of one step, from the forward's cache and h_prev (batch, hidden). dh (batch, hidden):
// dL/dh_out. Writes dgi and dgh (batch, 3*hidden), the gradients of gi and gh, which differ in
// the n block, and dh_prev (batch, hidden), the part of dL/dh_prev that skips W_hh:
//   dn = dh (1 - z) (1 - n²);  dz = dh (h_prev - n) z(1-z);  dh_prev = dh z
//   dgi_n = dn;  dgh_n = dn r;  dr = dn gh_n r(1-r);  dgi_r = dgh_r = dr;  dgi_z = dgh_z = dz
void gru_gates_backward_f32_scalar(const float* cache, std::size_t cache_stride, const float* h_prev,
                                   const float* dh, float* dgi, float* dgh, float* dh_prev,
                                   std::size_t batch, std::size_t hidden);
void gru_gates_backward_f32_wasm_simd(const float* cache, std::size_t cache_stride,
                                      const float* h_prev, const float* dh, float* dgi, float* dgh,
                                      float* dh_prev, std::size_t batch, std::size_t hidden);

inline void gru_gates_f32(const float* gi, const float* gh, const float* h, float* h_out,
                          std::size_t batch, std::size_t hidden, float* cache = nullptr,
                          std::size_t cache_stride = 0) {
#ifdef RNN_HAVE_WASM_SIMD
  gru_gates_f32_wasm_simd(gi, gh, h, h_out, batch, hidden, cache, cache_stride);
#else
  gru_gates_f32_scalar(gi, gh, h, h_out, batch, hidden, cache, cache_stride);
#endif
}

inline void gru_gates_units_f32(const float* gi, const float* gh, const float* h, float* h_out,
                                std::size_t hidden, std::size_t first, std::size_t end) {
#ifdef RNN_HAVE_WASM_SIMD
  gru_gates_units_f32_wasm_simd(gi, gh, h, h_out, hidden, first, end);
#else
  gru_gates_units_f32_scalar(gi, gh, h, h_out, hidden, first, end);
#endif
}

inline void gru_gates_backward_f32(const float* cache, std::size_t cache_stride, const float* h_prev,
                                   const float* dh, float* dgi, float* dgh, float* dh_prev,
                                   std::size_t batch, std::size_t hidden) {
#ifdef RNN_HAVE_WASM_SIMD
  gru_gates_backward_f32_wasm_simd(cache, cache_stride, h_prev, dh, dgi, dgh, dh_prev, batch, hidden);
#else
  gru_gates_backward_f32_scalar(cache, cache_stride, h_prev, dh, dgi, dgh, dh_prev, batch, hidden);
#endif
}

}  // namespace rnn::kernels
