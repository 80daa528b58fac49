#include <cassert>
#include <cmath>

#include "gru_gates.h"
#include "sigmoid.h"

namespace rnn::kernels {

void gru_gates_f32_scalar(const float* gi, const float* gh, const float* h, float* h_out,
                          std::size_t batch, std::size_t hidden) {
  assert(batch == 0 || (gi && gh && h && h_out));
  for (std::size_t b = 0; b < batch; ++b) {
    const float* x = gi + b * 3 * hidden;
    const float* s = gh + b * 3 * hidden;
    for (std::size_t j = 0; j < hidden; ++j) {
      const float r = sigmoid_scalar(x[j] + s[j]);
      const float z = sigmoid_scalar(x[hidden + j] + s[hidden + j]);
      const float n = std::tanh(x[2 * hidden + j] + r * s[2 * hidden + j]);
      h_out[b * hidden + j] = (h[b * hidden + j] - n) * z + n;
    }
  }
}

}  // namespace rnn::kernels
