// torch.nn.LSTMCell, gates i, f, g, o in PyTorch's row order.
#pragma once

#include "cell_base.h"

namespace rnn {

struct LSTMState {
  Tensor h;
  Tensor c;
};

class LSTMCell : public CellBase {
 public:
  LSTMCell(std::size_t input_size, std::size_t hidden_size, bool bias, std::uint64_t seed,
           std::string suffix = "");

  // x: (batch, input_size) or (input_size); state: h0 and c0 in the same layout with
  // hidden_size, null = zeros. Returns (h1, c1).
  LSTMState forward(const Tensor& x, const LSTMState* state) const;

  // One step from projected input. gi: (batch, 4*hidden_size) = x W_ihᵀ + b_ih;
  // h, c: (batch, hidden_size); h_out, c_out may alias h, c.
  void recur(const float* gi, const float* h, const float* c, std::size_t batch, float* h_out,
             float* c_out) const;
};

}  // namespace rnn
