// Named parameters in and out of modules, with PyTorch's state_dict names and strictness.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "../tensor/shape.h"

namespace rnn::io {

// PyTorch's module.state_dict(): parameter name -> tensor. Ordered so output is stable.
using StateDict = std::map<std::string, Tensor>;

// Where a module keeps one parameter, and how its expected shape is derived from the
// configuration, for messages: "(4*hiddenSize, inputSize)".
struct ParameterSlot {
  std::string name;
  Shape shape;
  std::string shape_formula;
  float* data;  // element_count(shape) floats owned by the module
};

// Copies every slot's tensor from `source`. Shapes must match exactly, strict or not (as in
// PyTorch). With strict, a slot missing from `source` or a name in `source` with no slot is an
// error; without, missing slots keep their values and extra names are ignored. Nothing is
// copied unless every check passes, so a failed load leaves the module as it was.
// Errors: ErrorKind::weights, naming `owner`, the tensor, and expected and found shapes.
void load_parameters(const std::string& owner, const std::vector<ParameterSlot>& slots,
                     const StateDict& source, bool strict);

// A copy of every slot, by name.
StateDict save_parameters(const std::vector<ParameterSlot>& slots);

}  // namespace rnn::io
