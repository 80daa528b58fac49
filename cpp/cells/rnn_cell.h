// torch.nn.RNNCell: h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh), act = tanh or relu.
#pragma once

#include "cell_base.h"

namespace rnn {

enum class Nonlinearity { tanh, relu };

class RNNCell : public CellBase {
 public:
  static constexpr std::size_t kGates = 1;  // the activation of W_ih x + W_hh h + b

  RNNCell(std::size_t input_size, std::size_t hidden_size, bool bias, Nonlinearity nonlinearity,
          std::uint64_t seed, std::string suffix = "");

  Nonlinearity nonlinearity() const { return nonlinearity_; }

  // x: (batch, input_size) or (input_size); h0: same layout with hidden_size, null = zeros.
  // Returns h1 with h0's layout. In training, keeps what backward needs.
  Tensor forward(const Tensor& x, const Tensor* h0);

  // One step from projected input. gi: (batch, hidden_size) = x W_ihᵀ + b_ih;
  // h: (batch, hidden_size); h_out may alias h.
  // scratch: as CellBase::step.
  void recur(const float* gi, const float* h, std::size_t batch, float* h_out, float* scratch = nullptr) const;

  void step(const float* gi, const float* h, const float*, std::size_t batch, float* h_out, float*,
            float* cache = nullptr, std::size_t cache_stride = 0, float* scratch = nullptr) const override;
  std::size_t step_scratch_floats(std::size_t batch) const override { return batch * hidden_size_; }

 protected:
  std::size_t cache_planes() const override { return 1; }  // h'
  void step_units(const UnitStep& u) const override;
  void step_backward(const Tape& tape, std::size_t t, std::size_t batch, const float* dh, float* dc,
                     float* dh_prev) const override;

 private:
  // h_out[i] = act(gi[i] + gh[i]) for i in [first, end).
  void activate(const float* gi, const float* gh, float* h_out, std::size_t first, std::size_t end) const;
  Nonlinearity nonlinearity_;
};

}  // namespace rnn
