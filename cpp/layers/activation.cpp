#include "activation.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "../errors.h"
#include "../kernels/activations.h"
#include "../kernels/sigmoid.h"
#include "../kernels/tanh.h"

namespace rnn {

Tensor activate(Activation kind, const Tensor& x) {
  Tensor y = xt::empty<float>(shape_of(x));
  switch (kind) {
    case Activation::sigmoid: kernels::sigmoid_f32(x.data(), y.data(), x.size()); break;
    case Activation::tanh: kernels::tanh_f32(x.data(), y.data(), x.size()); break;
    case Activation::relu: kernels::relu_f32(x.data(), y.data(), x.size()); break;
  }
  return y;
}

Tensor softmax(const Tensor& x) {
  if (x.dimension() == 0)
    throw Error(ErrorKind::shape, "softmax: input has shape (), expected at least one dimension");
  Tensor y = xt::empty<float>(shape_of(x));
  const std::size_t cols = x.shape().back();
  const std::size_t rows = cols == 0 ? 0 : x.size() / cols;
  for (std::size_t r = 0; r < rows; ++r) {
    const float* in = x.data() + r * cols;
    float* out = y.data() + r * cols;
    float max = -std::numeric_limits<float>::infinity();
    bool nan = false;
    for (std::size_t j = 0; j < cols; ++j) {
      nan = nan || std::isnan(in[j]);
      max = std::max(max, in[j]);
    }
    if (nan) {
      std::fill(out, out + cols, std::numeric_limits<float>::quiet_NaN());
      continue;
    }
    float sum = 0.f;
    for (std::size_t j = 0; j < cols; ++j) sum += (out[j] = std::exp(in[j] - max));
    for (std::size_t j = 0; j < cols; ++j) out[j] /= sum;
  }
  return y;
}

}  // namespace rnn
