// What RNNCell, GRUCell and LSTMCell share: PyTorch's four parameters with `gates` blocks of
// hidden_size rows each (1 for RNN; 3 for GRU: r, z, n; 4 for LSTM: i, f, g, o), and the two
// projections every step starts from. Layers reuse cells one per layer and direction: they
// project a whole sequence with project_input, then call the cell's recur step by step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../kernels/affine.h"
#include "../module.h"
#include "../tensor/random.h"

namespace rnn {

class CellBase : public Module {
 public:
  std::size_t input_size() const { return input_size_; }
  std::size_t hidden_size() const { return hidden_size_; }
  // Width of h: hidden_size, or LSTM's proj_size when it projects.
  std::size_t state_size() const { return state_size_; }
  std::size_t gates() const { return gates_; }
  bool bias() const { return bias_; }

  // gi = x W_ihᵀ + b_ih. x: (rows, input_size); gi: (rows, gates*hidden_size).
  void project_input(const float* x, std::size_t rows, float* gi) const;
  // gh = h W_hhᵀ + b_hh. h: (batch, state_size); gh: (batch, gates*hidden_size).
  void project_hidden(const float* h, std::size_t batch, float* gh) const;

  // One time step from projected input, whatever the cell: gi (batch, gates*hidden_size);
  // h, h_out: (batch, state_size); c, c_out: (batch, hidden_size), used by LSTM only (may be
  // null for the others). Outputs may alias inputs.
  virtual void step(const float* gi, const float* h, const float* c, std::size_t batch, float* h_out,
                    float* c_out) const = 0;
  virtual bool has_cell_state() const { return false; }

  std::vector<io::ParameterSlot> parameters() override;
  void parameters_changed() override;

 protected:
  // Parameters start as PyTorch's: uniform in ±1/sqrt(hidden_size). `suffix` is appended to
  // every parameter name ("_l1_reverse") when a layer owns the cell.
  CellBase(std::string type_name, std::size_t input_size, std::size_t hidden_size,
           std::size_t state_size, bool bias, std::size_t gates, std::uint64_t seed,
           std::string suffix);

  std::string type_name() const override { return type_name_; }

  std::string type_name_;
  std::size_t input_size_, hidden_size_, state_size_, gates_;
  Random random_;  // the seeded draw for initial weights; subclasses draw theirs after these
  bool bias_;
  std::string suffix_;
  Matrix weight_ih_;  // (gates*hidden_size, input_size)
  Matrix weight_hh_;  // (gates*hidden_size, state_size)
  Vector bias_ih_;    // (gates*hidden_size), or empty without bias
  Vector bias_hh_;
  kernels::Affine ih_, hh_;  // the two projections, over the parameters above
};

}  // namespace rnn
