// Four hidden units at a time: the four gates' pre-activations are summed, activated, and c and
// h updated while they are in registers. A tail shorter than four goes through zero-padded
// lanes with the same math.
#include <cassert>
#include <wasm_simd128.h>

#include "lstm_gates.h"
#include "simd_util.h"

namespace rnn::kernels {

namespace {

// Units j..j+n-1 (n <= 4) of one batch row.
inline void lstm_units(const float* x, const float* r, float* c, float* h, std::size_t hidden,
                       std::size_t j, std::size_t n) {
  auto load = [n](const float* p) { return n == 4 ? wasm_v128_load(p) : load_partial(p, n); };
  const v128_t i = sigmoid_f32x4(wasm_f32x4_add(load(x + j), load(r + j)));
  const v128_t f = sigmoid_f32x4(wasm_f32x4_add(load(x + hidden + j), load(r + hidden + j)));
  const v128_t g = tanh_f32x4(wasm_f32x4_add(load(x + 2 * hidden + j), load(r + 2 * hidden + j)));
  const v128_t o = sigmoid_f32x4(wasm_f32x4_add(load(x + 3 * hidden + j), load(r + 3 * hidden + j)));
  const v128_t cell = wasm_f32x4_add(wasm_f32x4_mul(f, load(c + j)), wasm_f32x4_mul(i, g));
  const v128_t out = wasm_f32x4_mul(o, tanh_f32x4(cell));
  if (n == 4) {
    wasm_v128_store(c + j, cell);
    wasm_v128_store(h + j, out);
  } else {
    store_partial(c + j, cell, n);
    store_partial(h + j, out, n);
  }
}

}  // namespace

void lstm_gates_f32_wasm_simd(const float* gi, const float* gh, float* c, float* h,
                              std::size_t batch, std::size_t hidden) {
  assert(batch == 0 || (gi && gh && c && h));
  for (std::size_t b = 0; b < batch; ++b) {
    const float* x = gi + b * 4 * hidden;
    const float* r = gh + b * 4 * hidden;
    float* cb = c + b * hidden;
    float* hb = h + b * hidden;
    std::size_t j = 0;
    for (; j + 4 <= hidden; j += 4) lstm_units(x, r, cb, hb, hidden, j, 4);
    if (j < hidden) lstm_units(x, r, cb, hb, hidden, j, hidden - j);
  }
}

}  // namespace rnn::kernels
