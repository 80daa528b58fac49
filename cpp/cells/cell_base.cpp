#include "cell_base.h"

#include <algorithm>
#include <cmath>

#include "../errors.h"

namespace rnn {

CellBase::CellBase(std::string type_name, std::size_t input_size, std::size_t hidden_size,
                   std::size_t state_size, bool bias, std::size_t gates, std::uint64_t seed,
                   std::string suffix)
    : type_name_(std::move(type_name)),
      input_size_(check_size(type_name_.c_str(), "inputSize", double(input_size))),
      hidden_size_(check_size(type_name_.c_str(), "hiddenSize", double(hidden_size))),
      state_size_(state_size),
      gates_(gates),
      random_(seed),
      bias_(bias),
      suffix_(std::move(suffix)) {
  checked_count(type_name_, "weight_ih needs gates*hiddenSize*inputSize", {gates, hidden_size, input_size});
  checked_count(type_name_, "weight_hh needs gates*hiddenSize*hiddenSize", {gates, hidden_size, state_size});
  weight_ih_ = Matrix(Matrix::shape_type{gates * hidden_size, input_size});
  weight_hh_ = Matrix(Matrix::shape_type{gates * hidden_size, state_size});
  bias_ih_ = Vector(Vector::shape_type{bias ? gates * hidden_size : 0});
  bias_hh_ = Vector(Vector::shape_type{bias ? gates * hidden_size : 0});
  const float bound = 1.f / std::sqrt(static_cast<float>(hidden_size));
  fill_uniform(weight_ih_, bound, random_);
  fill_uniform(weight_hh_, bound, random_);
  fill_uniform(bias_ih_, bound, random_);
  fill_uniform(bias_hh_, bound, random_);
  CellBase::parameters_changed();
}

void CellBase::parameters_changed() {
  const std::size_t G = gates_ * hidden_size_;
  prepare_weights(ih_, weight_ih_, bias_ ? bias_ih_.data() : nullptr, G, input_size_, int8_, training());
  prepare_weights(hh_, weight_hh_, bias_ ? bias_hh_.data() : nullptr, G, state_size_, int8_, training());
  kept_.valid = false;  // a kept step no longer matches the weights
}

void CellBase::quantize_int8() {
  int8_ = true;
  parameters_changed();
}

bool CellBase::load_int8(const std::string& name, const std::int8_t* q, const float* scales, std::size_t rows,
                         std::size_t cols) {
  const std::size_t G = gates_ * hidden_size_;
  const bool ih = name == "weight_ih" + suffix_;
  if (!ih && name != "weight_hh" + suffix_) return false;
  int8_ = true;
  load_int8_weights(ih ? ih_ : hh_, ih ? weight_ih_ : weight_hh_, bias_ ? (ih ? bias_ih_ : bias_hh_).data() : nullptr, G,
                    ih ? input_size_ : state_size_, type_name_, name, q, scales, rows, cols);
  return true;
}

void CellBase::parameters_read() {
  release_weights(ih_, weight_ih_);
  release_weights(hh_, weight_hh_);
}

void CellBase::project_input(const float* x, std::size_t rows, float* gi) const { ih_.apply(x, rows, gi); }

float* CellBase::step_scratch(std::size_t floats) const {
  if (scratch_.size() < floats) scratch_.resize(floats);
  return scratch_.data();
}

void CellBase::project_hidden(const float* h, std::size_t batch, float* gh) const { hh_.apply(h, batch, gh); }

std::vector<io::ParameterSlot> CellBase::parameters() {
  restore_weights(ih_, weight_ih_);
  restore_weights(hh_, weight_hh_);
  const std::string rows = gates_ == 1 ? "hiddenSize" : std::to_string(gates_) + "*hiddenSize";
  std::vector<io::ParameterSlot> slots = {
      slot("weight_ih" + suffix_, weight_ih_, "(" + rows + ", inputSize)"),
      slot("weight_hh" + suffix_, weight_hh_,
           "(" + rows + (state_size_ == hidden_size_ ? ", hiddenSize)" : ", projSize)")),
  };
  if (bias_) {
    slots.push_back(slot("bias_ih" + suffix_, bias_ih_, "(" + rows + ")"));
    slots.push_back(slot("bias_hh" + suffix_, bias_hh_, "(" + rows + ")"));
  }
  return slots;
}

// ---- scanning a sequence

std::size_t CellBase::tape_floats(std::size_t steps, std::size_t batch) const {
  const std::size_t G = gates_ * hidden_size_, S = state_size_, H = hidden_size_;
  const std::size_t per_row = G * (separate_hidden_gradient() ? 2 : 1) + 2 * S + (has_cell_state() ? H : 0) +
                              cache_planes() * H;
  return checked_count(type_name_ + ".forward", "training keeps steps*batch*(its gates, states and cache)",
                       {steps, batch, per_row});
}

CellBase::Tape CellBase::tape_view(float* tape, std::size_t steps, std::size_t batch) const {
  const std::size_t rows = steps * batch, G = gates_ * hidden_size_, S = state_size_, H = hidden_size_;
  Tape t;
  t.rows = rows;
  t.gates = tape;
  tape += rows * G;
  t.dgh = separate_hidden_gradient() ? tape : t.gates;
  if (separate_hidden_gradient()) tape += rows * G;
  t.h_prev = tape;
  tape += rows * S;
  t.c_prev = has_cell_state() ? tape : nullptr;
  if (has_cell_state()) tape += rows * H;
  t.cache = tape;
  tape += cache_planes() * rows * H;
  t.dh = tape;
  return t;
}

void CellBase::scan(const Sequence& s, float* h, float* c, float* tape) const {
  if (!tape && scan_threaded(s, h, c)) return;
  const std::size_t T = s.steps, B = s.batch, S = state_size_, H = hidden_size_, G = gates_ * H;
  const Tape tp = tape ? tape_view(tape, T, B) : Tape{};
  const Scratch own_gi = tape ? nullptr : scratch(T * B * G);
  float* gi = tape ? tp.gates : own_gi.get();
  project_input(s.x, T * B, gi);
  const Scratch h_new = scratch(B * S), c_new = scratch(has_cell_state() ? B * H : 0);
  scan_rows(s, gi, h, c, 0, B, h_new.get(), c_new.get(), nullptr, tape ? &tp : nullptr);
}

void CellBase::scan_rows(const Sequence& s, const float* gi, float* h, float* c, std::size_t first,
                         std::size_t end, float* h_new, float* c_new, float* scratch, const Tape* tape) const {
  const std::size_t T = s.steps, B = s.batch, S = state_size_, H = hidden_size_, G = gates_ * H;
  const std::size_t rows = end - first;
  const bool lstm = has_cell_state();
  float* h_rows = h + first * S;
  float* c_rows = lstm ? c + first * H : nullptr;
  for (std::size_t i = 0; i < T; ++i) {
    const std::size_t t = s.reverse ? T - 1 - i : i;
    float* cache = nullptr;
    if (tape) {
      std::copy_n(h_rows, rows * S, tape->h_prev + (t * B + first) * S);
      if (lstm) std::copy_n(c_rows, rows * H, tape->c_prev + (t * B + first) * H);
      cache = tape->cache + (t * B + first) * H;
    }
    step(gi + (t * B + first) * G, h_rows, c_rows, rows, h_new, lstm ? c_new : nullptr, cache, T * B * H, scratch);
    for (std::size_t b = first; b < end; ++b) {
      if (s.lengths && t >= (*s.lengths)[b]) continue;  // padding: state kept, no output
      const std::size_t r = b - first;
      std::copy_n(h_new + r * S, S, h + b * S);
      if (lstm) std::copy_n(c_new + r * H, H, c + b * H);
      std::copy_n(h_new + r * S, S, s.out + (t * B + b) * s.out_stride);
    }
  }
}

void CellBase::scan_backward(const Sequence& s, const float* grad_out, float* dh, float* dc, float* dx,
                             bool accumulate_dx, float* tape) {
  const std::size_t T = s.steps, B = s.batch, S = state_size_, H = hidden_size_, G = gates_ * H;
  const bool lstm = has_cell_state();
  const Tape tp = tape_view(tape, T, B);
  std::vector<float> dh_prev(B * S), held_dc(lstm ? B * H : 0);
  std::vector<std::size_t> idle;  // rows past their length at this step
  for (std::size_t i = 0; i < T; ++i) {
    const std::size_t t = s.reverse ? i : T - 1 - i;  // the forward's steps, last first
    idle.clear();
    if (s.lengths)
      for (std::size_t b = 0; b < B; ++b)
        if (t >= (*s.lengths)[b]) idle.push_back(b);
    // dL/dh_t: what later steps sent back, plus the output's gradient where the row was active.
    float* dh_t = tp.dh + t * B * S;
    for (std::size_t b = 0; b < B; ++b) {
      const float* out_grad = grad_out ? grad_out + (t * B + b) * s.out_stride : nullptr;
      for (std::size_t j = 0; j < S; ++j) dh_t[b * S + j] = dh[b * S + j] + (out_grad ? out_grad[j] : 0.f);
    }
    // An idle row passed its state through unchanged: its gradients pass back unchanged too, and
    // its gates get none. It goes through the step with zero gradients, then is put back.
    for (std::size_t b : idle) {
      std::fill_n(dh_t + b * S, S, 0.f);
      if (lstm) {
        std::copy_n(dc + b * H, H, held_dc.data() + b * H);
        std::fill_n(dc + b * H, H, 0.f);
      }
    }
    step_backward(tp, t, B, dh_t, dc, dh_prev.data());
    for (std::size_t b : idle) {
      std::copy_n(dh + b * S, S, dh_prev.data() + b * S);
      if (lstm) std::copy_n(held_dc.data() + b * H, H, dc + b * H);
      std::fill_n(tp.gates + (t * B + b) * G, G, 0.f);
      std::fill_n(tp.dgh + (t * B + b) * G, G, 0.f);
    }
    std::copy(dh_prev.begin(), dh_prev.end(), dh);
  }
  // The weight gradients over every step at once, then dL/dx.
  const std::size_t rows = T * B;
  kernels::affine_weight_gradients(tp.gates, s.x, rows, G, input_size_,
                                   gradient("weight_ih" + suffix_, G * input_size_),
                                   bias_ ? gradient("bias_ih" + suffix_, G) : nullptr);
  kernels::affine_weight_gradients(tp.dgh, tp.h_prev, rows, G, S, gradient("weight_hh" + suffix_, G * S),
                                   bias_ ? gradient("bias_hh" + suffix_, G) : nullptr);
  extra_weight_gradients(tp);
  ih_.apply_backward(tp.gates, rows, dx, accumulate_dx);
}

// ---- a cell's own step

void CellBase::keep_step(const float* x, const CellBatch& b, const float* h0, const float* c0, float* h1,
                         float* c1) {
  const bool lstm = has_cell_state();
  kept_.valid = false;
  kept_.batch = b;
  kept_.x.assign(x, x + b.batch * input_size_);
  kept_.tape.assign(tape_floats(1, b.batch), 0.f);
  if (h0) std::copy_n(h0, b.batch * state_size_, h1);
  if (lstm && c0) std::copy_n(c0, b.batch * hidden_size_, c1);
  const Sequence s{kept_.x.data(), h1, state_size_, 1, b.batch, nullptr, false};
  scan(s, h1, c1, kept_.tape.data());
  kept_.valid = true;
}

CellBase::Gradients CellBase::backward(const Tensor& grad_h, const Tensor* grad_c) {
  const std::string call = type_name_ + ".backward";
  if (!kept_.valid)
    throw Error(ErrorKind::argument, call + ": no training forward to go back through; call train(), then forward(), "
                                            "then backward() once per forward");
  const CellBatch& b = kept_.batch;
  const bool lstm = has_cell_state();
  check_cell_state(type_name_, "gradH", shape_of(grad_h), b, state_size_, "backward");
  if (grad_c && !lstm) throw Error(ErrorKind::argument, call + ": gradC is for LSTMCell only");
  if (grad_c) check_cell_state(type_name_, "gradC", shape_of(*grad_c), b, hidden_size_, "backward");
  Gradients out{xt::zeros<float>(b.batched ? Shape{b.batch, input_size_} : Shape{input_size_}),
                xt::empty<float>(cell_state_shape(b, state_size_)),
                lstm ? Tensor(xt::zeros<float>(cell_state_shape(b, hidden_size_))) : Tensor()};
  std::copy(grad_h.begin(), grad_h.end(), out.h.begin());
  if (grad_c) std::copy(grad_c->begin(), grad_c->end(), out.c.begin());
  const Sequence s{kept_.x.data(), nullptr, state_size_, 1, b.batch, nullptr, false};
  kept_.valid = false;  // the tape becomes scratch: one backward per forward
  scan_backward(s, nullptr, out.h.data(), lstm ? out.c.data() : nullptr, out.input.data(), false, kept_.tape.data());
  return out;
}

}  // namespace rnn
