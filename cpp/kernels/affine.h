// y = x Wᵀ + b, the building block of every cell and of Linear, and its backward.
#pragma once

#include <cstddef>

#include "int8.h"
#include "packed.h"

namespace rnn::kernels {

// A weight matrix W (out, in) and optional bias b as PyTorch stores them, made ready for the
// build's kernels: the SIMD build packs W into panels once (prepare), the baseline build reads
// W as it is. Batch 1 takes the matrix-vector kernel, more rows the matrix-matrix kernel.
class Affine {
 public:
  // w (out, in) and b (out, or null) are the owner's parameters; they are read now (SIMD
  // build) or at every apply (baseline), so call prepare again whenever they change.
  // for_backward: also pack W for apply_backward (training only; it doubles the packed bytes).
  void prepare(const float* w, const float* b, std::size_t out, std::size_t in, bool for_backward = false);
  // The same with W quantized to int8 (kernels/int8.h), kept packed; w is not read afterwards
  // (its owner may free it), b still is (baseline build). No backward.
  void prepare_int8(const float* w, const float* b, std::size_t out, std::size_t in);
  // From int8 weights q (out, in) and their scales (out) as they are (an int8 file).
  void prepare_int8(const std::int8_t* q, const float* scales, const float* b, std::size_t out, std::size_t in);
  bool int8() const { return int8_; }
  // W' (out, in), the dequantized int8 weights, into w.
  void dequantized(float* w) const;

  // y = x Wᵀ + b. x: (rows, in); y: (rows, out), not aliasing x.
  void apply(const float* x, std::size_t rows, float* y) const;

  // Outputs [first, end) of y = x Wᵀ + b for one row x, the same bits as apply gives them: a
  // thread's share of a batch-1 step. first and end are multiples of row_grain() (or end = out).
  void apply_rows(const float* x, float* y, std::size_t first, std::size_t end) const;
  std::size_t row_grain() const;

  // dx (+)= dy W, the gradient of apply with respect to x. dy: (rows, out); dx: (rows, in), not
  // aliasing dy. accumulate: add to dx. Needs prepare(..., for_backward = true).
  void apply_backward(const float* dy, std::size_t rows, float* dx, bool accumulate) const;

  std::size_t out() const { return out_; }
  std::size_t in() const { return in_; }

 private:
  const float* w_ = nullptr;
  const float* b_ = nullptr;
  std::size_t out_ = 0, in_ = 0;
  PackedWeights packed_;           // empty in the baseline build
  PackedWeights packed_backward_;  // W by columns (pack_columns); SIMD build, when training
  bool int8_ = false;
  PackedInt8 packed_int8_;  // int8 only
};

// The weight gradients of y = x Wᵀ + b over `rows` rows at once: dw (out, in) += dyᵀ x and
// db (out) += the column sums of dy. dw or db may be null (frozen, or no bias).
void affine_weight_gradients(const float* dy, const float* x, std::size_t rows, std::size_t out,
                             std::size_t in, float* dw, float* db);

}  // namespace rnn::kernels
