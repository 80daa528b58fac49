// Shape rules shared by the three cells: input (batch, input_size) or unbatched (input_size),
// state (batch, hidden_size) or (hidden_size) to match, as torch.nn.*Cell accepts them.
#pragma once

#include <cstddef>

#include "../tensor/shape.h"

namespace rnn {

struct CellBatch {
  std::size_t batch;  // 1 for unbatched input
  bool batched;       // false: input and state carry no batch dimension
};

// Errors (ErrorKind::shape) name the call: "LSTMCell.forward: input has shape (2, 7), expected
// (batch, 8) or (8) since inputSize is 8".
CellBatch check_cell_input(const std::string& owner, const Shape& x, std::size_t input_size);

// `what` is the argument's name in messages ("h0", "c0"); `call` the method ("forward").
void check_cell_state(const std::string& owner, const char* what, const Shape& state,
                      const CellBatch& b, std::size_t hidden_size, const char* call = "forward");

// (batch, hidden_size), or (hidden_size) when unbatched.
Shape cell_state_shape(const CellBatch& b, std::size_t hidden_size);

}  // namespace rnn
