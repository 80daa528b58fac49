// Module: what every cell, layer and model is to the bindings: named parameters in PyTorch's
// state_dict layout, loaded and saved with PyTorch's rules, and (training) their gradients.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "io/state_dict.h"
#include "tensor/shape.h"

namespace rnn {

// Anything the bindings hand out as a handle: modules, streaming states, optimizers.
class Object {
 public:
  virtual ~Object() = default;
};

class Module : public Object {
 public:
  // The PyTorch class name, used at the head of every error message ("LSTMCell").
  virtual std::string type_name() const = 0;

  void load_state_dict(const io::StateDict& source, bool strict) {
    io::load_parameters(type_name(), parameters(), source, strict);
    parameters_changed();
  }

  // Called after parameters are written: modules re-derive what they compute from them
  // (packed weights) and drop what a training forward kept, since it no longer matches.
  // Modules must also call it at the end of their constructor.
  virtual void parameters_changed() {}
  io::StateDict state_dict() {
    io::StateDict out = io::save_parameters(parameters());
    parameters_read();
    return out;
  }

  // Where each parameter lives, in PyTorch's names and order; a layer gathers its cells' slots.
  // An int8 module makes its float weights (dequantized) for the slots; call parameters_read()
  // or load into them (then parameters_changed()) when done, and it lets them go.
  virtual std::vector<io::ParameterSlot> parameters() = 0;
  virtual void parameters_read() {
    for (Module* child : children()) child->parameters_read();
  }

  // ---- int8 weights (kernels/int8.h): weight matrices kept and computed with as int8, with a
  // float32 scale per row; biases stay float32. For inference: train(true) is then refused.
  virtual void quantize_int8() {
    for (Module* child : children()) child->quantize_int8();
  }
  // One weight matrix from an int8 file, q (rows, cols) and scales (rows), for the parameter
  // `name` (parameters() naming); the module becomes int8. False if no parameter has that name.
  virtual bool load_int8(const std::string& name, const std::int8_t* q, const float* scales, std::size_t rows,
                         std::size_t cols) {
    for (Module* child : children())
      if (child->load_int8(name, q, scales, rows, cols)) return true;
    return false;
  }
  virtual bool quantized() {
    for (Module* child : children())
      if (child->quantized()) return true;
    return false;
  }

  // ---- training: PyTorch's module.train(), requires_grad and .grad

  // The modules that hold this one's parameters (a layer's cells). A module with children
  // holds none of its own; training state and gradients live where the parameters do.
  virtual std::vector<Module*> children() { return {}; }

  bool training() const { return training_; }
  // Train mode makes forward keep what backward needs; eval (the default) keeps nothing.
  // Gradients are kept either way, as in PyTorch. Applies to children too.
  void train(bool on);

  // Every parameter's gradient, in parameters() order, as a (leaf module, name, buffer or
  // null) triple: null where no backward has written one yet (PyTorch's None) or frozen.
  struct Gradient {
    Module* owner;
    io::ParameterSlot slot;
    float* grad;
  };
  std::vector<Gradient> gradients();

  // Sets every gradient to zero (buffers are kept, as optimizer.zero_grad(set_to_none=False)).
  void zero_grad();

  // Freezes (or unfreezes) every parameter whose name equals or starts with one of `patterns`.
  // A frozen parameter gets no gradient (its buffer is dropped) and optimizers skip it. A
  // pattern that matches no parameter is ErrorKind::argument, and then nothing changes.
  void set_frozen(const std::vector<std::string>& patterns, bool frozen);
  bool frozen(const std::string& name);

  // The gradient buffer of this module's own parameter `name` (size floats), zeros when first
  // asked for; null when frozen. Backward passes add into it.
  float* gradient(const std::string& name, std::size_t size);
  // The buffer if one exists, else null.
  float* existing_gradient(const std::string& name);

 protected:
  // Called when the mode changes, after training() does: modules pack or drop what only
  // backward needs.
  virtual void training_changed() {}

  template <class Container>
  static io::ParameterSlot slot(std::string name, Container& value, std::string formula) {
    return {std::move(name), shape_of(value), std::move(formula), value.data()};
  }

 private:
  bool training_ = false;
  std::map<std::string, std::vector<float>> grads_;
  std::set<std::string> frozen_;
};

}  // namespace rnn
