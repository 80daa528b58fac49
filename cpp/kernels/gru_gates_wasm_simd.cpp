// Four hidden units at a time, r, z and n activated and h updated in registers; a tail shorter
// than four goes through zero-padded lanes with the same math. The backward likewise.
#include <cassert>
#include <wasm_simd128.h>

#include "gru_gates.h"
#include "simd_util.h"

namespace rnn::kernels {

namespace {

template <bool kCache>
inline void gru_units(const float* x, const float* s, const float* h, float* h_out, std::size_t hidden,
                      std::size_t j, Lanes lanes, float* cache, std::size_t stride) {
  const v128_t r = sigmoid_f32x4(wasm_f32x4_add(lanes.load(x + j), lanes.load(s + j)));
  const v128_t z = sigmoid_f32x4(wasm_f32x4_add(lanes.load(x + hidden + j), lanes.load(s + hidden + j)));
  const v128_t hn = lanes.load(s + 2 * hidden + j);
  const v128_t cand = tanh_f32x4(wasm_f32x4_add(lanes.load(x + 2 * hidden + j), wasm_f32x4_mul(r, hn)));
  const v128_t out = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_sub(lanes.load(h + j), cand), z), cand);
  if (kCache) {
    lanes.store(cache + j, r);
    lanes.store(cache + stride + j, z);
    lanes.store(cache + 2 * stride + j, cand);
    lanes.store(cache + 3 * stride + j, hn);
  }
  lanes.store(h_out + j, out);
}

template <bool kCache>
void gru_rows(const float* gi, const float* gh, const float* h, float* h_out, std::size_t batch,
              std::size_t hidden, float* cache, std::size_t stride) {
  for (std::size_t b = 0; b < batch; ++b) {
    const float* x = gi + b * 3 * hidden;
    const float* s = gh + b * 3 * hidden;
    const float* hb = h + b * hidden;
    float* ob = h_out + b * hidden;
    float* kb = kCache ? cache + b * hidden : nullptr;
    std::size_t j = 0;
    for (; j + 4 <= hidden; j += 4) gru_units<kCache>(x, s, hb, ob, hidden, j, Lanes{4}, kb, stride);
    if (j < hidden) gru_units<kCache>(x, s, hb, ob, hidden, j, Lanes{hidden - j}, kb, stride);
  }
}

inline void gru_units_backward(const float* cache, std::size_t stride, const float* h_prev,
                               const float* dh, float* di, float* dg, float* dh_prev,
                               std::size_t hidden, std::size_t j, Lanes lanes) {
  const v128_t one = wasm_f32x4_splat(1.f);
  const v128_t r = lanes.load(cache + j), z = lanes.load(cache + stride + j);
  const v128_t n = lanes.load(cache + 2 * stride + j), hn = lanes.load(cache + 3 * stride + j);
  const v128_t grad = lanes.load(dh + j);
  // The scalar kernel's expressions, in its order of operations.
  const v128_t dn = wasm_f32x4_mul(wasm_f32x4_mul(grad, wasm_f32x4_sub(one, z)), wasm_f32x4_sub(one, wasm_f32x4_mul(n, n)));
  const v128_t dz = wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_mul(grad, wasm_f32x4_sub(lanes.load(h_prev + j), n)), z),
                                   wasm_f32x4_sub(one, z));
  const v128_t dr = wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_mul(dn, hn), r), wasm_f32x4_sub(one, r));
  lanes.store(di + j, dr);
  lanes.store(dg + j, dr);
  lanes.store(di + hidden + j, dz);
  lanes.store(dg + hidden + j, dz);
  lanes.store(di + 2 * hidden + j, dn);
  lanes.store(dg + 2 * hidden + j, wasm_f32x4_mul(dn, r));
  lanes.store(dh_prev + j, wasm_f32x4_mul(grad, z));
}

}  // namespace

void gru_gates_f32_wasm_simd(const float* gi, const float* gh, const float* h, float* h_out,
                             std::size_t batch, std::size_t hidden, float* cache, std::size_t cache_stride) {
  assert(batch == 0 || (gi && gh && h && h_out));
  if (cache)
    gru_rows<true>(gi, gh, h, h_out, batch, hidden, cache, cache_stride);
  else
    gru_rows<false>(gi, gh, h, h_out, batch, hidden, nullptr, 0);
}

void gru_gates_backward_f32_wasm_simd(const float* cache, std::size_t cache_stride,
                                      const float* h_prev, const float* dh, float* dgi, float* dgh,
                                      float* dh_prev, std::size_t batch, std::size_t hidden) {
  assert(batch == 0 || (cache && h_prev && dh && dgi && dgh && dh_prev));
  for (std::size_t b = 0; b < batch; ++b) {
    const std::size_t row = b * hidden;
    float* di = dgi + b * 3 * hidden;
    float* dg = dgh + b * 3 * hidden;
    std::size_t j = 0;
    for (; j + 4 <= hidden; j += 4)
      gru_units_backward(cache + row, cache_stride, h_prev + row, dh + row, di, dg, dh_prev + row, hidden, j, Lanes{4});
    if (j < hidden)
      gru_units_backward(cache + row, cache_stride, h_prev + row, dh + row, di, dg, dh_prev + row, hidden, j,
                         Lanes{hidden - j});
  }
}

// Four units at a time from `first`: each unit's lanes compute what they compute in gru_rows.
void gru_gates_units_f32_wasm_simd(const float* gi, const float* gh, const float* h, float* h_out,
                                   std::size_t hidden, std::size_t first, std::size_t end) {
  assert(first <= end && end <= hidden);
  std::size_t j = first;
  for (; j + 4 <= end; j += 4) gru_units<false>(gi, gh, h, h_out, hidden, j, Lanes{4}, nullptr, 0);
  if (j < end) gru_units<false>(gi, gh, h, h_out, hidden, j, Lanes{end - j}, nullptr, 0);
}

}  // namespace rnn::kernels
