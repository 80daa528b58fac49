// Tensors of the core and the helpers that check and describe their shapes.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>

namespace rnn {

// A float32 tensor of any rank, row-major: what crosses the API (inputs, outputs, state dicts).
using Tensor = xt::xarray<float>;
// Fixed-rank containers for parameters held by modules.
using Matrix = xt::xtensor<float, 2>;
using Vector = xt::xtensor<float, 1>;

using Shape = std::vector<std::size_t>;

// "(2, 7)"; "()" for a scalar.
std::string format_shape(const Shape& shape);

template <class E>
Shape shape_of(const E& tensor) {
  return Shape(tensor.shape().begin(), tensor.shape().end());
}

std::size_t element_count(const Shape& shape);

// Floats for a call's work, not initialised. std::vector<float>(n) zeroes them, and frees them
// by walking them, element by element in the -Os build (6% of a batch-1 RNN's forward).
using Scratch = std::unique_ptr<float[]>;
inline Scratch scratch(std::size_t n) { return Scratch(new float[n]); }

// A tensor of `shape` holding a copy of data (element_count(shape) floats). A plain copy: an
// xtensor expression (xt::adapt assigned to a Tensor) steps element by element through calls
// the -Os build does not inline, 9% of a batch-1 RNN's forward.
Tensor tensor_of(const Shape& shape, const float* data);

// Throws ErrorKind::argument unless 1 <= value <= 2^31 - 1, naming owner and option:
// "LSTMCell: hiddenSize must be a positive integer, got 0".
std::size_t check_size(const char* owner, const char* option, double value);

// The product of `dims`, refused with ErrorKind::memory when that many floats would not fit
// in wasm32's 2 GiB (and so could overflow a 32-bit size_t). `what` names them in the message:
// "LSTMCell: weight_ih needs 4*hiddenSize*inputSize = 4000000000 floats, more than fit in 2 GiB".
std::size_t checked_count(const std::string& owner, const char* what, std::initializer_list<std::size_t> dims);

}  // namespace rnn
