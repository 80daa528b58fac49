#include <cassert>
#include <cmath>

#include "lstm_gates.h"
#include "sigmoid.h"

namespace rnn::kernels {

namespace {

// Units [first, end) of one batch row; cache (offset to the row) may be null.
void lstm_row(const float* x, const float* r, float* c, float* h, std::size_t hidden, std::size_t first,
              std::size_t end, float* cache, std::size_t cache_stride) {
  for (std::size_t j = first; j < end; ++j) {
    const float i = sigmoid_scalar(x[j] + r[j]);
    const float f = sigmoid_scalar(x[hidden + j] + r[hidden + j]);
    const float g = std::tanh(x[2 * hidden + j] + r[2 * hidden + j]);
    const float o = sigmoid_scalar(x[3 * hidden + j] + r[3 * hidden + j]);
    c[j] = f * c[j] + i * g;
    const float tc = std::tanh(c[j]);
    h[j] = o * tc;
    if (cache) {
      float* at = cache + j;
      at[0] = i;
      at[cache_stride] = f;
      at[2 * cache_stride] = g;
      at[3 * cache_stride] = o;
      at[4 * cache_stride] = tc;
    }
  }
}

}  // namespace

void lstm_gates_f32_scalar(const float* gi, const float* gh, float* c, float* h, std::size_t batch,
                           std::size_t hidden, float* cache, std::size_t cache_stride) {
  assert(batch == 0 || (gi && gh && c && h));
  for (std::size_t b = 0; b < batch; ++b)
    lstm_row(gi + b * 4 * hidden, gh + b * 4 * hidden, c + b * hidden, h + b * hidden, hidden, 0, hidden,
             cache ? cache + b * hidden : nullptr, cache_stride);
}

void lstm_gates_units_f32_scalar(const float* gi, const float* gh, float* c, float* h, std::size_t hidden,
                                 std::size_t first, std::size_t end) {
  assert(first <= end && end <= hidden);
  lstm_row(gi, gh, c, h, hidden, first, end, nullptr, 0);
}

void lstm_gates_backward_f32_scalar(const float* cache, std::size_t cache_stride, const float* c_prev,
                                    const float* dh, float* dc, float* dgates, std::size_t batch,
                                    std::size_t hidden) {
  assert(batch == 0 || (cache && c_prev && dh && dc && dgates));
  for (std::size_t b = 0; b < batch; ++b) {
    float* d = dgates + b * 4 * hidden;
    for (std::size_t j = 0; j < hidden; ++j) {
      const std::size_t at = b * hidden + j;
      const float* gate = cache + at;
      const float i = gate[0], f = gate[cache_stride], g = gate[2 * cache_stride];
      const float o = gate[3 * cache_stride], tc = gate[4 * cache_stride];
      const float dcell = dc[at] + dh[at] * o * (1.f - tc * tc);
      d[j] = dcell * g * i * (1.f - i);
      d[hidden + j] = dcell * c_prev[at] * f * (1.f - f);
      d[2 * hidden + j] = dcell * i * (1.f - g * g);
      d[3 * hidden + j] = dh[at] * tc * o * (1.f - o);
      dc[at] = dcell * f;
    }
  }
}

}  // namespace rnn::kernels
