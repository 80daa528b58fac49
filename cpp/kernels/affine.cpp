#include "affine.h"

#include "gemm.h"
#include "gemv.h"

namespace rnn::kernels {

void Affine::prepare(const float* w, const float* b, std::size_t out, std::size_t in) {
  w_ = w;
  b_ = b;
  out_ = out;
  in_ = in;
#ifdef RNN_HAVE_WASM_SIMD
  packed_ = pack_weights(w, b, out, in, panel_rows_for(out, in));
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

}  // namespace rnn::kernels
