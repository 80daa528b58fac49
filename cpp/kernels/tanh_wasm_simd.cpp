#include <cassert>

#include "simd_util.h"
#include "tanh.h"

namespace rnn::kernels {

void tanh_f32_wasm_simd(const float* x, float* y, std::size_t n) {
  assert(n == 0 || (x && y));
  map_f32x4(x, y, n, tanh_f32x4);
}

}  // namespace rnn::kernels
