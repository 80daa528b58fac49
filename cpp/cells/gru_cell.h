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
  // In training, keeps what backward needs.
  Tensor forward(const Tensor& x, const Tensor* h0);

  // One step from projected input. gi: (batch, 3*hidden_size) = x W_ihᵀ + b_ih;
  // h: (batch, hidden_size); h_out may alias h. cache: as CellBase::step.
  // scratch: as CellBase::step.
  void recur(const float* gi, const float* h, std::size_t batch, float* h_out, float* cache = nullptr,
             std::size_t cache_stride = 0, float* scratch = nullptr) const;

  void step(const float* gi, const float* h, const float*, std::size_t batch, float* h_out, float*,
            float* cache = nullptr, std::size_t cache_stride = 0, float* scratch = nullptr) const override {
    recur(gi, h, batch, h_out, cache, cache_stride, scratch);
  }
  std::size_t step_scratch_floats(std::size_t batch) const override { return batch * kGates * hidden_size_; }

 protected:
  std::size_t cache_planes() const override;
  bool separate_hidden_gradient() const override { return true; }
  void step_units(const UnitStep& u) const override;
  void step_backward(const Tape& tape, std::size_t t, std::size_t batch, const float* dh, float* dc,
                     float* dh_prev) const override;
};

}  // namespace rnn
