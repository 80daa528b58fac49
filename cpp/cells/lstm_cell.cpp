// LSTMCell, as torch.nn.LSTMCell and one direction of one layer of torch.nn.LSTM (PyTorch 1.13):
//   i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)     f = sigmoid(W_if x + b_if + W_hf h + b_hf)
//   g = tanh(W_ig x + b_ig + W_hg h + b_hg)        o = sigmoid(W_io x + b_io + W_ho h + b_ho)
//   c' = f * c + i * g                             h' = o * tanh(c')
// With proj_size > 0: h' = W_hr (o * tanh(c')), so h has proj_size columns and c hidden_size.
// Backward (kernels/lstm_gates.h for the gates): with a projection, dm = dh' W_hr and
// dW_hr += dh'ᵀ m over all steps, m = o * tanh(c'); dh = d(gates) W_hh.
#include "lstm_cell.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "../kernels/lstm_gates.h"

namespace rnn {

LSTMCell::LSTMCell(std::size_t input_size, std::size_t hidden_size, bool bias, std::uint64_t seed,
                   std::string suffix, std::size_t proj_size)
    : CellBase("LSTMCell", input_size, hidden_size, proj_size ? proj_size : hidden_size, bias, kGates,
               seed, std::move(suffix)),
      proj_size_(proj_size) {
  if (proj_size_) {
    weight_hr_ = Matrix(Matrix::shape_type{proj_size_, hidden_size_});
    fill_uniform(weight_hr_, 1.f / std::sqrt(static_cast<float>(hidden_size_)), random_);
  }
  LSTMCell::parameters_changed();
}

void LSTMCell::parameters_changed() {
  CellBase::parameters_changed();
  if (proj_size_) prepare_weights(hr_, weight_hr_, nullptr, proj_size_, hidden_size_, int8_, training());
}

std::size_t LSTMCell::cache_planes() const { return kernels::kLstmCachePlanes + (proj_size_ ? 1 : 0); }

void LSTMCell::recur(const float* gi, const float* h, const float* c, std::size_t batch, float* h_out,
                     float* c_out, float* cache, std::size_t cache_stride, float* scratch) const {
  const std::size_t hs = hidden_size_;
  // Scratch: the hidden projection, then (with a projection, inference) o * tanh(c').
  float* gh = scratch ? scratch : step_scratch(step_scratch_floats(batch));
  project_hidden(h, batch, gh);  // h is read in full before h_out is written
  if (c_out != c) std::copy_n(c, batch * hs, c_out);
  // Without projection o * tanh(c') is h' itself; with it, it goes through W_hr below (and a
  // training step keeps it, in the cache's last plane, for W_hr's gradient).
  float* full_h = !proj_size_ ? h_out : cache ? cache + kernels::kLstmCachePlanes * cache_stride : gh + batch * 4 * hs;
  kernels::lstm_gates_f32(gi, gh, c_out, full_h, batch, hs, cache, cache_stride);
  if (proj_size_) hr_.apply(full_h, batch, h_out);
}

void LSTMCell::step_units(const UnitStep& u) const {
  const std::size_t hs = hidden_size_;
  for (std::size_t k = 0; k < kGates; ++k) hh_.apply_rows(u.h, u.gh, k * hs + u.first, k * hs + u.end);
  kernels::lstm_gates_units_f32(u.gi, u.gh, u.c, u.h_out, hs, u.first, u.end);
}

void LSTMCell::step_backward(const Tape& tape, std::size_t t, std::size_t batch, const float* dh, float* dc,
                             float* dh_prev) const {
  const std::size_t n = batch * hidden_size_;
  std::vector<float> dm(proj_size_ ? n : 0);
  if (proj_size_) hr_.apply_backward(dh, batch, dm.data(), false);
  float* dgates = tape.gates + t * batch * 4 * hidden_size_;
  kernels::lstm_gates_backward_f32(tape.cache + t * n, tape.rows * hidden_size_, tape.c_prev + t * n,
                                   proj_size_ ? dm.data() : dh, dc, dgates, batch, hidden_size_);
  hh_.apply_backward(dgates, batch, dh_prev, false);
}

void LSTMCell::extra_weight_gradients(const Tape& tape) {
  if (!proj_size_) return;
  const float* m = tape.cache + kernels::kLstmCachePlanes * tape.rows * hidden_size_;
  kernels::affine_weight_gradients(tape.dh, m, tape.rows, proj_size_, hidden_size_,
                                   gradient("weight_hr" + suffix_, proj_size_ * hidden_size_), nullptr);
}

LSTMState LSTMCell::forward(const Tensor& x, const LSTMState* state) {
  const CellBatch b = check_cell_input(type_name(), shape_of(x), input_size_);
  checked_count(type_name() + ".forward", "the gates need batch*gates*hiddenSize", {b.batch, gates_, hidden_size_});
  if (state) {
    check_cell_state(type_name(), "h0", shape_of(state->h), b, state_size_);
    check_cell_state(type_name(), "c0", shape_of(state->c), b, hidden_size_);
  }
  LSTMState out{xt::zeros<float>(cell_state_shape(b, state_size_)),
                xt::zeros<float>(cell_state_shape(b, hidden_size_))};
  if (training()) {
    keep_step(x.data(), b, state ? state->h.data() : nullptr, state ? state->c.data() : nullptr, out.h.data(),
              out.c.data());
    return out;
  }
  std::vector<float> gi(b.batch * 4 * hidden_size_);
  project_input(x.data(), b.batch, gi.data());
  recur(gi.data(), state ? state->h.data() : out.h.data(), state ? state->c.data() : out.c.data(),
        b.batch, out.h.data(), out.c.data());
  return out;
}

bool LSTMCell::load_int8(const std::string& name, const std::int8_t* q, const float* scales, std::size_t rows,
                         std::size_t cols) {
  if (!proj_size_ || name != "weight_hr" + suffix_) return CellBase::load_int8(name, q, scales, rows, cols);
  int8_ = true;
  load_int8_weights(hr_, weight_hr_, nullptr, proj_size_, hidden_size_, type_name_, name, q, scales, rows, cols);
  return true;
}

void LSTMCell::parameters_read() {
  CellBase::parameters_read();
  if (proj_size_) release_weights(hr_, weight_hr_);
}

std::vector<io::ParameterSlot> LSTMCell::parameters() {
  std::vector<io::ParameterSlot> slots = CellBase::parameters();
  if (proj_size_) restore_weights(hr_, weight_hr_);
  if (proj_size_) slots.push_back(slot("weight_hr" + suffix_, weight_hr_, "(projSize, hiddenSize)"));
  return slots;
}

}  // namespace rnn
