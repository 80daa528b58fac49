#include "affine.h"

#include <memory>
#include <vector>

#include "gemm.h"
#include "gemv.h"

namespace rnn::kernels {

void Affine::prepare(const float* w, const float* b, std::size_t out, std::size_t in, bool for_backward) {
  w_ = w;
  b_ = b;
  out_ = out;
  in_ = in;
  int8_ = false;
  packed_int8_ = PackedInt8{};
#ifdef RNN_HAVE_WASM_SIMD
  packed_ = pack_weights(w, b, out, in, panel_rows_for(out, in));
  packed_backward_ = for_backward ? pack_columns(w, out, in) : PackedWeights{};
#else
  (void)for_backward;
#endif
}

void Affine::prepare_int8(const float* w, const float* b, std::size_t out, std::size_t in) {
  std::vector<std::int8_t> q(out * in);
  std::vector<float> scales(out);
  quantize_rows_i8(w, out, in, q.data(), scales.data());
  prepare_int8(q.data(), scales.data(), b, out, in);
}

void Affine::prepare_int8(const std::int8_t* q, const float* scales, const float* b, std::size_t out, std::size_t in) {
  w_ = nullptr;
  b_ = b;
  out_ = out;
  in_ = in;
  int8_ = true;
  packed_ = PackedWeights{};
  packed_backward_ = PackedWeights{};
  packed_int8_ = pack_int8(q, scales, b, out, in);
}

void Affine::dequantized(float* w) const {
  std::vector<std::int8_t> q(out_ * in_);
  std::vector<float> scales(out_);
  unpack_int8(packed_int8_, q.data(), scales.data());
  dequantize_rows_i8(q.data(), scales.data(), out_, in_, w);
}

void Affine::apply(const float* x, std::size_t rows, float* y) const {
  if (int8_) {
#ifdef RNN_HAVE_WASM_SIMD
    if (rows == 1)
      gemv_packed_i8_wasm_simd(packed_int8_, x, y);
    else
      gemm_packed_i8_wasm_simd(x, packed_int8_, y, rows);
#else
    const PackedInt8& w = packed_int8_;
    if (rows == 1)
      gemv_i8_scalar(w.panels.data(), w.scales.data(), b_, x, y, out_, in_);
    else
      gemm_i8_scalar(x, w.panels.data(), w.scales.data(), b_, y, rows, out_, in_);
#endif
    return;
  }
#ifdef RNN_HAVE_WASM_SIMD
  if (rows == 1)
    gemv_packed_f32_wasm_simd(packed_, x, y);
  else
    gemm_packed_f32_wasm_simd(x, packed_, y, rows);
#else
  if (rows == 1)
    gemv_f32_scalar(w_, b_, x, y, out_, in_);
  else
    gemm_f32_scalar(x, w_, b_, y, rows, out_, in_);
#endif
}

void Affine::apply_rows(const float* x, float* y, std::size_t first, std::size_t end) const {
  if (int8_) {
#ifdef RNN_HAVE_WASM_SIMD
    gemv_packed_rows_i8_wasm_simd(packed_int8_, x, y, first, end);
#else
    const PackedInt8& w = packed_int8_;
    gemv_i8_scalar(w.panels.data() + first * in_, w.scales.data() + first, b_ ? b_ + first : nullptr, x, y + first,
                   end - first, in_);
#endif
    return;
  }
#ifdef RNN_HAVE_WASM_SIMD
  gemv_packed_rows_f32_wasm_simd(packed_, x, y, first, end);
#else
  gemv_f32_scalar(w_ + first * in_, b_ ? b_ + first : nullptr, x, y + first, end - first, in_);
#endif
}

std::size_t Affine::row_grain() const {
#ifdef RNN_HAVE_WASM_SIMD
  return int8_ ? kPanel : packed_.panel;
#else
  return 1;
#endif
}

void Affine::apply_backward(const float* dy, std::size_t rows, float* dx, bool accumulate) const {
#ifdef RNN_HAVE_WASM_SIMD
  // The packed kernels overwrite their output; to accumulate, they write a scratch row block.
  const std::unique_ptr<float[]> scratch(accumulate ? new float[rows * in_] : nullptr);
  float* out = accumulate ? scratch.get() : dx;
  if (rows == 1)
    gemv_packed_f32_wasm_simd(packed_backward_, dy, out);
  else
    gemm_packed_f32_wasm_simd(dy, packed_backward_, out, rows);
  if (accumulate)
    for (std::size_t i = 0; i < rows * in_; ++i) dx[i] += scratch[i];
#else
  gemm_nn_f32_scalar(dy, w_, dx, rows, in_, out_, accumulate);
#endif
}

void affine_weight_gradients(const float* dy, const float* x, std::size_t rows, std::size_t out,
                             std::size_t in, float* dw, float* db) {
  if (dw) gemm_tn_f32(dy, x, dw, out, in, rows);
  if (db) {
    // Summed from zero in row order, then added, as the matrix products sum.
    std::vector<float> sum(out, 0.f);
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t j = 0; j < out; ++j) sum[j] += dy[r * out + j];
    for (std::size_t j = 0; j < out; ++j) db[j] += sum[j];
  }
}

}  // namespace rnn::kernels
