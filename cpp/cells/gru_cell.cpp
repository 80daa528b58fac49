// GRUCell, as torch.nn.GRUCell (PyTorch 1.13 docs; aten/src/ATen/native/RNN.cpp):
//   r  = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
//   z  = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
//   n  = tanh(W_in x + b_in + r * (W_hn h + b_hn))     r scales the whole hidden term, bias included
//   h' = (1 - z) * n + z * h                            computed as (h - n) * z + n, as ATen does
// Backward (kernels/gru_gates.h): the gradients of the input and hidden pre-activations differ
// in the n block, by r; dh = dh' z + d(gh) W_hh.
#include "gru_cell.h"

#include <vector>

#include "../kernels/gru_gates.h"

namespace rnn {

GRUCell::GRUCell(std::size_t input_size, std::size_t hidden_size, bool bias, std::uint64_t seed,
                 std::string suffix)
    : CellBase("GRUCell", input_size, hidden_size, hidden_size, bias, kGates, seed, std::move(suffix)) {}

void GRUCell::recur(const float* gi, const float* h, std::size_t batch, float* h_out, float* cache,
                    std::size_t cache_stride, float* scratch) const {
  float* gh = scratch ? scratch : step_scratch(step_scratch_floats(batch));
  project_hidden(h, batch, gh);
  kernels::gru_gates_f32(gi, gh, h, h_out, batch, hidden_size_, cache, cache_stride);
}

void GRUCell::step_units(const UnitStep& u) const {
  const std::size_t hs = hidden_size_;
  for (std::size_t k = 0; k < kGates; ++k) hh_.apply_rows(u.h, u.gh, k * hs + u.first, k * hs + u.end);
  kernels::gru_gates_units_f32(u.gi, u.gh, u.h, u.h_out, hs, u.first, u.end);
}

std::size_t GRUCell::cache_planes() const { return kernels::kGruCachePlanes; }

void GRUCell::step_backward(const Tape& tape, std::size_t t, std::size_t batch, const float* dh, float*,
                            float* dh_prev) const {
  const std::size_t n = batch * hidden_size_, G = 3 * hidden_size_;
  float* dgh = tape.dgh + t * batch * G;
  kernels::gru_gates_backward_f32(tape.cache + t * n, tape.rows * hidden_size_, tape.h_prev + t * n, dh,
                                  tape.gates + t * batch * G, dgh, dh_prev, batch, hidden_size_);
  hh_.apply_backward(dgh, batch, dh_prev, true);
}

Tensor GRUCell::forward(const Tensor& x, const Tensor* h0) {
  const CellBatch b = check_cell_input(type_name(), shape_of(x), input_size_);
  checked_count(type_name() + ".forward", "the gates need batch*gates*hiddenSize", {b.batch, gates_, hidden_size_});
  if (h0) check_cell_state(type_name(), "h0", shape_of(*h0), b, hidden_size_);
  Tensor h1 = xt::zeros<float>(cell_state_shape(b, hidden_size_));
  if (training()) {
    keep_step(x.data(), b, h0 ? h0->data() : nullptr, nullptr, h1.data(), nullptr);
    return h1;
  }
  std::vector<float> gi(b.batch * 3 * hidden_size_);
  project_input(x.data(), b.batch, gi.data());
  recur(gi.data(), h0 ? h0->data() : h1.data(), b.batch, h1.data());
  return h1;
}

}  // namespace rnn
