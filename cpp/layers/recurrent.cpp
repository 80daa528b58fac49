// A layer-direction runs in one pass: the input projection for every time step as one
// matrix-matrix product (cell.project_input over T*B rows), then the recurrence, step by step,
// with no crossing into JavaScript. Sequences of different lengths follow PackedSequence
// semantics without packing: entry b is active at time t when t < length[b]; an inactive entry
// keeps its state and outputs zeros. Walking t downwards, the reverse direction therefore
// starts at each sequence's own last step.
#include "recurrent.h"

#include <algorithm>
#include <cmath>

#include <xtensor/xadapt.hpp>

#include "../cells/gru_cell.h"
#include "../cells/lstm_cell.h"
#include "../cells/rnn_cell.h"
#include "../errors.h"

namespace rnn {

namespace {

const char* mode_name(RecurrentMode mode) {
  switch (mode) {
    case RecurrentMode::rnn_tanh:
    case RecurrentMode::rnn_relu: return "RNN";
    case RecurrentMode::gru: return "GRU";
    case RecurrentMode::lstm: return "LSTM";
  }
  return "RNN";
}

std::string suffix(std::size_t layer, std::size_t direction) {
  return "_l" + std::to_string(layer) + (direction ? "_reverse" : "");
}

[[noreturn]] void fail(ErrorKind kind, const std::string& message) { throw Error(kind, message); }

}  // namespace

struct Recurrent::Batch {
  std::size_t steps;                // T
  std::size_t batch;                // B (1 when unbatched)
  bool batched;
  std::vector<std::size_t> lengths; // B entries in [0, T]
};

RecurrentState::RecurrentState(std::size_t layers, std::size_t batch, std::size_t state_size,
                               std::size_t hidden_size, bool lstm)
    : batch_(batch),
      h_(xt::zeros<float>(Shape{layers, batch, state_size})),
      c_(xt::zeros<float>(lstm ? Shape{layers, batch, hidden_size} : Shape{0})) {}

void RecurrentState::reset() {
  h_.fill(0.f);
  c_.fill(0.f);
}

Recurrent::Recurrent(const RecurrentOptions& options) : options_(options) {
  const std::string name = mode_name(options.mode);
  check_size(name.c_str(), "inputSize", double(options.input_size));
  check_size(name.c_str(), "hiddenSize", double(options.hidden_size));
  check_size(name.c_str(), "numLayers", double(options.num_layers));
  if (!(options.dropout >= 0 && options.dropout <= 1)) {
    Message out;
    out << name << ": dropout must be in [0, 1], got " << options.dropout;
    fail(ErrorKind::argument, out.str());
  }
  if (options.proj_size && options.mode != RecurrentMode::lstm)
    fail(ErrorKind::argument, name + ": projSize is for LSTM only, got " + std::to_string(options.proj_size));
  if (options.proj_size >= options.hidden_size && options.proj_size)
    fail(ErrorKind::argument, name + ": projSize must be smaller than hiddenSize, got projSize " +
                                  std::to_string(options.proj_size) + " and hiddenSize " +
                                  std::to_string(options.hidden_size));
  const std::size_t d_count = directions();
  // Layers above the first are alike: refuse their weights' total (each weight is kept twice:
  // as loaded and packed for the kernels) before building any, or a numLayers of 2^31 - 1
  // would fill memory, cell by cell, before failing.
  const std::size_t gates = options.mode == RecurrentMode::lstm ? LSTMCell::kGates
                            : options.mode == RecurrentMode::gru  ? GRUCell::kGates
                                                                  : RNNCell::kGates;
  checked_count(name, "the layers above the first need 2*(numLayers-1)*D*gates*hiddenSize*(D+1)*stateSize",
                {2, options.num_layers - 1, d_count, gates, options.hidden_size, d_count + 1, state_size()});
  for (std::size_t k = 0; k < options.num_layers; ++k) {
    const std::size_t in = k == 0 ? options.input_size : d_count * state_size();
    for (std::size_t d = 0; d < d_count; ++d) {
      // Each cell its own stream of the seed, so cells never share initial weights.
      const std::uint64_t seed = options.seed * 1000003u + k * d_count + d;
      const std::size_t h = options.hidden_size;
      switch (options.mode) {
        case RecurrentMode::rnn_tanh:
        case RecurrentMode::rnn_relu:
          cells_.push_back(std::make_unique<RNNCell>(
              in, h, options.bias,
              options.mode == RecurrentMode::rnn_tanh ? Nonlinearity::tanh : Nonlinearity::relu,
              seed, suffix(k, d)));
          break;
        case RecurrentMode::gru:
          cells_.push_back(std::make_unique<GRUCell>(in, h, options.bias, seed, suffix(k, d)));
          break;
        case RecurrentMode::lstm:
          cells_.push_back(std::make_unique<LSTMCell>(in, h, options.bias, seed, suffix(k, d), options.proj_size));
          break;
      }
    }
  }
}

std::string Recurrent::type_name() const { return mode_name(options_.mode); }

std::size_t Recurrent::state_size() const {
  return options_.proj_size ? options_.proj_size : options_.hidden_size;
}

std::vector<io::ParameterSlot> Recurrent::parameters() {
  std::vector<io::ParameterSlot> slots;
  for (auto& cell : cells_) {
    auto cell_slots = cell->parameters();
    slots.insert(slots.end(), cell_slots.begin(), cell_slots.end());
  }
  return slots;
}

void Recurrent::parameters_changed() {
  for (auto& cell : cells_) cell->parameters_changed();
}

Recurrent::Batch Recurrent::check_forward(const Tensor& x, const Tensor* h0, const Tensor* c0,
                                          const std::vector<double>* lengths) const {
  const std::string call = type_name() + ".forward";
  const Shape xs = shape_of(x);
  const std::size_t in = options_.input_size;
  if (!((xs.size() == 3 || xs.size() == 2) && xs.back() == in)) {
    Message out;
    out << call << ": input has shape " << format_shape(xs) << ", expected "
        << (options_.batch_first ? "(batch, seqLen, " : "(seqLen, batch, ") << in << ") or (seqLen, "
        << in << ") since inputSize is " << in;
    fail(ErrorKind::shape, out.str());
  }
  Batch b;
  b.batched = xs.size() == 3;
  b.steps = b.batched && options_.batch_first ? xs[1] : xs[0];
  b.batch = b.batched ? (options_.batch_first ? xs[0] : xs[1]) : 1;
  checked_count(call, "the input projection needs seqLen*batch*gates*hiddenSize",
                {b.steps, b.batch, cells_[0]->gates(), options_.hidden_size});
  // With seqLen 0 the check above passes any batch, but h_n, c_n and lengths still hold one
  // entry per sequence.
  checked_count(call, "the state needs D*numLayers*batch*hiddenSize",
                {directions() * options_.num_layers, b.batch, options_.hidden_size});

  const std::size_t layers = directions() * options_.num_layers;
  auto check_state = [&](const Tensor* s, const char* what, std::size_t width, const char* formula) {
    if (!s) return;
    const Shape expected = b.batched ? Shape{layers, b.batch, width} : Shape{layers, width};
    if (shape_of(*s) == expected) return;
    Message out;
    out << call << ": " << what << " has shape " << format_shape(shape_of(*s)) << ", expected "
        << format_shape(expected) << " = (D*numLayers, " << (b.batched ? "batch, " : "") << formula << ")";
    fail(ErrorKind::shape, out.str());
  };
  check_state(h0, "h0", state_size(), options_.proj_size ? "projSize" : "hiddenSize");
  if (options_.mode == RecurrentMode::lstm) {
    if (bool(h0) != bool(c0)) fail(ErrorKind::argument, call + ": give both h0 and c0, or neither");
    check_state(c0, "c0", options_.hidden_size, "hiddenSize");
  } else if (c0) {
    fail(ErrorKind::argument, call + ": c0 is for LSTM only");
  }

  b.lengths.assign(b.batch, b.steps);
  if (lengths) {
    if (lengths->size() != b.batch) {
      Message out;
      out << call << ": lengths has " << lengths->size() << " entries, expected one per sequence: " << b.batch;
      fail(ErrorKind::argument, out.str());
    }
    for (std::size_t i = 0; i < b.batch; ++i) {
      const double n = (*lengths)[i];
      if (!(n >= 1 && n <= double(b.steps)) || std::floor(n) != n) {
        Message out;
        out << call << ": lengths[" << i << "] is " << n << ", expected an integer in [1, " << b.steps
            << "] (seqLen)";
        fail(ErrorKind::argument, out.str());
      }
      b.lengths[i] = static_cast<std::size_t>(n);
    }
  }
  return b;
}

RecurrentOutput Recurrent::forward(const Tensor& x, const Tensor* h0, const Tensor* c0,
                                   const std::vector<double>* lengths) const {
  const Batch b = check_forward(x, h0, c0, lengths);
  const std::size_t T = b.steps, B = b.batch, D = directions(), S = state_size();
  const std::size_t H = options_.hidden_size, L = options_.num_layers;
  const bool lstm = options_.mode == RecurrentMode::lstm;
  const bool transpose = b.batched && options_.batch_first;

  // Layer input, time-major (T, B, width).
  std::vector<float> input(x.begin(), x.end());
  std::size_t width = options_.input_size;
  if (transpose) {
    for (std::size_t i = 0; i < B; ++i)
      for (std::size_t t = 0; t < T; ++t)
        std::copy_n(x.data() + (i * T + t) * width, width, input.data() + (t * B + i) * width);
  }

  RecurrentOutput result;
  const Shape state_shape = b.batched ? Shape{D * L, B, S} : Shape{D * L, S};
  result.h_n = h0 ? *h0 : Tensor(xt::zeros<float>(state_shape));
  if (lstm) result.c_n = c0 ? *c0 : Tensor(xt::zeros<float>(b.batched ? Shape{D * L, B, H} : Shape{D * L, H}));

  std::vector<float> output, gi, h_new(B * S), c_new(lstm ? B * H : 0);
  for (std::size_t k = 0; k < L; ++k) {
    output.assign(T * B * D * S, 0.f);
    for (std::size_t d = 0; d < D; ++d) {
      const CellBase& cell = *cells_[k * D + d];
      const std::size_t G = cell.gates() * H;
      gi.resize(T * B * G);
      cell.project_input(input.data(), T * B, gi.data());
      // h and c live in h_n / c_n and are advanced in place: at the end they are the result.
      float* h = result.h_n.data() + (k * D + d) * B * S;
      float* c = lstm ? result.c_n.data() + (k * D + d) * B * H : nullptr;
      for (std::size_t s = 0; s < T; ++s) {
        const std::size_t t = d == 0 ? s : T - 1 - s;
        cell.step(gi.data() + t * B * G, h, c, B, h_new.data(), lstm ? c_new.data() : nullptr);
        for (std::size_t i = 0; i < B; ++i) {
          if (t >= b.lengths[i]) continue;  // padding: state kept, output stays zero
          std::copy_n(h_new.data() + i * S, S, h + i * S);
          if (lstm) std::copy_n(c_new.data() + i * H, H, c + i * H);
          std::copy_n(h_new.data() + i * S, S, output.data() + (t * B + i) * D * S + d * S);
        }
      }
    }
    input.swap(output);
    width = D * S;
  }

  // `input` now holds the last layer's output, time-major.
  if (!b.batched) {
    result.output = xt::adapt(input, Shape{T, D * S});
  } else if (!transpose) {
    result.output = xt::adapt(input, Shape{T, B, D * S});
  } else {
    result.output = xt::empty<float>(Shape{B, T, D * S});
    for (std::size_t t = 0; t < T; ++t)
      for (std::size_t i = 0; i < B; ++i)
        std::copy_n(input.data() + (t * B + i) * width, width, result.output.data() + (i * T + t) * width);
  }
  return result;
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
  std::vector<float> gi;
  const float* input = x.data();
  for (std::size_t k = 0; k < options_.num_layers; ++k) {
    const CellBase& cell = *cells_[k];
    gi.resize(B * cell.gates() * H);
    cell.project_input(input, B, gi.data());
    float* h = state.h().data() + k * B * S;
    float* c = lstm ? state.c().data() + k * B * H : nullptr;
    cell.step(gi.data(), h, c, B, h, c);  // in place: the cells read h before writing it
    input = h;
  }
  Tensor y = xt::empty<float>(Shape{B, S});
  std::copy_n(input, B * S, y.data());
  return y;
}

}  // namespace rnn
