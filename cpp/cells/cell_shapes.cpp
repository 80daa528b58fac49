#include "cell_shapes.h"

#include "../errors.h"

namespace rnn {

CellBatch check_cell_input(const std::string& owner, const Shape& x, std::size_t input_size) {
  if (x.size() == 2 && x[1] == input_size) return {x[0], true};
  if (x.size() == 1 && x[0] == input_size) return {1, false};
  Message out;
  out << owner << ".forward: input has shape " << format_shape(x) << ", expected (batch, "
      << input_size << ") or (" << input_size << ") since inputSize is " << input_size;
  throw Error(ErrorKind::shape, out.str());
}

Shape cell_state_shape(const CellBatch& b, std::size_t hidden_size) {
  return b.batched ? Shape{b.batch, hidden_size} : Shape{hidden_size};
}

void check_cell_state(const std::string& owner, const char* what, const Shape& state,
                      const CellBatch& b, std::size_t hidden_size, const char* call) {
  const Shape expected = cell_state_shape(b, hidden_size);
  if (state == expected) return;
  Message out;
  out << owner << "." << call << ": " << what << " has shape " << format_shape(state) << ", expected "
      << format_shape(expected) << " = " << (b.batched ? "(batch, hiddenSize)" : "(hiddenSize)")
      << " for input of shape " << (b.batched ? "(batch, inputSize)" : "(inputSize)");
  throw Error(ErrorKind::shape, out.str());
}

}  // namespace rnn
