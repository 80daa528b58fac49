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

Tensor activate_backward(Activation kind, const Tensor& y, const Tensor& grad_output) {
  Tensor dx = xt::empty<float>(shape_of(y));
  switch (kind) {
    case Activation::sigmoid: kernels::sigmoid_backward_f32(y.data(), grad_output.data(), dx.data(), y.size()); break;
    case Activation::tanh: kernels::tanh_backward_f32(y.data(), grad_output.data(), dx.data(), y.size()); break;
    case Activation::relu: kernels::relu_backward_f32(y.data(), grad_output.data(), dx.data(), y.size()); break;
  }
  return dx;
}

std::string ActivationModule::type_name() const {
  switch (kind_) {
    case Activation::sigmoid: return "Sigmoid";
    case Activation::tanh: return "Tanh";
    case Activation::relu: return "ReLU";
  }
  return "ReLU";
}

Tensor ActivationModule::forward(const Tensor& x) {
  Tensor y = activate(kind_, x);
  kept_ = training();
  kept_y_ = kept_ ? y : Tensor();
  return y;
}

Tensor ActivationModule::backward(const Tensor& grad_output) {
  if (!kept_)
    throw Error(ErrorKind::argument, type_name() + ".backward: no training forward to go back through; call train(), "
                                                   "then forward(), then backward() once per forward");
  if (shape_of(grad_output) != shape_of(kept_y_)) {
    Message out;
    out << type_name() << ".backward: gradOutput has shape " << format_shape(shape_of(grad_output)) << ", expected "
        << format_shape(shape_of(kept_y_)) << ", the shape of forward's output";
    throw Error(ErrorKind::shape, out.str());
  }
  kept_ = false;
  Tensor dx = activate_backward(kind_, kept_y_, grad_output);
  kept_y_ = Tensor();
  return dx;
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
