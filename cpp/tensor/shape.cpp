#include "shape.h"

#include <algorithm>
#include <cmath>

#include "../errors.h"

namespace rnn {

std::string format_shape(const Shape& shape) {
  Message out;
  out << '(';
  for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << ')';
  return out.str();
}

std::size_t element_count(const Shape& shape) {
  std::size_t n = 1;
  for (std::size_t d : shape) n *= d;
  return n;
}

std::size_t checked_count(const std::string& owner, const char* what,
                          std::initializer_list<std::size_t> dims) {
  double count = 1;  // in double: the product itself may overflow size_t
  for (std::size_t d : dims) count *= double(d);
  if (count * sizeof(float) > 2147483648.0) {
    Message out;
    out << owner << ": " << what << " = " << count
        << " floats, more than fit in wasm's 2 GiB of memory";
    throw Error(ErrorKind::memory, out.str());
  }
  return static_cast<std::size_t>(count);
}

std::size_t check_size(const char* owner, const char* option, double value) {
  // 2^31 - 1 keeps every index and byte count within wasm32's address space arithmetic.
  if (!(value >= 1 && value <= 2147483647.0) || std::floor(value) != value) {
    Message out;
    out << owner << ": " << option << " must be a positive integer, got " << value;
    throw Error(ErrorKind::argument, out.str());
  }
  return static_cast<std::size_t>(value);
}

Tensor tensor_of(const Shape& shape, const float* data) {
  Tensor t = xt::empty<float>(shape);
  std::copy(data, data + t.size(), t.data());
  return t;
}

}  // namespace rnn
