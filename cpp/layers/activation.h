// Functional activations on whole tensors, as torch.sigmoid / tanh / relu / softmax(dim=-1).
#pragma once

#include "../tensor/shape.h"

namespace rnn {

enum class Activation { sigmoid, tanh, relu };

Tensor activate(Activation kind, const Tensor& x);

// Softmax over the last dimension, stabilised by subtracting each row's maximum.
// A row holding NaN gives NaN, as in PyTorch. x must have rank >= 1.
Tensor softmax(const Tensor& x);

}  // namespace rnn
