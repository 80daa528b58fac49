// torch.nn.Linear: y = x Wᵀ + b over the last dimension of x, and its backward.
#pragma once

#include <cstdint>
#include <vector>

#include "../cells/int8_weights.h"
#include "../module.h"

namespace rnn {

class Linear : public Module {
 public:
  // Starts as PyTorch's: weight and bias uniform in ±1/sqrt(in_features).
  Linear(std::size_t in_features, std::size_t out_features, bool bias, std::uint64_t seed);

  std::string type_name() const override { return "Linear"; }
  std::size_t in_features() const { return in_features_; }
  std::size_t out_features() const { return out_features_; }

  // x: (*, in_features) -> (*, out_features). In training, keeps x for backward.
  Tensor forward(const Tensor& x);

  // grad_output: the last forward's output shape. Adds dW = dyᵀ x and db = Σ dy to the
  // gradients and returns dL/dx = dy W. Once per training forward.
  Tensor backward(const Tensor& grad_output);

  std::vector<io::ParameterSlot> parameters() override;
  void parameters_changed() override;
  void parameters_read() override { release_weights(affine_, weight_); }
  void quantize_int8() override {
    int8_ = true;
    parameters_changed();
  }
  bool quantized() override { return int8_; }
  bool load_int8(const std::string& name, const std::int8_t* q, const float* scales, std::size_t rows,
                 std::size_t cols) override {
    if (name != "weight") return false;
    int8_ = true;
    load_int8_weights(affine_, weight_, bias_ ? bias_v_.data() : nullptr, out_features_, in_features_, "Linear", name, q,
                      scales, rows, cols);
    return true;
  }

 protected:
  void training_changed() override { parameters_changed(); }

 private:
  std::size_t in_features_, out_features_;
  bool bias_;
  Matrix weight_;  // (out_features, in_features)
  Vector bias_v_;  // (out_features), or empty without bias
  kernels::Affine affine_;
  bool int8_ = false;
  bool kept_ = false;  // a training forward awaits backward
  Tensor kept_x_;
};

}  // namespace rnn
