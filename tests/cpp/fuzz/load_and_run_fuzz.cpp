// libFuzzer harness: what a hostile model file can make reach the C++ core. js/src/safetensors.ts
// parses the bytes; through cpp/bindings/embind.cpp C++ then receives a module configuration
// (sizes, layers, bidirectional, projSize, bias), a state dict (any names -> tensors of any
// shape and any floats) for Module::load_state_dict, and inputs for forward / step (shapes,
// lengths, token ids). The fuzz input is decoded into exactly those:
//
//   structure, read from the front one byte at a time: the module and its configuration, what
//     to do to each parameter it expects (keep, drop, wrong shape, rename, add a stranger),
//     strictness, then one to three calls with their shapes, states, lengths and ids;
//   values, read from the back, one byte per float: a multiple of 1/16 in [-7.5, 7.4], or a
//     special (NaN, ±Inf, ±0, ±FLT_MAX, denormals, ±1e30, exp's overflow edge ±88.8).
//
// A used-up stream reads as zeros, so every input decodes. Dimensions are at most 9 (but for a
// rare large size, see make_module), so an input runs in about a millisecond. rnn::Error is the
// right answer to a bad file or call; a finding is anything else: a sanitizer report, another
// exception (it escapes, and the process aborts), or a broken promise checked here with abort():
// a failed load leaves the module as it was, a successful one holds exactly the given values,
// outputs have their documented shapes, and a unidirectional layer's forward equals its
// step-by-step run. Half the modules train: their forwards keep a tape, and a backward with
// fuzzed gradients (mostly of the right shapes) follows, whose results have the inputs' shapes.
//
// Built by scripts/fuzz.sh (clang, libFuzzer) and, with replay_main.cpp, by scripts/sanitize.sh
// (any compiler): `build/asan/load_and_run_replay crash-file` replays a finding.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cells/gru_cell.h"
#include "cells/lstm_cell.h"
#include "cells/rnn_cell.h"
#include "errors.h"
#include "layers/activation.h"
#include "layers/embedding.h"
#include "layers/linear.h"
#include "layers/recurrent.h"

using namespace rnn;

namespace {

[[noreturn]] void broken(const std::string& what) {
  std::fprintf(stderr, "load_and_run_fuzz: broken promise: %s\n", what.c_str());
  std::abort();
}

void require(bool ok, const std::string& what) {
  if (!ok) broken(what);
}

class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : front_(data), back_(data + size) {}

  unsigned byte() { return front_ < back_ ? *front_++ : 0; }
  std::size_t below(std::size_t n) { return byte() % n; }
  bool flag() { return byte() & 1; }
  bool rarely() { return below(8) == 0; }

  float value() {
    if (front_ >= back_) return 0.f;
    const unsigned b = *--back_;
    if (b < 240) return (float(b) - 120.f) / 16.f;
    static const float specials[16] = {
        std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::quiet_NaN(),
        std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
        0.f, -0.f, FLT_MAX, -FLT_MAX, FLT_MIN, std::numeric_limits<float>::denorm_min(),
        -std::numeric_limits<float>::denorm_min(), 1e30f, -1e30f, 88.8f, -88.8f, 1e-30f};
    return specials[b - 240];
  }

  Tensor tensor(const Shape& shape) {
    Tensor t = xt::empty<float>(shape);
    for (auto& v : t) v = value();
    return t;
  }

  // n most of the time; n ± 1 (or 0) now and then.
  std::size_t near(std::size_t n) {
    switch (below(16)) {
      case 0: return n + 1;
      case 1: return n ? n - 1 : 2;
      case 2: return 0;
      default: return n;
    }
  }

  // A shape that is not `s`: one dimension off by one, or one more or one fewer dimension.
  Shape wrong(Shape s) {
    const std::size_t i = s.empty() ? 0 : below(s.size());
    switch (below(4)) {
      case 0: if (!s.empty()) { s[i] += 1; break; } [[fallthrough]];
      case 1: s.push_back(1 + below(3)); break;
      case 2: if (!s.empty() && s[i] > 0) { s[i] -= 1; break; } [[fallthrough]];
      default: if (!s.empty()) s.pop_back(); else s.push_back(2); break;
    }
    return s;
  }

  // `shape` most of the time, a wrong one now and then.
  Shape mostly(const Shape& shape) { return rarely() ? wrong(shape) : shape; }

  // A name that a file might hold instead of `name`.
  std::string stranger(const std::string& name) {
    switch (below(8)) {
      case 0: return name + "x";
      case 1: return "";
      case 2: return name.substr(0, name.size() / 2);
      case 3: return name + "_l9";
      case 4: return "weight_ih_l0_reverse";
      case 5: return name + std::string(1, '\0') + "tail";
      case 6: return "\xff\xfe" + name;
      default: return "module." + name;
    }
  }

  // A sequence length or token id from a file: usually an integer in [0, n], sometimes not.
  double count(std::size_t n) {
    static const double odd[8] = {-1, 0.5, std::nan(""), INFINITY, -INFINITY, 1e300, -0.0, 2147483648.0};
    return rarely() ? odd[below(8)] : double(below(n + 1));
  }

 private:
  const std::uint8_t* front_;
  const std::uint8_t* back_;
};

// Dimensions for tensors with a zero dimension elsewhere: no data, however large.
const std::size_t kHuge[3] = {std::size_t(1) << 30, 2147483647, std::size_t(1) << 40};

bool same_bits(const Tensor& a, const Tensor& b) {
  return shape_of(a) == shape_of(b) && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

bool same_state(const io::StateDict& a, const io::StateDict& b) {
  if (a.size() != b.size()) return false;
  for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib)
    if (ia->first != ib->first || !same_bits(ia->second, ib->second)) return false;
  return true;
}

// As tests/cpp/check.h's close(): NaN equals NaN, infinities equal when the same.
bool close(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return std::fabs(a - b) <= 1e-5f + 1e-4f * std::fabs(b);
}

void require_shape(const Tensor& t, const Shape& expected, const char* what) {
  if (shape_of(t) != expected)
    broken(std::string(what) + " has shape " + format_shape(shape_of(t)) + ", expected " + format_shape(expected));
}

// The state dict a file would carry for `module`: each expected parameter kept, dropped, given
// a wrong shape or a wrong name, or joined by a stranger; then loaded, strict or not.
void load_hostile_state_dict(Module& module, Input& in) {
  const io::StateDict before = module.state_dict();
  io::StateDict source;
  for (const auto& [name, tensor] : before) {
    const std::size_t op = in.below(8);
    if (op == 4) continue;
    const Shape shape = op == 5 ? in.wrong(shape_of(tensor)) : shape_of(tensor);
    source[op == 6 ? in.stranger(name) : name] = in.tensor(shape);
    if (op == 7) source[in.stranger(name)] = in.tensor(in.mostly(shape_of(tensor)));
  }
  const bool strict = in.flag();
  try {
    module.load_state_dict(source, strict);
  } catch (const Error&) {
    require(same_state(module.state_dict(), before), "a failed load changed the module");
    return;
  }
  // Loaded: every known name holds the file's bits, every other parameter its old value.
  for (const auto& [name, tensor] : module.state_dict()) {
    const auto given = source.find(name);
    require(same_bits(tensor, given != source.end() ? given->second : before.at(name)),
            "'" + name + "' does not hold what was loaded");
  }
}

// ---- calls, one function per kind of module; each checks the shapes of what it gets back

void run_cell(CellBase& cell, Input& in) {
  const bool batched = !in.rarely();
  const std::size_t B = in.below(5);
  const Shape x_shape = batched ? Shape{B, in.near(cell.input_size())} : Shape{in.near(cell.input_size())};
  const Tensor x = in.tensor(in.rarely() ? in.wrong(x_shape) : x_shape);
  const Shape h_shape = batched ? Shape{B, cell.state_size()} : Shape{cell.state_size()};
  const Shape c_shape = batched ? Shape{B, cell.hidden_size()} : Shape{cell.hidden_size()};
  const bool with_state = in.flag();
  // Accepted, x was (batch, inputSize) or (inputSize): the state has its batch dimension, if any.
  auto state_shape = [&](std::size_t width) {
    return x.dimension() == 2 ? Shape{x.shape()[0], width} : Shape{width};
  };
  if (auto* lstm = dynamic_cast<LSTMCell*>(&cell)) {
    const LSTMState state{in.tensor(in.mostly(h_shape)), in.tensor(in.mostly(c_shape))};
    const LSTMState out = lstm->forward(x, with_state ? &state : nullptr);
    require_shape(out.h, state_shape(cell.state_size()), "LSTMCell.forward h");
    require_shape(out.c, state_shape(cell.hidden_size()), "LSTMCell.forward c");
  } else {
    const Tensor h0 = in.tensor(in.mostly(h_shape));
    Tensor h1;
    if (auto* rnn_cell = dynamic_cast<RNNCell*>(&cell)) h1 = rnn_cell->forward(x, with_state ? &h0 : nullptr);
    if (auto* gru = dynamic_cast<GRUCell*>(&cell)) h1 = gru->forward(x, with_state ? &h0 : nullptr);
    require_shape(h1, state_shape(cell.state_size()), "cell.forward h");
  }
  if (!cell.training() || !in.flag()) return;
  const Tensor grad_h = in.tensor(in.mostly(state_shape(cell.state_size())));
  const Tensor grad_c = in.tensor(in.mostly(state_shape(cell.hidden_size())));
  const CellBase::Gradients g = cell.backward(grad_h, cell.has_cell_state() && in.flag() ? &grad_c : nullptr);
  require_shape(g.input, shape_of(x), "cell.backward input");
  require_shape(g.h, state_shape(cell.state_size()), "cell.backward h");
}

std::optional<std::vector<double>> fuzz_lengths(Input& in, std::size_t B, std::size_t T) {
  if (!in.flag()) return std::nullopt;
  std::vector<double> lengths(in.near(B));
  for (auto& n : lengths) n = in.count(T);
  return lengths;
}

void run_recurrent_forward(Recurrent& layer, Input& in) {
  const RecurrentOptions& o = layer.options();
  const std::size_t D = layer.directions(), L = o.num_layers, S = layer.state_size(), H = o.hidden_size;
  const bool lstm = o.mode == RecurrentMode::lstm;
  const bool batched = !in.rarely();
  const std::size_t T = in.below(6);
  // With seqLen 0, x holds nothing however large its batch: a huge batch costs the caller
  // nothing to pass, so now and then the batch is one that no state could hold (no h0, c0 or
  // lengths then: they would be huge).
  const bool huge = batched && T == 0 && in.rarely();
  const std::size_t B = huge ? kHuge[in.below(3)] : in.below(5), width = in.near(o.input_size);
  Shape x_shape = !batched ? Shape{T, width} : o.batch_first ? Shape{B, T, width} : Shape{T, B, width};
  const Tensor x = in.tensor(!huge && in.rarely() ? in.wrong(x_shape) : x_shape);
  const Shape h_shape = batched ? Shape{D * L, B, S} : Shape{D * L, S};
  const Shape c_shape = batched ? Shape{D * L, B, H} : Shape{D * L, H};
  std::optional<Tensor> h0, c0;
  if (!huge && in.flag()) h0 = in.tensor(in.mostly(h_shape));
  if (!huge && (lstm ? (h0 ? !in.rarely() : in.rarely()) : in.rarely())) c0 = in.tensor(in.mostly(c_shape));
  const auto lengths = huge ? std::nullopt : fuzz_lengths(in, B, T);
  const RecurrentOutput out = layer.forward(x, h0 ? &*h0 : nullptr, c0 ? &*c0 : nullptr, lengths ? &*lengths : nullptr);
  // Accepted: x was (T, B, inputSize), (B, T, inputSize) with batch_first, or (T, inputSize).
  const Shape xs = shape_of(x);
  if (xs.size() == 2) {
    require_shape(out.output, Shape{xs[0], D * S}, "Recurrent.forward output");
    require_shape(out.h_n, Shape{D * L, S}, "Recurrent.forward h_n");
    if (lstm) require_shape(out.c_n, Shape{D * L, H}, "Recurrent.forward c_n");
  } else {
    const std::size_t t = o.batch_first ? xs[1] : xs[0], b = o.batch_first ? xs[0] : xs[1];
    require_shape(out.output, o.batch_first ? Shape{b, t, D * S} : Shape{t, b, D * S}, "Recurrent.forward output");
    require_shape(out.h_n, Shape{D * L, b, S}, "Recurrent.forward h_n");
    if (lstm) require_shape(out.c_n, Shape{D * L, b, H}, "Recurrent.forward c_n");
  }
  if (!layer.training() || huge || !in.flag()) return;
  const Tensor grad_output = in.tensor(in.mostly(shape_of(out.output)));
  std::optional<Tensor> grad_h, grad_c;
  if (in.flag()) grad_h = in.tensor(in.mostly(shape_of(out.h_n)));
  if (lstm ? in.flag() : in.rarely()) grad_c = in.tensor(in.mostly(shape_of(lstm ? out.c_n : out.h_n)));
  const RecurrentGradients g = layer.backward(grad_output, grad_h ? &*grad_h : nullptr, grad_c ? &*grad_c : nullptr);
  require_shape(g.input, xs, "Recurrent.backward input");
  require_shape(g.h0, shape_of(out.h_n), "Recurrent.backward h0");
  if (lstm) require_shape(g.c0, shape_of(out.c_n), "Recurrent.backward c0");
}

// Streaming as the bindings do it (_recurrentStateNew checks the batch first); the state may
// come from another layer, as a handle from JS can.
void run_recurrent_steps(Recurrent& layer, Input& in) {
  const RecurrentOptions& o = layer.options();
  const std::size_t batch = check_size("state", "batch", double(in.below(5)));
  std::unique_ptr<Recurrent> other;
  if (in.rarely()) {
    RecurrentOptions p = o;
    p.mode = RecurrentMode(in.below(4));
    p.hidden_size = 1 + in.below(4);
    p.num_layers = 1 + in.below(2);
    p.proj_size = 0;
    other = std::make_unique<Recurrent>(p);
  }
  RecurrentState state = (other ? *other : layer).make_state(batch);
  const std::size_t S = layer.state_size(), H = o.hidden_size, L = o.num_layers;
  for (std::size_t steps = 1 + in.below(4); steps > 0; --steps) {
    switch (in.below(8)) {
      case 0: {
        const Tensor h = in.tensor(in.mostly(Shape{L, batch, S}));
        const Tensor c = in.tensor(in.mostly(Shape{L, batch, H}));
        layer.set_state(state, h, in.flag() ? &c : nullptr);
        break;
      }
      case 1: state.reset(); break;
      case 2: state = RecurrentState(state); break;
      default: break;
    }
    const Tensor x = in.tensor(in.mostly(Shape{batch, o.input_size}));
    require_shape(layer.step(x, state), Shape{batch, S}, "Recurrent.step");
  }
}

// A unidirectional layer's forward over (T, B) against step() one time step at a time (which
// has no dropout: a training forward with dropout differs, by design).
void run_forward_against_steps(Recurrent& layer, Input& in) {
  const RecurrentOptions& o = layer.options();
  if (o.bidirectional || (layer.training() && o.dropout > 0 && o.num_layers > 1)) return;
  const std::size_t T = in.below(5), B = 1 + in.below(3), S = layer.state_size(), H = o.hidden_size;
  const std::size_t L = o.num_layers, I = o.input_size;
  const bool lstm = o.mode == RecurrentMode::lstm;
  const Tensor x = in.tensor(o.batch_first ? Shape{B, T, I} : Shape{T, B, I});
  std::optional<Tensor> h0, c0;
  if (in.flag()) {
    h0 = in.tensor(Shape{L, B, S});
    if (lstm) c0 = in.tensor(Shape{L, B, H});
  }
  const RecurrentOutput out = layer.forward(x, h0 ? &*h0 : nullptr, c0 ? &*c0 : nullptr, nullptr);
  RecurrentState state = layer.make_state(B);
  if (h0) layer.set_state(state, *h0, c0 ? &*c0 : nullptr);
  for (std::size_t t = 0; t < T; ++t) {
    Tensor x_t = xt::empty<float>(Shape{B, I});
    for (std::size_t b = 0; b < B; ++b)
      std::copy_n(x.data() + (o.batch_first ? b * T + t : t * B + b) * I, I, x_t.data() + b * I);
    const Tensor y = layer.step(x_t, state);
    for (std::size_t b = 0; b < B; ++b)
      for (std::size_t j = 0; j < S; ++j) {
        const float expected = out.output.data()[(o.batch_first ? b * T + t : t * B + b) * S + j];
        if (!close(y.data()[b * S + j], expected))
          broken("step " + std::to_string(t) + " differs from forward at batch " + std::to_string(b));
      }
  }
  for (std::size_t i = 0; i < out.h_n.size(); ++i)
    require(close(state.h().data()[i], out.h_n.data()[i]), "step's final h differs from forward's h_n");
  for (std::size_t i = 0; lstm && i < out.c_n.size(); ++i)
    require(close(state.c().data()[i], out.c_n.data()[i]), "step's final c differs from forward's c_n");
}

void run_linear(Linear& linear, Input& in) {
  Shape shape(in.below(4));
  for (auto& d : shape) d = in.below(4);
  if (shape.size() == 3 && in.rarely()) shape = {0, kHuge[in.below(3)], 1};  // no rows, a huge dimension
  if (!shape.empty()) shape.back() = in.near(linear.in_features());
  const Tensor y = linear.forward(in.tensor(shape));
  require(!shape.empty(), "Linear.forward took a scalar");
  shape.back() = linear.out_features();
  require_shape(y, shape, "Linear.forward");
  // Logits go on to softmax (language models, classifiers).
  require_shape(softmax(y), shape, "softmax");
  require_shape(activate(Activation(in.below(3)), y), shape, "activate");
  // A fuzzed gradient of a shape with a huge dimension would be too large for this harness to make.
  const bool huge = std::any_of(shape.begin(), shape.end(), [](std::size_t d) { return d > 64; });
  if (!linear.training() || huge || !in.flag()) return;
  Shape x_shape = shape;
  x_shape.back() = linear.in_features();
  require_shape(linear.backward(in.tensor(in.mostly(shape))), x_shape, "Linear.backward");
}

void run_embedding(Embedding& embedding, Input& in) {
  std::vector<double> ids(in.below(7));
  for (auto& id : ids) id = in.count(embedding.num_embeddings());
  Shape shape = {ids.size()};
  if (ids.size() % 2 == 0 && in.flag()) shape = {2, ids.size() / 2};
  if (ids.empty() && in.rarely()) shape = {kHuge[in.below(3)], 0};
  if (in.rarely()) shape = in.wrong(shape);
  const Tensor y = embedding.forward(ids, shape);
  shape.push_back(embedding.embedding_dim());
  require_shape(y, shape, "Embedding.forward");
  const Tensor weight = embedding.state_dict().at("weight");
  const std::size_t dim = embedding.embedding_dim();
  for (std::size_t i = 0; i < ids.size(); ++i)
    require(std::memcmp(y.data() + i * dim, weight.data() + std::size_t(ids[i]) * dim, dim * sizeof(float)) == 0,
            "Embedding.forward: a row is not the weight row of its id");
  const bool huge = std::any_of(shape.begin(), shape.end(), [](std::size_t d) { return d > 64; });
  if (embedding.training() && !huge && in.flag()) embedding.backward(in.tensor(in.mostly(shape)));
}

// ---- configuration: a module as a file's metadata could describe it, sizes up to 8 (0 refused),
// and 1 time in 16 a large first size (inputSize, inFeatures, numEmbeddings): one that fits, one
// whose weights would not fit in wasm's 2 GiB, one that check_size refuses.

std::unique_ptr<Module> make_module(std::size_t kind, Input& in) {
  static const std::size_t large[3] = {4099, 2147483647, 2147483648};
  const unsigned first = in.byte();
  const std::size_t a = first >= 240 ? large[first % 3] : first % 9, b = in.below(9);
  const unsigned flags = in.byte();
  const bool bias = !(flags & 1);
  const std::uint64_t seed = in.byte();
  if (kind < 4) {
    RecurrentOptions o;
    o.mode = RecurrentMode(kind);
    o.input_size = a;
    o.hidden_size = b;
    o.num_layers = in.below(4);
    o.bias = bias;
    o.batch_first = flags & 2;
    o.bidirectional = flags & 4;
    o.proj_size = flags & 8 ? in.below(9) : 0;
    static const double dropouts[8] = {0, 0, 0, 0, 0.5, 1, -0.1, std::nan("")};
    o.dropout = dropouts[(flags >> 4) & 7];
    o.seed = seed;
    return std::make_unique<Recurrent>(o);
  }
  switch (kind) {
    case 4: return std::make_unique<RNNCell>(a, b, bias, flags & 2 ? Nonlinearity::relu : Nonlinearity::tanh, seed);
    case 5: return std::make_unique<GRUCell>(a, b, bias, seed);
    case 6: return std::make_unique<LSTMCell>(a, b, bias, seed);
    case 7: return std::make_unique<Linear>(a, b, bias, seed);
    default: {
      std::optional<std::int64_t> padding;
      if (flags & 2) padding = std::int64_t(in.below(21)) - 10;
      return std::make_unique<Embedding>(a, b, padding, seed);
    }
  }
}

void run_one(Input& in) {
  const std::size_t kind = in.below(9);
  std::unique_ptr<Module> module;
  try {
    module = make_module(kind, in);
  } catch (const Error&) {
    return;  // a configuration refused: the file is rejected before any weights
  }
  if (in.flag()) module->train(true);
  load_hostile_state_dict(*module, in);  // a failed load leaves a working module: go on with it
  for (std::size_t calls = 1 + in.below(3); calls > 0; --calls) {
    try {
      if (auto* layer = dynamic_cast<Recurrent*>(module.get())) {
        const std::size_t call = in.below(3);
        if (call == 0) run_recurrent_forward(*layer, in);
        else if (call == 1) run_recurrent_steps(*layer, in);
        else run_forward_against_steps(*layer, in);
      } else if (auto* cell = dynamic_cast<CellBase*>(module.get())) {
        run_cell(*cell, in);
      } else if (auto* linear = dynamic_cast<Linear*>(module.get())) {
        run_linear(*linear, in);
      } else {
        run_embedding(*dynamic_cast<Embedding*>(module.get()), in);
      }
    } catch (const Error&) {
      // refused with a message: what the bindings hand to JS as RnnError
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(data, size);
  run_one(in);
  return 0;
}
