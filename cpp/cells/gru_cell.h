// torch.nn.GRUCell, gates r, z, n in PyTorch's row order.
#pragma once

#include "cell_base.h"

namespace rnn {

class GRUCell : public CellBase {
 public:
  static constexpr std::size_t kGates = 3;  // r, z, n

  GRUCell(std::size_t input_size, std::size_t hidden_size, bool bias, std::uint64_t seed,
          std::string suffix = "");

  // x: (batch, input_size) or (input_size); h0: same layout with hidden_size, null = zeros.
  Tensor forward(const Tensor& x, const Tensor* h0) const;

  // One step from projected input. gi: (batch, 3*hidden_size) = x W_ihᵀ + b_ih;
  // h: (batch, hidden_size); h_out may alias h.
  void recur(const float* gi, const float* h, std::size_t batch, float* h_out) const;

  void step(const float* gi, const float* h, const float*, std::size_t batch, float* h_out,
            float*) const override {
    recur(gi, h, batch, h_out);
  }
};

}  // namespace rnn
