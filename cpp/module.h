// Module: what every cell, layer and model is to the bindings: named parameters in PyTorch's
// state_dict layout, loaded and saved with PyTorch's rules.
#pragma once

#include <string>
#include <vector>

#include "io/state_dict.h"
#include "tensor/shape.h"

namespace rnn {

// Anything the bindings hand out as a handle: modules and streaming states.
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
  // (packed weights). Modules must also call it at the end of their constructor.
  virtual void parameters_changed() {}
  io::StateDict state_dict() { return io::save_parameters(parameters()); }

  // Where each parameter lives, in PyTorch's names; a layer gathers its cells' slots.
  virtual std::vector<io::ParameterSlot> parameters() = 0;

 protected:
  template <class Container>
  static io::ParameterSlot slot(std::string name, Container& value, std::string formula) {
    return {std::move(name), shape_of(value), std::move(formula), value.data()};
  }
};

}  // namespace rnn
