// torch.nn.RNN, GRU and LSTM: a cell per layer and direction, scanned over a sequence.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../cells/cell_base.h"
#include "../tensor/random.h"
#include "../module.h"

namespace rnn {

enum class RecurrentMode { rnn_tanh, rnn_relu, gru, lstm };

struct RecurrentOptions {
  RecurrentMode mode;
  std::size_t input_size;
  std::size_t hidden_size;
  std::size_t num_layers = 1;
  bool bias = true;
  bool batch_first = false;
  double dropout = 0;  // on the outputs of every layer but the last, in training only
  bool bidirectional = false;
  std::size_t proj_size = 0;  // LSTM only
  std::uint64_t seed = 0;
};

struct RecurrentOutput {
  Tensor output;  // (T, B, D*state) or (B, T, D*state) with batch_first, or (T, D*state)
  Tensor h_n;     // (D*num_layers, B, state) or (D*num_layers, state) when unbatched
  Tensor c_n;     // LSTM only: (D*num_layers, B, hidden)
};

// Gradients of a training forward's inputs, in their shapes.
struct RecurrentGradients {
  Tensor input;  // dL/dx
  Tensor h0;     // dL/dh0 (h_n's shape, whether or not h0 was given)
  Tensor c0;     // LSTM only: dL/dc0
};

// The state a layer carries from one step to the next, kept in wasm memory so that a step costs
// one call and no copy of it: h (num_layers, batch, state) and, for LSTM, c (num_layers, batch,
// hidden). Unidirectional layers only.
class RecurrentState : public Object {
 public:
  RecurrentState(std::size_t layers, std::size_t batch, std::size_t state_size, std::size_t hidden_size, bool lstm);

  std::size_t batch() const { return batch_; }
  Tensor& h() { return h_; }
  Tensor& c() { return c_; }  // empty (0 elements) unless LSTM
  void reset();

 private:
  std::size_t batch_;
  Tensor h_, c_;
};

class Recurrent : public Module {
 public:
  // Checks the options as PyTorch does (ErrorKind::argument), then builds the cells with
  // PyTorch's initial distribution, uniform in ±1/sqrt(hidden_size).
  explicit Recurrent(const RecurrentOptions& options);
  ~Recurrent() override;

  std::string type_name() const override;
  const RecurrentOptions& options() const { return options_; }
  std::size_t directions() const { return options_.bidirectional ? 2 : 1; }
  // Width of h: proj_size when the LSTM projects, else hidden_size.
  std::size_t state_size() const;

  // x: (T, B, input) (or (B, T, input) with batch_first) or unbatched (T, input).
  // h0: (D*num_layers, B, state) or unbatched (D*num_layers, state); null = zeros.
  // c0: LSTM only, like h0 with hidden_size; null = zeros; given exactly when h0 is.
  // lengths: B integers in [1, T], any order: PackedSequence semantics; null = all T.
  // In training, keeps what backward needs (one arena for the call) and applies dropout.
  RecurrentOutput forward(const Tensor& x, const Tensor* h0, const Tensor* c0,
                          const std::vector<double>* lengths);

  // Back through the last training forward, every layer and direction, time reversed inside:
  // grad_output has output's shape; grad_h_n and grad_c_n (LSTM) h_n's and c_n's, null = zeros.
  // Parameter gradients are added to the cells' buffers. Once per forward.
  RecurrentGradients backward(const Tensor& grad_output, const Tensor* grad_h_n, const Tensor* grad_c_n);

  std::vector<io::ParameterSlot> parameters() override;
  void parameters_changed() override;
  std::vector<Module*> children() override;

  // A zero state for `batch` sequences. Refused (ErrorKind::argument) for bidirectional layers.
  RecurrentState make_state(std::size_t batch) const;

  // One time step through every layer: x (batch, input_size); state advanced in place.
  // Returns the top layer's h, (batch, state_size). Same numbers as forward over the sequence.
  Tensor step(const Tensor& x, RecurrentState& state) const;

  // Replaces state's h (and c) after checking their shapes: h (num_layers, batch, state_size),
  // c (num_layers, batch, hidden_size); c is required for LSTM and refused otherwise.
  void set_state(RecurrentState& state, const Tensor& h, const Tensor* c) const;

 protected:
  void training_changed() override;

 private:
  struct Batch;
  void check_steppable(const char* call) const;
  Batch check_forward(const Tensor& x, const Tensor* h0, const Tensor* c0,
                      const std::vector<double>* lengths) const;

  // What a training forward keeps for backward, all in one arena: each layer's input
  // (time-major, (T*B, width)), each cell's tape, and the dropout masks between layers.
  struct Kept;
  void keep_masks(Kept& kept, std::size_t layer, float* output);

  RecurrentOptions options_;
  std::vector<std::unique_ptr<CellBase>> cells_;  // layer k, direction d at k*D + d
  Random dropout_random_;                         // the dropout masks' draws, seeded
  std::unique_ptr<Kept> kept_;                    // null unless a training forward awaits backward
};

}  // namespace rnn
