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
#ifdef RNN_HAVE_WASM_SIMD
  packed_ = pack_weights(w, b, out, in, panel_rows_for(out, in));
  packed_backward_ = for_backward ? pack_columns(w, out, in) : PackedWeights{};
#else
  (void)for_backward;
#endif
}

void Affine::apply(const float* x, std::size_t rows, float* y) const {
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
#ifdef RNN_HAVE_WASM_SIMD
  gemv_packed_rows_f32_wasm_simd(packed_, x, y, first, end);
#else
  gemv_f32_scalar(w_ + first * in_, b_ ? b_ + first : nullptr, x, y + first, end - first, in_);
#endif
}

std::size_t Affine::row_grain() const {
#ifdef RNN_HAVE_WASM_SIMD
  return packed_.panel;
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
