#include <cassert>

#include "exp.h"
#include "simd_util.h"

namespace rnn::kernels {

void exp_f32_wasm_simd(const float* x, float* y, std::size_t n) {
  assert(n == 0 || (x && y));
  map_f32x4(x, y, n, exp_f32x4);
}

}  // namespace rnn::kernels
