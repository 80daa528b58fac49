// The LSTM step after the two projections, fused into one pass over the gates, and its backward.
#pragma once

#include <cstddef>

namespace rnn::kernels {

// The cache a training forward keeps for the backward: planes of (batch, hidden) floats, plane k
// at cache + k * cache_stride (a layer keeps every step's planes side by side, so its stride is
// steps * batch * hidden; a single step's is batch * hidden).
constexpr std::size_t kLstmCachePlanes = 5;  // i, f, g, o after their nonlinearity, tanh(c')

// For each batch row: gates = gi + gh in blocks i, f, g, o of `hidden` each;
//   c = sigmoid(f) * c + sigmoid(i) * tanh(g);   h = sigmoid(o) * tanh(c).
// gi, gh: (batch, 4*hidden); c: (batch, hidden), updated in place; h: (batch, hidden), written;
// h must not alias gi, gh or c. cache: null (inference), or kLstmCachePlanes planes, written.
void lstm_gates_f32_scalar(const float* gi, const float* gh, float* c, float* h, std::size_t batch,
                           std::size_t hidden, float* cache = nullptr, std::size_t cache_stride = 0);
void lstm_gates_f32_wasm_simd(const float* gi, const float* gh, float* c, float* h,
                              std::size_t batch, std::size_t hidden, float* cache = nullptr,
                              std::size_t cache_stride = 0);

// The same for one batch row's units [first, end) only, without a cache: a thread's share of a
// batch-1 step. Each unit gets the bits lstm_gates_f32 gives it.
void lstm_gates_units_f32_scalar(const float* gi, const float* gh, float* c, float* h, std::size_t hidden,
                                 std::size_t first, std::size_t end);
void lstm_gates_units_f32_wasm_simd(const float* gi, const float* gh, float* c, float* h, std::size_t hidden,
                                    std::size_t first, std::size_t end);

// Backward of one step, from the forward's cache and c_prev (batch, hidden), the c it started
// from. dh (batch, hidden): dL/dh. dc (batch, hidden): dL/dc' in, dL/dc_prev out. dgates
// (batch, 4*hidden): dL/d(pre-activation gates) out, the same for gi and gh:
//   dc' += dh * o * (1 - tanh²c');  do = dh * tanh c';  di = dc' g;  df = dc' c_prev;  dg = dc' i
//   dc_prev = dc' f;  d(pre) = di i(1-i), df f(1-f), dg (1-g²), do o(1-o)
void lstm_gates_backward_f32_scalar(const float* cache, std::size_t cache_stride, const float* c_prev,
                                    const float* dh, float* dc, float* dgates, std::size_t batch,
                                    std::size_t hidden);
void lstm_gates_backward_f32_wasm_simd(const float* cache, std::size_t cache_stride,
                                       const float* c_prev, const float* dh, float* dc,
                                       float* dgates, std::size_t batch, std::size_t hidden);

inline void lstm_gates_f32(const float* gi, const float* gh, float* c, float* h, std::size_t batch,
                           std::size_t hidden, float* cache = nullptr, std::size_t cache_stride = 0) {
#ifdef RNN_HAVE_WASM_SIMD
  lstm_gates_f32_wasm_simd(gi, gh, c, h, batch, hidden, cache, cache_stride);
#else
  lstm_gates_f32_scalar(gi, gh, c, h, batch, hidden, cache, cache_stride);
#endif
}

inline void lstm_gates_units_f32(const float* gi, const float* gh, float* c, float* h, std::size_t hidden,
                                 std::size_t first, std::size_t end) {
#ifdef RNN_HAVE_WASM_SIMD
  lstm_gates_units_f32_wasm_simd(gi, gh, c, h, hidden, first, end);
#else
  lstm_gates_units_f32_scalar(gi, gh, c, h, hidden, first, end);
#endif
}

inline void lstm_gates_backward_f32(const float* cache, std::size_t cache_stride, const float* c_prev,
                                    const float* dh, float* dc, float* dgates, std::size_t batch,
                                    std::size_t hidden) {
#ifdef RNN_HAVE_WASM_SIMD
  lstm_gates_backward_f32_wasm_simd(cache, cache_stride, c_prev, dh, dc, dgates, batch, hidden);
#else
  lstm_gates_backward_f32_scalar(cache, cache_stride, c_prev, dh, dc, dgates, batch, hidden);
#endif
}

}  // namespace rnn::kernels
