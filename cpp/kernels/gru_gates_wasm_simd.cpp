// Four hidden units at a time, r, z and n activated and h updated in registers; a tail shorter
// than four goes through zero-padded lanes with the same math.
#include <cassert>
#include <wasm_simd128.h>

#include "gru_gates.h"
#include "simd_util.h"

namespace rnn::kernels {

namespace {

inline void gru_units(const float* x, const float* s, const float* h, float* h_out,
                      std::size_t hidden, std::size_t j, std::size_t n) {
  auto load = [n](const float* p) { return n == 4 ? wasm_v128_load(p) : load_partial(p, n); };
  const v128_t r = sigmoid_f32x4(wasm_f32x4_add(load(x + j), load(s + j)));
  const v128_t z = sigmoid_f32x4(wasm_f32x4_add(load(x + hidden + j), load(s + hidden + j)));
  const v128_t cand =
      tanh_f32x4(wasm_f32x4_add(load(x + 2 * hidden + j), wasm_f32x4_mul(r, load(s + 2 * hidden + j))));
  const v128_t out = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_sub(load(h + j), cand), z), cand);
  if (n == 4)
    wasm_v128_store(h_out + j, out);
  else
    store_partial(h_out + j, out, n);
}

}  // namespace

void gru_gates_f32_wasm_simd(const float* gi, const float* gh, const float* h, float* h_out,
                             std::size_t batch, std::size_t hidden) {
  assert(batch == 0 || (gi && gh && h && h_out));
  for (std::size_t b = 0; b < batch; ++b) {
    const float* x = gi + b * 3 * hidden;
    const float* s = gh + b * 3 * hidden;
    std::size_t j = 0;
    for (; j + 4 <= hidden; j += 4) gru_units(x, s, h + b * hidden, h_out + b * hidden, hidden, j, 4);
    if (j < hidden) gru_units(x, s, h + b * hidden, h_out + b * hidden, hidden, j, hidden - j);
  }
}

}  // namespace rnn::kernels
