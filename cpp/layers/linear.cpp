#include "linear.h"

#include <cmath>

#include "../cells/int8_weights.h"
#include "../errors.h"
#include "../tensor/random.h"

namespace rnn {

Linear::Linear(std::size_t in_features, std::size_t out_features, bool bias, std::uint64_t seed)
    : in_features_(check_size("Linear", "inFeatures", double(in_features))),
      out_features_(check_size("Linear", "outFeatures", double(out_features))),
      bias_(bias) {
  checked_count("Linear", "weight needs outFeatures*inFeatures", {out_features, in_features});
  weight_ = Matrix(Matrix::shape_type{out_features, in_features});
  bias_v_ = Vector(Vector::shape_type{bias ? out_features : 0});
  // kaiming_uniform_(a=sqrt(5)) and PyTorch's bias rule both come to ±1/sqrt(fan_in).
  Random random(seed);
  const float bound = 1.f / std::sqrt(static_cast<float>(in_features));
  fill_uniform(weight_, bound, random);
  fill_uniform(bias_v_, bound, random);
  Linear::parameters_changed();
}

void Linear::parameters_changed() {
  prepare_weights(affine_, weight_, bias_ ? bias_v_.data() : nullptr, out_features_, in_features_, int8_, training());
  kept_ = false;
  kept_x_ = Tensor();
}

Tensor Linear::forward(const Tensor& x) {
  const Shape in = shape_of(x);
  if (in.empty() || in.back() != in_features_) {
    Message out;
    out << "Linear.forward: input has shape " << format_shape(in) << ", expected (*, "
        << in_features_ << ") since inFeatures is " << in_features_;
    throw Error(ErrorKind::shape, out.str());
  }
  // Checked before allocating: in wasm32 a larger product would wrap around, and the kernel
  // would write rows*outFeatures floats into a much smaller buffer.
  const std::size_t rows = x.size() / in_features_;
  checked_count("Linear.forward", "the output needs rows*outFeatures", {rows, out_features_});
  Shape shape = in;
  shape.back() = out_features_;
  Tensor y = xt::empty<float>(shape);
  affine_.apply(x.data(), rows, y.data());
  kept_ = training();
  kept_x_ = kept_ ? x : Tensor();
  return y;
}

Tensor Linear::backward(const Tensor& grad_output) {
  if (!kept_)
    throw Error(ErrorKind::argument, "Linear.backward: no training forward to go back through; call train(), then "
                                     "forward(), then backward() once per forward");
  Shape expected = shape_of(kept_x_);
  expected.back() = out_features_;
  if (shape_of(grad_output) != expected) {
    Message out;
    out << "Linear.backward: gradOutput has shape " << format_shape(shape_of(grad_output)) << ", expected "
        << format_shape(expected) << ", the shape of forward's output";
    throw Error(ErrorKind::shape, out.str());
  }
  const std::size_t rows = kept_x_.size() / in_features_;
  kernels::affine_weight_gradients(grad_output.data(), kept_x_.data(), rows, out_features_, in_features_,
                                   gradient("weight", out_features_ * in_features_),
                                   bias_ ? gradient("bias", out_features_) : nullptr);
  Tensor dx = xt::empty<float>(shape_of(kept_x_));
  affine_.apply_backward(grad_output.data(), rows, dx.data(), false);
  kept_ = false;
  kept_x_ = Tensor();
  return dx;
}

std::vector<io::ParameterSlot> Linear::parameters() {
  restore_weights(affine_, weight_);
  std::vector<io::ParameterSlot> slots = {slot("weight", weight_, "(outFeatures, inFeatures)")};
  if (bias_) slots.push_back(slot("bias", bias_v_, "(outFeatures)"));
  return slots;
}

}  // namespace rnn
