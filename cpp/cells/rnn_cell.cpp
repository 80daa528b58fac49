// RNNCell, as torch.nn.RNNCell (PyTorch 1.13 docs):
//   h' = tanh(W_ih x + b_ih + W_hh h + b_hh)      (or relu)
#include "rnn_cell.h"

#include <vector>

#include "../kernels/activations.h"
#include "../kernels/tanh.h"
#include "cell_shapes.h"

namespace rnn {

RNNCell::RNNCell(std::size_t input_size, std::size_t hidden_size, bool bias,
                 Nonlinearity nonlinearity, std::uint64_t seed, std::string suffix)
    : CellBase("RNNCell", input_size, hidden_size, hidden_size, bias, kGates, seed, std::move(suffix)),
      nonlinearity_(nonlinearity) {}

void RNNCell::recur(const float* gi, const float* h, std::size_t batch, float* h_out) const {
  const std::size_t n = batch * hidden_size_;
  std::vector<float> gh(n);
  project_hidden(h, batch, gh.data());
  for (std::size_t i = 0; i < n; ++i) h_out[i] = gi[i] + gh[i];  // h is consumed: h_out may alias it
  if (nonlinearity_ == Nonlinearity::tanh)
    kernels::tanh_f32(h_out, h_out, n);
  else
    kernels::relu_f32(h_out, h_out, n);
}

Tensor RNNCell::forward(const Tensor& x, const Tensor* h0) const {
  const CellBatch b = check_cell_input(type_name(), shape_of(x), input_size_);
  checked_count(type_name() + ".forward", "the gates need batch*gates*hiddenSize", {b.batch, gates_, hidden_size_});
  if (h0) check_cell_state(type_name(), "h0", shape_of(*h0), b, hidden_size_);
  Tensor h1 = xt::zeros<float>(cell_state_shape(b, hidden_size_));
  std::vector<float> gi(b.batch * hidden_size_);
  project_input(x.data(), b.batch, gi.data());
  recur(gi.data(), h0 ? h0->data() : h1.data(), b.batch, h1.data());
  return h1;
}

}  // namespace rnn
