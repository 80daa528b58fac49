// What RNNCell, GRUCell and LSTMCell share: PyTorch's four parameters with `gates` blocks of
// hidden_size rows each (1 for RNN; 3 for GRU: r, z, n; 4 for LSTM: i, f, g, o), the two
// projections every step starts from, and the scan of a cell over a sequence with its backward.
// Layers own cells, one per layer and direction, and scan each over the layer's input; a cell's
// own forward is a scan of one step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../kernels/affine.h"
#include "int8_weights.h"
#include "../module.h"
#include "../tensor/random.h"
#include "cell_shapes.h"

namespace rnn {

class CellBase : public Module {
 public:
  std::size_t input_size() const { return input_size_; }
  std::size_t hidden_size() const { return hidden_size_; }
  // Width of h: hidden_size, or LSTM's proj_size when it projects.
  std::size_t state_size() const { return state_size_; }
  std::size_t gates() const { return gates_; }
  bool bias() const { return bias_; }

  // gi = x W_ihᵀ + b_ih. x: (rows, input_size); gi: (rows, gates*hidden_size).
  void project_input(const float* x, std::size_t rows, float* gi) const;
  // gh = h W_hhᵀ + b_hh. h: (batch, state_size); gh: (batch, gates*hidden_size).
  void project_hidden(const float* h, std::size_t batch, float* gh) const;

  // One time step from projected input, whatever the cell: gi (batch, gates*hidden_size);
  // h, h_out: (batch, state_size); c, c_out: (batch, hidden_size), used by LSTM only (may be
  // null for the others). Outputs may alias inputs. cache: null, or where a training step keeps
  // its cache_planes() planes of (batch, hidden_size), plane k at cache + k*cache_stride.
  // scratch: step_scratch_floats(batch) floats for the step's own use, or null for the cell's
  // (which threads must not share).
  virtual void step(const float* gi, const float* h, const float* c, std::size_t batch, float* h_out,
                    float* c_out, float* cache = nullptr, std::size_t cache_stride = 0,
                    float* scratch = nullptr) const = 0;
  virtual std::size_t step_scratch_floats(std::size_t batch) const = 0;
  virtual bool has_cell_state() const { return false; }

  // ---- a sequence: the layer's forward and backward for one layer and direction

  struct Sequence {
    const float* x;          // (steps*batch, input_size), time-major; padded rows zero in training
    float* out;              // h of step t, row b at out + (t*batch + b)*out_stride; written where active
    std::size_t out_stride;  // floats between rows of out (and of the gradient backward reads)
    std::size_t steps, batch;
    const std::vector<std::size_t>* lengths;  // per row, in [1, steps]; null: every row all steps
    bool reverse;            // walk t from steps-1 down: each row starts at its own last step
  };

  // The floats a training scan of steps x batch keeps for its backward (its tape).
  std::size_t tape_floats(std::size_t steps, std::size_t batch) const;

  // Runs the cell over the sequence from h (batch, state_size) and c (batch, hidden_size; LSTM),
  // advanced in place to each row's state after its last step. A row past its length keeps its
  // state and gets no output. tape: null (inference), or tape_floats(steps, batch) floats that
  // keep what scan_backward needs.
  void scan(const Sequence& s, float* h, float* c, float* tape) const;

  // Back through that scan, last step first. grad_out: dL/dout in out's layout (rows past their
  // length are ignored). dh (batch, state_size) and dc (batch, hidden_size; LSTM): dL/d(final
  // state) in, dL/d(initial state) out. dx (steps*batch, input_size): dL/dx, added to dx when
  // accumulate. The weight gradients are added to this cell's gradient buffers (frozen ones
  // skipped); the tape is scratch afterwards.
  void scan_backward(const Sequence& s, const float* grad_out, float* dh, float* dc, float* dx,
                     bool accumulate_dx, float* tape);

  // ---- a cell's own step, in training

  struct Gradients {
    Tensor input;  // dL/dx, x's shape
    Tensor h;      // dL/dh0, h0's shape (zeros' shape when no h0 was given)
    Tensor c;      // dL/dc0 (LSTM), else empty
  };
  // Back through the last training forward: grad_h has h1's shape; grad_c (LSTM) c1's, or null
  // for zeros. Parameter gradients are added to the cell's buffers. Once per forward.
  Gradients backward(const Tensor& grad_h, const Tensor* grad_c);

  std::vector<io::ParameterSlot> parameters() override;
  void parameters_changed() override;
  void parameters_read() override;
  void quantize_int8() override;
  bool load_int8(const std::string& name, const std::int8_t* q, const float* scales, std::size_t rows,
                 std::size_t cols) override;
  bool quantized() override { return int8_; }

 protected:
  // Parameters start as PyTorch's: uniform in ±1/sqrt(hidden_size). `suffix` is appended to
  // every parameter name ("_l1_reverse") when a layer owns the cell.
  CellBase(std::string type_name, std::size_t input_size, std::size_t hidden_size,
           std::size_t state_size, bool bias, std::size_t gates, std::uint64_t seed,
           std::string suffix);

  std::string type_name() const override { return type_name_; }
  void training_changed() override { parameters_changed(); }

  // The tape's parts for steps x batch = rows, each a (rows, width) matrix, row t*batch + b.
  struct Tape {
    std::size_t rows;
    float* gates;   // (rows, G): gi in the forward, dL/dgi in the backward
    float* dgh;     // (rows, G): dL/dgh, where it differs from dL/dgi (GRU); else = gates
    float* h_prev;  // (rows, state_size): the h each step started from
    float* c_prev;  // (rows, hidden_size): the c each step started from (LSTM)
    float* cache;   // cache_planes() planes of (rows, hidden_size)
    float* dh;      // (rows, state_size): dL/dh of each step, in the backward
  };
  Tape tape_view(float* tape, std::size_t steps, std::size_t batch) const;

  virtual std::size_t cache_planes() const = 0;

  // ---- batch 1 on several threads (parallel_scan.cpp): each takes a range of hidden units

  // Units [first, end) of one batch-1 step: their rows of gh = W_hh h + b_hh (gh holds all
  // gates*hidden_size; other threads write the other rows), then their gate math, c updated in
  // place (LSTM) and h_out written, each unit with the bits step() gives it. h is not written.
  // One argument, a struct, here and in project_units: Node 20's V8 misbehaves in worker
  // instances when a call's caller and callee come from different tiers (Liftoff, TurboFan).
  // With seven arguments this virtual call trapped ("function signature mismatch"); with the
  // projection's four apply_rows calls inline in the scan's loop, a worker read W_ih's panel
  // height as 0 and trapped dividing by it, in 28 of 40 fresh runs with
  // --no-wasm-dynamic-tiering, 0 of 40 with --liftoff-only or --no-liftoff. Through the struct:
  // 0 of 100 (threads.test.ts keeps checking it). Perhaps the fault that parallel/pool.cpp's
  // wait32 avoids (values lost across a wait inlined into a worker's loop); not confirmed: with
  // today's pool the projection inline gave 0 of 40 wrong, the wait inlined or not. It stays.
  struct UnitStep {
    const float* x;  // the step's input, for project_units
    float* gi;
    const float* h;
    float* c;
    float* h_out;
    float* gh;
    std::size_t first, end;
  };
  virtual void step_units(const UnitStep& u) const = 0;
  // gi's units [first, end) of every gate, W_ih x + b_ih: a streaming step's share of the input
  // projection (too few rows to split by rows).
  void project_units(const UnitStep& u) const;
  // The multiple of units a range must be (W_hh's panel height), or 0 where a step cannot be
  // split by units (LSTM's projection needs every unit's output before it can start).
  virtual std::size_t unit_grain() const;
  // GRU's gh gradient differs from gi's in the n block (r scales W_hn h + b_hn).
  virtual bool separate_hidden_gradient() const { return false; }
  // One step back at time t, every row active: dh (batch, state_size) = dL/dh_t; dc (LSTM)
  // dL/dc_t in, dL/dc_{t-1} out; writes the gate gradients at row t*batch of tape.gates (and
  // tape.dgh) and dh_prev (batch, state_size) = dL/dh_{t-1}.
  virtual void step_backward(const Tape& tape, std::size_t t, std::size_t batch, const float* dh,
                             float* dc, float* dh_prev) const = 0;
  // Gradients of parameters beyond the four (LSTM's weight_hr), over the whole tape.
  virtual void extra_weight_gradients(const Tape&) {}

  // A cell's own forward in training: one step, its tape kept for backward_step.
  void keep_step(const float* x, const CellBatch& b, const float* h0, const float* c0, float* h1, float* c1);

  std::string type_name_;
  std::size_t input_size_, hidden_size_, state_size_, gates_;
  Random random_;  // the seeded draw for initial weights; subclasses draw theirs after these
  bool bias_;
  std::string suffix_;
  Matrix weight_ih_;  // (gates*hidden_size, input_size)
  Matrix weight_hh_;  // (gates*hidden_size, state_size)
  Vector bias_ih_;    // (gates*hidden_size), or empty without bias
  Vector bias_hh_;
  kernels::Affine ih_, hh_;  // the two projections, over the parameters above
  bool int8_ = false;        // quantize_int8 was called (cells/int8_weights.h)
  // Runs an inference scan on the threads of a threaded build, if there are several and the
  // problem is large enough to gain from them; false when it did not (nothing was done).
  bool scan_threaded(const Sequence& s, float* h, float* c) const;
  // Rows [first, end) of the batch through every step, from the projected input gi; rows of
  // h_new, c_new: end - first; tape: null, or the whole batch's.
  void scan_rows(const Sequence& s, const float* gi, float* h, float* c, std::size_t first, std::size_t end,
                 float* h_new, float* c_new, float* scratch, const Tape* tape) const;
  // Batch 1 split by units, from the projected input gi, or (project) projecting each step's
  // input into gi by units too.
  void scan_units(const Sequence& s, float* gi, float* h, float* c, std::size_t parts, std::size_t grain,
                  bool project) const;

  // A step's scratch (the hidden projection), kept across steps so that a step allocates
  // nothing: allocating and zeroing it every step cost a batch-1 RNN layer 4%.
  float* step_scratch(std::size_t floats) const;

 private:
  // What a cell's own training forward kept: its input, initial state, tape and batch.
  struct Kept {
    bool valid = false;
    CellBatch batch{0, true};
    std::vector<float> x, h0, c0, tape;
  } kept_;
  mutable std::vector<float> scratch_;
};

}  // namespace rnn
