#include "int8_weights.h"

namespace rnn {

void prepare_weights(kernels::Affine& affine, Matrix& w, const float* b, std::size_t out, std::size_t in, bool int8,
                     bool for_backward) {
  if (!int8) {
    affine.prepare(w.data(), b, out, in, for_backward);
    return;
  }
  if (w.size() == 0 && affine.int8()) return;
  affine.prepare_int8(w.data(), b, out, in);
  w = Matrix(Matrix::shape_type{0, 0});
}

void restore_weights(const kernels::Affine& affine, Matrix& w) {
  if (!affine.int8() || w.size() != 0) return;
  w = Matrix(Matrix::shape_type{affine.out(), affine.in()});
  affine.dequantized(w.data());
}

void release_weights(const kernels::Affine& affine, Matrix& w) {
  if (affine.int8()) w = Matrix(Matrix::shape_type{0, 0});
}

}  // namespace rnn
