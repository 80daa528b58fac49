#include <cassert>
#include <cmath>

#include "lstm_gates.h"
#include "sigmoid.h"

namespace rnn::kernels {

void lstm_gates_f32_scalar(const float* gi, const float* gh, float* c, float* h, std::size_t batch,
                           std::size_t hidden) {
  assert(batch == 0 || (gi && gh && c && h));
  for (std::size_t b = 0; b < batch; ++b) {
    const float* x = gi + b * 4 * hidden;
    const float* r = gh + b * 4 * hidden;
    for (std::size_t j = 0; j < hidden; ++j) {
      const float i = sigmoid_scalar(x[j] + r[j]);
      const float f = sigmoid_scalar(x[hidden + j] + r[hidden + j]);
      const float g = std::tanh(x[2 * hidden + j] + r[2 * hidden + j]);
      const float o = sigmoid_scalar(x[3 * hidden + j] + r[3 * hidden + j]);
      float& cell = c[b * hidden + j];
      cell = f * cell + i * g;
      h[b * hidden + j] = o * std::tanh(cell);
    }
  }
}

}  // namespace rnn::kernels
