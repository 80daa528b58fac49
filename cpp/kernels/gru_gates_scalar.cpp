#include <cassert>
#include <cmath>

#include "gru_gates.h"
#include "sigmoid.h"

namespace rnn::kernels {

namespace {

// Units [first, end) of one batch row; cache (offset to the row) may be null.
void gru_row(const float* x, const float* s, const float* h, float* h_out, std::size_t hidden, std::size_t first,
             std::size_t end, float* cache, std::size_t cache_stride) {
  for (std::size_t j = first; j < end; ++j) {
    const float r = sigmoid_scalar(x[j] + s[j]);
    const float z = sigmoid_scalar(x[hidden + j] + s[hidden + j]);
    const float n = std::tanh(x[2 * hidden + j] + r * s[2 * hidden + j]);
    if (cache) {
      float* at = cache + j;
      at[0] = r;
      at[cache_stride] = z;
      at[2 * cache_stride] = n;
      at[3 * cache_stride] = s[2 * hidden + j];
    }
    h_out[j] = (h[j] - n) * z + n;  // after the cache: h_out may alias h
  }
}

}  // namespace

void gru_gates_f32_scalar(const float* gi, const float* gh, const float* h, float* h_out,
                          std::size_t batch, std::size_t hidden, float* cache, std::size_t cache_stride) {
  assert(batch == 0 || (gi && gh && h && h_out));
  for (std::size_t b = 0; b < batch; ++b)
    gru_row(gi + b * 3 * hidden, gh + b * 3 * hidden, h + b * hidden, h_out + b * hidden, hidden, 0, hidden,
            cache ? cache + b * hidden : nullptr, cache_stride);
}

void gru_gates_units_f32_scalar(const float* gi, const float* gh, const float* h, float* h_out,
                                std::size_t hidden, std::size_t first, std::size_t end) {
  assert(first <= end && end <= hidden);
  gru_row(gi, gh, h, h_out, hidden, first, end, nullptr, 0);
}

void gru_gates_backward_f32_scalar(const float* cache, std::size_t cache_stride, const float* h_prev,
                                   const float* dh, float* dgi, float* dgh, float* dh_prev,
                                   std::size_t batch, std::size_t hidden) {
  assert(batch == 0 || (cache && h_prev && dh && dgi && dgh && dh_prev));
  for (std::size_t b = 0; b < batch; ++b) {
    float* di = dgi + b * 3 * hidden;
    float* dg = dgh + b * 3 * hidden;
    for (std::size_t j = 0; j < hidden; ++j) {
      const std::size_t at = b * hidden + j;
      const float* gate = cache + at;
      const float r = gate[0], z = gate[cache_stride], n = gate[2 * cache_stride], hn = gate[3 * cache_stride];
      const float dn = dh[at] * (1.f - z) * (1.f - n * n);
      const float dz = dh[at] * (h_prev[at] - n) * z * (1.f - z);
      const float dr = dn * hn * r * (1.f - r);
      di[j] = dg[j] = dr;
      di[hidden + j] = dg[hidden + j] = dz;
      di[2 * hidden + j] = dn;
      dg[2 * hidden + j] = dn * r;
      dh_prev[at] = dh[at] * z;
    }
  }
}

}  // namespace rnn::kernels
