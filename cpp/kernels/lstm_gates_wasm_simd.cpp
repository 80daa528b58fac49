// Four hidden units at a time: the four gates' pre-activations are summed, activated, and c and
// h updated while they are in registers. A tail shorter than four goes through zero-padded
// lanes with the same math. The backward takes the same four units at a time.
#include <cassert>
#include <wasm_simd128.h>

#include "lstm_gates.h"
#include "simd_util.h"

namespace rnn::kernels {

namespace {

// Units j..j+n-1 (n <= 4) of one batch row; `cache` already offset to the row, or null.
template <bool kCache>
inline void lstm_units(const float* x, const float* r, float* c, float* h, std::size_t hidden,
                       std::size_t j, Lanes lanes, float* cache, std::size_t stride) {
  const v128_t i = sigmoid_f32x4(wasm_f32x4_add(lanes.load(x + j), lanes.load(r + j)));
  const v128_t f = sigmoid_f32x4(wasm_f32x4_add(lanes.load(x + hidden + j), lanes.load(r + hidden + j)));
  const v128_t g = tanh_f32x4(wasm_f32x4_add(lanes.load(x + 2 * hidden + j), lanes.load(r + 2 * hidden + j)));
  const v128_t o = sigmoid_f32x4(wasm_f32x4_add(lanes.load(x + 3 * hidden + j), lanes.load(r + 3 * hidden + j)));
  const v128_t cell = wasm_f32x4_add(wasm_f32x4_mul(f, lanes.load(c + j)), wasm_f32x4_mul(i, g));
  const v128_t tc = tanh_f32x4(cell);
  lanes.store(c + j, cell);
  lanes.store(h + j, wasm_f32x4_mul(o, tc));
  if (kCache) {
    lanes.store(cache + j, i);
    lanes.store(cache + stride + j, f);
    lanes.store(cache + 2 * stride + j, g);
    lanes.store(cache + 3 * stride + j, o);
    lanes.store(cache + 4 * stride + j, tc);
  }
}

template <bool kCache>
void lstm_rows(const float* gi, const float* gh, float* c, float* h, std::size_t batch,
               std::size_t hidden, float* cache, std::size_t stride) {
  for (std::size_t b = 0; b < batch; ++b) {
    const float* x = gi + b * 4 * hidden;
    const float* r = gh + b * 4 * hidden;
    float* cb = c + b * hidden;
    float* hb = h + b * hidden;
    float* kb = kCache ? cache + b * hidden : nullptr;
    std::size_t j = 0;
    for (; j + 4 <= hidden; j += 4) lstm_units<kCache>(x, r, cb, hb, hidden, j, Lanes{4}, kb, stride);
    if (j < hidden) lstm_units<kCache>(x, r, cb, hb, hidden, j, Lanes{hidden - j}, kb, stride);
  }
}

inline void lstm_units_backward(const float* cache, std::size_t stride, const float* c_prev,
                                const float* dh, float* dc, float* d, std::size_t hidden,
                                std::size_t j, Lanes lanes) {
  const v128_t one = wasm_f32x4_splat(1.f);
  const v128_t i = lanes.load(cache + j), f = lanes.load(cache + stride + j);
  const v128_t g = lanes.load(cache + 2 * stride + j), o = lanes.load(cache + 3 * stride + j);
  const v128_t tc = lanes.load(cache + 4 * stride + j);
  const v128_t grad_h = lanes.load(dh + j);
  // The scalar kernel's expressions, in its order of operations.
  const v128_t dcell = wasm_f32x4_add(
      lanes.load(dc + j), wasm_f32x4_mul(wasm_f32x4_mul(grad_h, o), wasm_f32x4_sub(one, wasm_f32x4_mul(tc, tc))));
  auto sig = [&](v128_t grad, v128_t y) { return wasm_f32x4_mul(wasm_f32x4_mul(grad, y), wasm_f32x4_sub(one, y)); };
  lanes.store(d + j, sig(wasm_f32x4_mul(dcell, g), i));
  lanes.store(d + hidden + j, sig(wasm_f32x4_mul(dcell, lanes.load(c_prev + j)), f));
  lanes.store(d + 2 * hidden + j, wasm_f32x4_mul(wasm_f32x4_mul(dcell, i), wasm_f32x4_sub(one, wasm_f32x4_mul(g, g))));
  lanes.store(d + 3 * hidden + j, sig(wasm_f32x4_mul(grad_h, tc), o));
  lanes.store(dc + j, wasm_f32x4_mul(dcell, f));
}

}  // namespace

void lstm_gates_f32_wasm_simd(const float* gi, const float* gh, float* c, float* h,
                              std::size_t batch, std::size_t hidden, float* cache,
                              std::size_t cache_stride) {
  assert(batch == 0 || (gi && gh && c && h));
  if (cache)
    lstm_rows<true>(gi, gh, c, h, batch, hidden, cache, cache_stride);
  else
    lstm_rows<false>(gi, gh, c, h, batch, hidden, nullptr, 0);
}

void lstm_gates_backward_f32_wasm_simd(const float* cache, std::size_t cache_stride,
                                       const float* c_prev, const float* dh, float* dc,
                                       float* dgates, std::size_t batch, std::size_t hidden) {
  assert(batch == 0 || (cache && c_prev && dh && dc && dgates));
  for (std::size_t b = 0; b < batch; ++b) {
    const std::size_t row = b * hidden;
    float* d = dgates + b * 4 * hidden;
    std::size_t j = 0;
    for (; j + 4 <= hidden; j += 4)
      lstm_units_backward(cache + row, cache_stride, c_prev + row, dh + row, dc + row, d, hidden, j, Lanes{4});
    if (j < hidden)
      lstm_units_backward(cache + row, cache_stride, c_prev + row, dh + row, dc + row, d, hidden, j, Lanes{hidden - j});
  }
}

// Four units at a time from `first`: each unit's lanes compute what they compute in lstm_rows.
void lstm_gates_units_f32_wasm_simd(const float* gi, const float* gh, float* c, float* h, std::size_t hidden,
                                    std::size_t first, std::size_t end) {
  assert(first <= end && end <= hidden);
  std::size_t j = first;
  for (; j + 4 <= end; j += 4) lstm_units<false>(gi, gh, c, h, hidden, j, Lanes{4}, nullptr, 0);
  if (j < end) lstm_units<false>(gi, gh, c, h, hidden, j, Lanes{end - j}, nullptr, 0);
}

}  // namespace rnn::kernels
