// Functional activations on whole tensors, as torch.sigmoid / tanh / relu / softmax(dim=-1).
#pragma once

#include "../module.h"
#include "../tensor/shape.h"

namespace rnn {

enum class Activation { sigmoid, tanh, relu };

Tensor activate(Activation kind, const Tensor& x);

// dL/dx from the activation's output y and dL/dy, of the same shape.
Tensor activate_backward(Activation kind, const Tensor& y, const Tensor& grad_output);

// torch.nn.ReLU, Tanh and Sigmoid as modules, so that a model's layers all go back the same
// way: no parameters; in training, forward keeps its output for backward.
class ActivationModule : public Module {
 public:
  explicit ActivationModule(Activation kind) : kind_(kind) {}
  std::string type_name() const override;
  Tensor forward(const Tensor& x);
  // grad_output: the last training forward's output shape. Returns dL/dx. Once per forward.
  Tensor backward(const Tensor& grad_output);
  std::vector<io::ParameterSlot> parameters() override { return {}; }

 protected:
  void training_changed() override { kept_ = false; }

 private:
  Activation kind_;
  bool kept_ = false;
  Tensor kept_y_;
};

// Softmax over the last dimension, stabilised by subtracting each row's maximum.
// A row holding NaN gives NaN, as in PyTorch. x must have rank >= 1.
Tensor softmax(const Tensor& x);

}  // namespace rnn
