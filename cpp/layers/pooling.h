// The TextClassifier's pooling of a recurrent layer's outputs into one vector per sequence, and
// its backward (python/rnn_wasm/models.py has the PyTorch twin).
#pragma once

#include <vector>

#include "../tensor/shape.h"

namespace rnn {

enum class Pooling {
  last,  // each direction's state at its last valid step: the top layer's entries of h_n
  mean,  // the mean of the top layer's outputs over each sequence's valid steps
  max,   // their maximum, element-wise
};

// output: (B, T, W) batch-first, W = directions * hidden; h_n: (directions * layers, B, hidden);
// lengths: B integers in [1, T]. Returns (B, W).
Tensor pool(Pooling kind, const Tensor& output, const Tensor& h_n, std::size_t directions,
            const std::vector<double>& lengths);

struct PoolingGradients {
  Tensor output;  // dL/doutput, (B, T, W): zero for `last` and past each length
  Tensor h_n;     // dL/dh_n: nonzero only in the top layer's entries, for `last`
};

// grad: dL/dpooled, (B, W). max sends each gradient to the step that held the maximum (the
// first, on ties), as torch.max's backward does.
PoolingGradients pool_backward(Pooling kind, const Tensor& output, const Tensor& h_n, std::size_t directions,
                               const std::vector<double>& lengths, const Tensor& grad);

}  // namespace rnn
