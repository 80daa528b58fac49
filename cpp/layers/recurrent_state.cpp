// Streaming: a unidirectional layer's state kept in wasm memory, advanced one time step per
// call through every layer (Recurrent::step), with no replay of the prefix. Inference only.
#include <algorithm>

#include "../errors.h"
#include "recurrent.h"

namespace rnn {

namespace {

[[noreturn]] void fail(ErrorKind kind, const std::string& message) { throw Error(kind, message); }

}  // namespace

RecurrentState::RecurrentState(std::size_t layers, std::size_t batch, std::size_t state_size,
                               std::size_t hidden_size, bool lstm)
    : batch_(batch),
      h_(xt::zeros<float>(Shape{layers, batch, state_size})),
      c_(xt::zeros<float>(lstm ? Shape{layers, batch, hidden_size} : Shape{0})) {}

void RecurrentState::reset() {
  h_.fill(0.f);
  c_.fill(0.f);
}

void Recurrent::check_steppable(const char* call) const {
  if (options_.bidirectional)
    fail(ErrorKind::argument, type_name() + "." + call +
                                  ": a bidirectional layer cannot run step by step, since its reverse "
                                  "direction starts from the end of the sequence; use forward()");
}

RecurrentState Recurrent::make_state(std::size_t batch) const {
  check_steppable("state");
  checked_count(type_name() + ".state", "the state needs numLayers*batch*hiddenSize",
                {options_.num_layers, batch, options_.hidden_size});
  return RecurrentState(options_.num_layers, batch, state_size(), options_.hidden_size,
                        options_.mode == RecurrentMode::lstm);
}

void Recurrent::set_state(RecurrentState& state, const Tensor& h, const Tensor* c) const {
  const std::string call = type_name() + "State.set";
  const bool lstm = options_.mode == RecurrentMode::lstm;
  auto check = [&](const Tensor& t, const char* what, std::size_t width, const char* formula) {
    const Shape expected{options_.num_layers, state.batch(), width};
    if (shape_of(t) == expected) return;
    Message out;
    out << call << ": " << what << " has shape " << format_shape(shape_of(t)) << ", expected "
        << format_shape(expected) << " = (numLayers, batch, " << formula << ")";
    fail(ErrorKind::shape, out.str());
  };
  check(h, "h", state_size(), options_.proj_size ? "projSize" : "hiddenSize");
  if (lstm && !c) fail(ErrorKind::argument, call + ": an LSTM state needs [h, c]");
  if (!lstm && c) fail(ErrorKind::argument, call + ": c is for LSTM states only");
  if (c) check(*c, "c", options_.hidden_size, "hiddenSize");
  state.h() = h;
  if (c) state.c() = *c;
}

Tensor Recurrent::step(const Tensor& x, RecurrentState& state) const {
  check_steppable("step");
  const Shape xs = shape_of(x);
  if (!(xs.size() == 2 && xs[0] == state.batch() && xs[1] == options_.input_size)) {
    Message out;
    out << type_name() << ".step: input has shape " << format_shape(xs) << ", expected ("
        << state.batch() << ", " << options_.input_size << ") = (batch of the state, inputSize)";
    fail(ErrorKind::shape, out.str());
  }
  const std::size_t B = state.batch(), S = state_size(), H = options_.hidden_size;
  const bool lstm = options_.mode == RecurrentMode::lstm;
  if (shape_of(state.h()) != Shape{options_.num_layers, B, S} || (lstm && shape_of(state.c()) != Shape{options_.num_layers, B, H}))
    fail(ErrorKind::argument, type_name() + ".step: the state was made by a layer of another size");
  // Each layer scans its one step as a sequence of one, which takes the layer's threads where
  // it has them (cells/parallel_scan.cpp); the new state is written over the old.
  const float* input = x.data();
  for (std::size_t k = 0; k < options_.num_layers; ++k) {
    float* h = state.h().data() + k * B * S;
    float* c = lstm ? state.c().data() + k * B * H : nullptr;
    cells_[k]->scan(CellBase::Sequence{input, h, S, 1, B, nullptr, false}, h, c, nullptr);
    input = h;
  }
  Tensor y = xt::empty<float>(Shape{B, S});
  std::copy_n(input, B * S, y.data());
  return y;
}

}  // namespace rnn
