// RNNCell, as torch.nn.RNNCell (PyTorch 1.13 docs):
//   h' = tanh(W_ih x + b_ih + W_hh h + b_hh)      (or relu)
// Backward: d(pre) = dh' (1 - h'²) (relu: dh' where h' > 0); dh = d(pre) W_hh; the weight
// gradients are d(pre)ᵀ x and d(pre)ᵀ h over all steps (CellBase::scan_backward).
#include "rnn_cell.h"

#include <algorithm>
#include <vector>

#include "../kernels/activations.h"
#include "../kernels/tanh.h"

namespace rnn {

RNNCell::RNNCell(std::size_t input_size, std::size_t hidden_size, bool bias,
                 Nonlinearity nonlinearity, std::uint64_t seed, std::string suffix)
    : CellBase("RNNCell", input_size, hidden_size, hidden_size, bias, kGates, seed, std::move(suffix)),
      nonlinearity_(nonlinearity) {}

void RNNCell::recur(const float* gi, const float* h, std::size_t batch, float* h_out, float* scratch) const {
  const std::size_t n = batch * hidden_size_;
  float* gh = scratch ? scratch : step_scratch(n);
  project_hidden(h, batch, gh);
  activate(gi, gh, h_out, 0, n);  // h is consumed: h_out may alias it
}

void RNNCell::activate(const float* gi, const float* gh, float* h_out, std::size_t first, std::size_t end) const {
  for (std::size_t i = first; i < end; ++i) h_out[i] = gi[i] + gh[i];
  if (nonlinearity_ == Nonlinearity::tanh)
    kernels::tanh_f32(h_out + first, h_out + first, end - first);
  else
    kernels::relu_f32(h_out + first, h_out + first, end - first);
}

void RNNCell::step_units(const UnitStep& u) const {
  hh_.apply_rows(u.h, u.gh, u.first, u.end);
  activate(u.gi, u.gh, u.h_out, u.first, u.end);
}

void RNNCell::step(const float* gi, const float* h, const float*, std::size_t batch, float* h_out, float*,
                   float* cache, std::size_t, float* scratch) const {
  recur(gi, h, batch, h_out, scratch);
  if (cache) std::copy_n(h_out, batch * hidden_size_, cache);
}

void RNNCell::step_backward(const Tape& tape, std::size_t t, std::size_t batch, const float* dh, float*,
                            float* dh_prev) const {
  const std::size_t n = batch * hidden_size_;
  const float* y = tape.cache + t * n;
  float* dpre = tape.gates + t * n;
  if (nonlinearity_ == Nonlinearity::tanh)
    kernels::tanh_backward_f32(y, dh, dpre, n);
  else
    kernels::relu_backward_f32(y, dh, dpre, n);
  hh_.apply_backward(dpre, batch, dh_prev, false);
}

Tensor RNNCell::forward(const Tensor& x, const Tensor* h0) {
  const CellBatch b = check_cell_input(type_name(), shape_of(x), input_size_);
  checked_count(type_name() + ".forward", "the gates need batch*gates*hiddenSize", {b.batch, gates_, hidden_size_});
  if (h0) check_cell_state(type_name(), "h0", shape_of(*h0), b, hidden_size_);
  Tensor h1 = xt::zeros<float>(cell_state_shape(b, hidden_size_));
  if (training()) {
    keep_step(x.data(), b, h0 ? h0->data() : nullptr, nullptr, h1.data(), nullptr);
    return h1;
  }
  std::vector<float> gi(b.batch * hidden_size_);
  project_input(x.data(), b.batch, gi.data());
  recur(gi.data(), h0 ? h0->data() : h1.data(), b.batch, h1.data());
  return h1;
}

}  // namespace rnn
