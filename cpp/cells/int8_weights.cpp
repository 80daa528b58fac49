#include "int8_weights.h"

#include "../errors.h"

namespace rnn {

void prepare_weights(kernels::Affine& affine, Matrix& w, const float* b, std::size_t out, std::size_t in, bool int8,
                     bool for_backward) {
  if (!int8) {
    affine.prepare(w.data(), b, out, in, for_backward);
    return;
  }
  if (w.size() == 0 && affine.int8()) return;
  affine.prepare_int8(w.data(), b, out, in);
  release_weights(affine, w);
}

void restore_weights(const kernels::Affine& affine, Matrix& w) {
  if (!affine.int8() || w.size() != 0) return;
  w = Matrix(Matrix::shape_type{affine.out(), affine.in()});
  affine.dequantized(w.data());
}

void check_int8_shape(const std::string& owner, const std::string& name, std::size_t rows, std::size_t cols,
                      std::size_t out, std::size_t in) {
  if (rows == out && cols == in) return;
  Message m;
  m << owner << ": int8 '" << name << "' has shape (" << rows << ", " << cols << "), expected (" << out << ", " << in << ")";
  throw Error(ErrorKind::weights, m.str());
}

void load_int8_weights(kernels::Affine& affine, Matrix& w, const float* b, std::size_t out, std::size_t in,
                       const std::string& owner, const std::string& name, const std::int8_t* q, const float* scales,
                       std::size_t rows, std::size_t cols) {
  check_int8_shape(owner, name, rows, cols, out, in);
  affine.prepare_int8(q, scales, b, out, in);
  release_weights(affine, w);
}

void release_weights(const kernels::Affine& affine, Matrix& w) {
  if (affine.int8()) w = Matrix(Matrix::shape_type{0, 0});
}

}  // namespace rnn
