// A layer-direction runs in one pass: the input projection for every time step as one
// matrix-matrix product (cell.project_input over T*B rows), then the recurrence, step by step,
// with no crossing into JavaScript. Sequences of different lengths follow PackedSequence
// semantics without packing: entry b is active at time t when t < length[b]; an inactive entry
// keeps its state and outputs zeros. Walking t downwards, the reverse direction therefore
// starts at each sequence's own last step.
#include "recurrent.h"

#include <algorithm>
#include <cmath>
#include <cstring>


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

// A sequence tensor as the caller gives it ((T, B, width), or (B, T, width) with batch_first)
// into time-major rows at out, and back.
void to_time_major(const Tensor& x, std::size_t T, std::size_t B, std::size_t width, bool batch_first, float* out) {
  if (!batch_first) {
    std::copy(x.begin(), x.end(), out);
    return;
  }
  for (std::size_t i = 0; i < B; ++i)
    for (std::size_t t = 0; t < T; ++t) std::copy_n(x.data() + (i * T + t) * width, width, out + (t * B + i) * width);
}

Tensor from_time_major(const float* rows, std::size_t T, std::size_t B, std::size_t width, bool batched, bool batch_first) {
  if (!batched) return tensor_of(Shape{T, width}, rows);
  if (!batch_first) return tensor_of(Shape{T, B, width}, rows);
  Tensor out = xt::empty<float>(Shape{B, T, width});
  for (std::size_t t = 0; t < T; ++t)
    for (std::size_t i = 0; i < B; ++i) std::copy_n(rows + (t * B + i) * width, width, out.data() + (i * T + t) * width);
  return out;
}

}  // namespace

struct Recurrent::Batch {
  std::size_t steps;                // T
  std::size_t batch;                // B (1 when unbatched)
  bool batched;
  std::vector<std::size_t> lengths; // B entries in [0, T]
};

Recurrent::Recurrent(const RecurrentOptions& options)
    : options_(options), dropout_random_(options.seed * 1000003u + 999983u) {
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
  kept_.reset();  // what a training forward kept no longer matches the weights
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

// What a training forward keeps, at offsets into one arena.
struct Recurrent::Kept {
  Batch batch;
  Shape output_shape, h_shape, c_shape;
  Scratch arena;  // every part is written before it is read
  std::vector<std::size_t> input_at;  // layer k's input, (T*B, width_k)
  std::vector<std::size_t> tape_at;   // cell k*D + d's tape
  std::vector<std::size_t> mask_at;   // layer k's dropout mask over its output, (T*B, D*S), k < L-1
  float* input(std::size_t k) { return arena.get() + input_at[k]; }
  float* tape(std::size_t i) { return arena.get() + tape_at[i]; }
  float* mask(std::size_t k) { return mask_at.empty() ? nullptr : arena.get() + mask_at[k]; }
};

Recurrent::~Recurrent() = default;

void Recurrent::training_changed() { kept_.reset(); }

std::vector<Module*> Recurrent::children() {
  std::vector<Module*> out;
  for (auto& cell : cells_) out.push_back(cell.get());
  return out;
}

// Dropout on layer k's output, as torch.nn.functional.dropout: each element kept with
// probability 1 - p and scaled by 1 / (1 - p), else zero; the mask is kept for backward.
void Recurrent::keep_masks(Kept& kept, std::size_t layer, float* output) {
  float* mask = kept.mask(layer);
  if (!mask) return;
  const std::size_t n = kept.batch.steps * kept.batch.batch * directions() * state_size();
  const double p = options_.dropout;
  const float scale = p < 1 ? static_cast<float>(1.0 / (1.0 - p)) : 0.f;
  for (std::size_t i = 0; i < n; ++i) {
    mask[i] = dropout_random_.uniform(0.f, 1.f) >= p ? scale : 0.f;
    output[i] *= mask[i];
  }
}

RecurrentOutput Recurrent::forward(const Tensor& x, const Tensor* h0, const Tensor* c0,
                                   const std::vector<double>* lengths) {
  const Batch b = check_forward(x, h0, c0, lengths);
  const std::size_t T = b.steps, B = b.batch, D = directions(), S = state_size();
  const std::size_t H = options_.hidden_size, L = options_.num_layers, in = options_.input_size;
  const bool lstm = options_.mode == RecurrentMode::lstm;
  const bool transpose = b.batched && options_.batch_first;
  const bool keep = training();
  kept_.reset();

  // In training, one arena holds every layer's input, every cell's tape and the dropout masks.
  std::unique_ptr<Kept> kept;
  if (keep) {
    kept = std::make_unique<Kept>();
    kept->batch = b;
    std::size_t size = 0;
    for (std::size_t k = 0; k < L; ++k) {
      kept->input_at.push_back(size);
      size += T * B * (k == 0 ? in : D * S);
      for (std::size_t d = 0; d < D; ++d) {
        kept->tape_at.push_back(size);
        size += cells_[k * D + d]->tape_floats(T, B);
      }
    }
    if (options_.dropout > 0)
      for (std::size_t k = 0; k + 1 < L; ++k) {
        kept->mask_at.push_back(size);
        size += T * B * D * S;
      }
    checked_count(type_name() + ".forward", "training keeps each layer's input, tapes and masks: floats", {size});
    kept->arena = scratch(size);
  }

  // Layer input, time-major (T, B, width). In training it lives in the arena, with the rows
  // past each sequence's length zeroed: they reach no output, and so no gradient either.
  const Scratch own_input = keep ? nullptr : scratch(T * B * in);
  float* input = keep ? kept->input(0) : own_input.get();
  to_time_major(x, T, B, in, transpose, input);
  if (keep && lengths)
    for (std::size_t t = 0; t < T; ++t)
      for (std::size_t i = 0; i < B; ++i)
        if (t >= b.lengths[i]) std::fill_n(input + (t * B + i) * in, in, 0.f);

  RecurrentOutput result;
  const Shape state_shape = b.batched ? Shape{D * L, B, S} : Shape{D * L, S};
  result.h_n = h0 ? *h0 : Tensor(xt::zeros<float>(state_shape));
  if (lstm) result.c_n = c0 ? *c0 : Tensor(xt::zeros<float>(b.batched ? Shape{D * L, B, H} : Shape{D * L, H}));

  // Each layer's output is the next one's input: in training, straight into the arena; else
  // two buffers take turns.
  const std::size_t n = T * B * D * S;
  const Scratch top = scratch(n), between[2] = {scratch(L > 1 && !keep ? n : 0), scratch(L > 2 && !keep ? n : 0)};
  for (std::size_t k = 0; k < L; ++k) {
    float* output = k + 1 == L ? top.get() : keep ? kept->input(k + 1) : between[k % 2].get();
    std::memset(output, 0, n * sizeof(float));  // positions past a sequence's length stay zero
    for (std::size_t d = 0; d < D; ++d) {
      const CellBase& cell = *cells_[k * D + d];
      // h and c live in h_n / c_n and are advanced in place: at the end they are the result.
      float* h = result.h_n.data() + (k * D + d) * B * S;
      float* c = lstm ? result.c_n.data() + (k * D + d) * B * H : nullptr;
      const CellBase::Sequence seq{input, output + d * S, D * S, T, B, &b.lengths, d == 1};
      cell.scan(seq, h, c, keep ? kept->tape(k * D + d) : nullptr);
    }
    if (keep && k + 1 < L) keep_masks(*kept, k, output);
    input = output;
  }

  // `top` now holds the last layer's output, time-major.
  result.output = from_time_major(top.get(), T, B, D * S, b.batched, transpose);
  if (keep) {
    kept->output_shape = shape_of(result.output);
    kept->h_shape = shape_of(result.h_n);
    kept->c_shape = shape_of(result.c_n);
    kept_ = std::move(kept);
  }
  return result;
}

RecurrentGradients Recurrent::backward(const Tensor& grad_output, const Tensor* grad_h_n, const Tensor* grad_c_n) {
  const std::string call = type_name() + ".backward";
  if (!kept_)
    fail(ErrorKind::argument, call + ": no training forward to go back through; call train(), then forward(), "
                                     "then backward() once per forward");
  Kept& kept = *kept_;
  auto check = [&](const Tensor& t, const char* what, const Shape& expected, const char* of) {
    if (shape_of(t) == expected) return;
    Message out;
    out << call << ": " << what << " has shape " << format_shape(shape_of(t)) << ", expected "
        << format_shape(expected) << ", the shape of forward's " << of;
    fail(ErrorKind::shape, out.str());
  };
  const bool lstm = options_.mode == RecurrentMode::lstm;
  check(grad_output, "gradOutput", kept.output_shape, "output");
  if (grad_h_n) check(*grad_h_n, "gradState h", kept.h_shape, "hN");
  if (grad_c_n && !lstm) fail(ErrorKind::argument, call + ": a c gradient is for LSTM only");
  if (grad_c_n) check(*grad_c_n, "gradState c", kept.c_shape, "cN");

  const Batch b = kept.batch;  // a copy: kept is released before the result is shaped
  const std::size_t T = b.steps, B = b.batch, D = directions(), S = state_size();
  const std::size_t H = options_.hidden_size, L = options_.num_layers, in = options_.input_size;
  const std::size_t width = D * S;
  // dL/d(output of the layer being walked), time-major (T*B, D*S).
  Scratch grad_out = scratch(T * B * width);
  to_time_major(grad_output, T, B, width, b.batched && options_.batch_first, grad_out.get());
  RecurrentGradients result;
  result.h0 = grad_h_n ? *grad_h_n : Tensor(xt::zeros<float>(kept.h_shape));
  if (lstm) result.c0 = grad_c_n ? *grad_c_n : Tensor(xt::zeros<float>(kept.c_shape));

  Scratch grad_in;
  for (std::size_t k = L; k-- > 0;) {
    grad_in = scratch(T * B * (k == 0 ? in : width));  // the first direction writes it, the second adds
    for (std::size_t d = 0; d < D; ++d) {
      CellBase& cell = *cells_[k * D + d];
      // dh and dc start as dL/dh_n and dL/dc_n and end as dL/dh0 and dL/dc0.
      float* dh = result.h0.data() + (k * D + d) * B * S;
      float* dc = lstm ? result.c0.data() + (k * D + d) * B * H : nullptr;
      const CellBase::Sequence seq{kept.input(k), nullptr, width, T, B, &b.lengths, d == 1};
      cell.scan_backward(seq, grad_out.get() + d * S, dh, dc, grad_in.get(), d > 0, kept.tape(k * D + d));
    }
    if (k > 0) {
      // The layer below's output went through dropout before it became this layer's input.
      if (const float* mask = kept.mask(k - 1))
        for (std::size_t i = 0; i < T * B * width; ++i) grad_in[i] *= mask[i];
      grad_out.swap(grad_in);
    }
  }
  kept_.reset();  // one backward per forward

  result.input = from_time_major(grad_in.get(), T, B, in, b.batched, options_.batch_first);
  return result;
}

}  // namespace rnn
