#include "pooling.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "../errors.h"

namespace rnn {

namespace {

struct Dims {
  std::size_t B, T, W, D, H, layers;
};

// Shapes and lengths as the TextClassifier makes them; anything else is ErrorKind::shape.
Dims check(const char* call, const Tensor& output, const Tensor& h_n, std::size_t directions,
           const std::vector<double>& lengths) {
  const Shape os = shape_of(output), hs = shape_of(h_n);
  if (os.size() != 3 || hs.size() != 3 || directions == 0 || os[2] % directions || hs[2] * directions != os[2] ||
      hs[1] != os[0] || hs[0] % directions || lengths.size() != os[0]) {
    Message out;
    out << call << ": output " << format_shape(os) << ", hN " << format_shape(hs) << " and " << lengths.size()
        << " lengths do not fit (batch, seqLen, D*hidden), (D*numLayers, batch, hidden) and batch lengths";
    throw Error(ErrorKind::shape, out.str());
  }
  for (std::size_t b = 0; b < lengths.size(); ++b)
    if (!(lengths[b] >= 1 && lengths[b] <= double(os[1])) || std::floor(lengths[b]) != lengths[b]) {
      Message out;
      out << call << ": lengths[" << b << "] is " << lengths[b] << ", expected an integer in [1, " << os[1] << "]";
      throw Error(ErrorKind::argument, out.str());
    }
  return {os[0], os[1], os[2], directions, hs[2], hs[0] / directions};
}

// The step of sequence b that holds the maximum of column j (the first, on ties; NaN wins).
std::size_t argmax(const Tensor& output, const Dims& d, std::size_t b, std::size_t j, std::size_t n) {
  std::size_t best = 0;
  for (std::size_t t = 1; t < n; ++t) {
    const float v = output.data()[(b * d.T + t) * d.W + j], m = output.data()[(b * d.T + best) * d.W + j];
    if (std::isnan(m)) break;
    if (v > m || std::isnan(v)) best = t;
  }
  return best;
}

}  // namespace

Tensor pool(Pooling kind, const Tensor& output, const Tensor& h_n, std::size_t directions,
            const std::vector<double>& lengths) {
  const Dims d = check("pool", output, h_n, directions, lengths);
  Tensor pooled = xt::zeros<float>(Shape{d.B, d.W});
  for (std::size_t b = 0; b < d.B; ++b) {
    const std::size_t n = static_cast<std::size_t>(lengths[b]);
    float* row = pooled.data() + b * d.W;
    if (kind == Pooling::last) {
      // h_n's top layer holds its directions last: entries (layers-1)*D + dir.
      for (std::size_t dir = 0; dir < d.D; ++dir)
        std::copy_n(h_n.data() + (((d.layers - 1) * d.D + dir) * d.B + b) * d.H, d.H, row + dir * d.H);
      continue;
    }
    for (std::size_t j = 0; j < d.W; ++j) {
      if (kind == Pooling::max) {
        row[j] = output.data()[(b * d.T + argmax(output, d, b, j, n)) * d.W + j];
        continue;
      }
      float sum = 0.f;
      for (std::size_t t = 0; t < n; ++t) sum += output.data()[(b * d.T + t) * d.W + j];
      row[j] = sum / static_cast<float>(n);
    }
  }
  return pooled;
}

PoolingGradients pool_backward(Pooling kind, const Tensor& output, const Tensor& h_n, std::size_t directions,
                               const std::vector<double>& lengths, const Tensor& grad) {
  const Dims d = check("pool.backward", output, h_n, directions, lengths);
  if (shape_of(grad) != Shape{d.B, d.W}) {
    Message out;
    out << "pool.backward: the gradient has shape " << format_shape(shape_of(grad)) << ", expected ("
        << d.B << ", " << d.W << ")";
    throw Error(ErrorKind::shape, out.str());
  }
  PoolingGradients out{xt::zeros<float>(shape_of(output)), xt::zeros<float>(shape_of(h_n))};
  for (std::size_t b = 0; b < d.B; ++b) {
    const std::size_t n = static_cast<std::size_t>(lengths[b]);
    const float* g = grad.data() + b * d.W;
    if (kind == Pooling::last) {
      for (std::size_t dir = 0; dir < d.D; ++dir)
        std::copy_n(g + dir * d.H, d.H, out.h_n.data() + (((d.layers - 1) * d.D + dir) * d.B + b) * d.H);
      continue;
    }
    for (std::size_t j = 0; j < d.W; ++j) {
      if (kind == Pooling::max) {
        out.output.data()[(b * d.T + argmax(output, d, b, j, n)) * d.W + j] = g[j];
        continue;
      }
      const float share = g[j] / static_cast<float>(n);
      for (std::size_t t = 0; t < n; ++t) out.output.data()[(b * d.T + t) * d.W + j] = share;
    }
  }
  return out;
}

}  // namespace rnn
