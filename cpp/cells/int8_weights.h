// A weight matrix and the Affine that computes with it, in a module that may be int8
// (Module::quantize_int8). Once int8, the Affine keeps the weights packed as int8 and the float
// matrix is freed; it comes back, dequantized, only while the module's parameters are read or
// loaded (Module::parameters), and goes again after (parameters_read, parameters_changed).
#pragma once

#include <cstdint>
#include <string>

#include "../kernels/affine.h"
#include "../tensor/shape.h"

namespace rnn {

// Makes `affine` compute with w (out, in) and b: as float32, or int8 (quantized from w, which
// is then freed; if w is already freed, the affine keeps its int8 weights).
void prepare_weights(kernels::Affine& affine, Matrix& w, const float* b, std::size_t out, std::size_t in, bool int8,
                     bool for_backward);

// The float matrix back, dequantized, for the parameters' slots (int8 only).
void restore_weights(const kernels::Affine& affine, Matrix& w);

// Error(weights) naming `owner` and `name` unless (rows, cols) = (out, in).
void check_int8_shape(const std::string& owner, const std::string& name, std::size_t rows, std::size_t cols,
                      std::size_t out, std::size_t in);

// Makes `affine` compute with int8 weights q (rows, cols) and scales (rows) from a file, and
// frees w; Error(weights) naming `owner` and `name` if the shape is not (out, in).
void load_int8_weights(kernels::Affine& affine, Matrix& w, const float* b, std::size_t out, std::size_t in,
                       const std::string& owner, const std::string& name, const std::int8_t* q, const float* scales,
                       std::size_t rows, std::size_t cols);

// Frees it again once the slots were read (int8 only).
void release_weights(const kernels::Affine& affine, Matrix& w);

}  // namespace rnn
