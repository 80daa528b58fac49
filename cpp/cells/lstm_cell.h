// torch.nn.LSTMCell, gates i, f, g, o in PyTorch's row order; with proj_size > 0 also the
// projection of torch.nn.LSTM(proj_size=...), h = W_hr (o * tanh(c)).
#pragma once

#include "cell_base.h"

namespace rnn {

struct LSTMState {
  Tensor h;
  Tensor c;
};

class LSTMCell : public CellBase {
 public:
  static constexpr std::size_t kGates = 4;  // i, f, g, o

  // proj_size 0: no projection (torch.nn.LSTMCell has none; layers pass theirs).
  LSTMCell(std::size_t input_size, std::size_t hidden_size, bool bias, std::uint64_t seed,
           std::string suffix = "", std::size_t proj_size = 0);

  std::size_t proj_size() const { return proj_size_; }

  // x: (batch, input_size) or (input_size); state: h0 (batch, state_size) and c0
  // (batch, hidden_size), or both unbatched; null = zeros. Returns (h1, c1). In training,
  // keeps what backward needs.
  LSTMState forward(const Tensor& x, const LSTMState* state);

  // One step from projected input. gi: (batch, 4*hidden_size) = x W_ihᵀ + b_ih;
  // h: (batch, state_size), c: (batch, hidden_size); h_out, c_out may alias h, c.
  // cache: as CellBase::step; with a projection its last plane keeps o * tanh(c').
  // scratch: as CellBase::step.
  void recur(const float* gi, const float* h, const float* c, std::size_t batch, float* h_out,
             float* c_out, float* cache = nullptr, std::size_t cache_stride = 0, float* scratch = nullptr) const;

  void step(const float* gi, const float* h, const float* c, std::size_t batch, float* h_out,
            float* c_out, float* cache = nullptr, std::size_t cache_stride = 0,
            float* scratch = nullptr) const override {
    recur(gi, h, c, batch, h_out, c_out, cache, cache_stride, scratch);
  }
  std::size_t step_scratch_floats(std::size_t batch) const override {
    return batch * (proj_size_ ? 5 : 4) * hidden_size_;
  }
  bool has_cell_state() const override { return true; }
  std::vector<io::ParameterSlot> parameters() override;
  void parameters_changed() override;
  void parameters_read() override;
  bool load_int8(const std::string& name, const std::int8_t* q, const float* scales, std::size_t rows,
                 std::size_t cols) override;

 protected:
  std::size_t cache_planes() const override;
  void step_backward(const Tape& tape, std::size_t t, std::size_t batch, const float* dh, float* dc,
                     float* dh_prev) const override;
  void extra_weight_gradients(const Tape& tape) override;
  void step_units(const UnitStep& u) const override;
  std::size_t unit_grain() const override { return proj_size_ ? 0 : CellBase::unit_grain(); }

 private:
  std::size_t proj_size_;
  Matrix weight_hr_;  // (proj_size, hidden_size), or empty without projection
  kernels::Affine hr_;
};

}  // namespace rnn
