// The optimizer updates four parameters at a time, with the scalar kernels' operations in their
// order (so the results are bitwise the same); a tail shorter than four takes the scalar kernel.
#include <wasm_simd128.h>

#include "optimizer_steps.h"

namespace rnn::kernels {

void sgd_step_f32_wasm_simd(float* param, const float* grad, float* buffer, std::size_t n, const SgdScalars& s) {
  const v128_t wd = wasm_f32x4_splat(s.weight_decay), mu = wasm_f32x4_splat(s.momentum);
  const v128_t keep = wasm_f32x4_splat(s.keep), neg_lr = wasm_f32x4_splat(s.neg_lr);
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t p = wasm_v128_load(param + i);
    v128_t d = wasm_v128_load(grad + i);
    if (s.weight_decay != 0) d = wasm_f32x4_add(d, wasm_f32x4_mul(wd, p));
    if (buffer) {
      const v128_t b = s.first ? d : wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(buffer + i), mu), wasm_f32x4_mul(keep, d));
      wasm_v128_store(buffer + i, b);
      d = s.nesterov ? wasm_f32x4_add(d, wasm_f32x4_mul(mu, b)) : b;
    }
    wasm_v128_store(param + i, wasm_f32x4_add(p, wasm_f32x4_mul(neg_lr, d)));
  }
  sgd_step_f32_scalar(param + i, grad + i, buffer ? buffer + i : nullptr, n - i, s);
}

void adam_step_f32_wasm_simd(float* param, const float* grad, float* m, float* v, float* v_max, std::size_t n,
                             const AdamScalars& s) {
  const v128_t beta1 = wasm_f32x4_splat(s.beta1), beta2 = wasm_f32x4_splat(s.beta2);
  const v128_t keep1 = wasm_f32x4_splat(s.keep1), keep2 = wasm_f32x4_splat(s.keep2);
  const v128_t wd = wasm_f32x4_splat(s.weight_decay), decay = wasm_f32x4_splat(s.decay);
  const v128_t eps = wasm_f32x4_splat(s.eps), bc2 = wasm_f32x4_splat(s.bias_correction2_sqrt);
  const v128_t neg_step = wasm_f32x4_splat(s.neg_step_size);
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t p = wasm_v128_load(param + i), g = wasm_v128_load(grad + i);
    if (s.decoupled)
      p = wasm_f32x4_mul(p, decay);
    else if (s.weight_decay != 0)
      g = wasm_f32x4_add(g, wasm_f32x4_mul(wd, p));
    const v128_t mi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i), beta1), wasm_f32x4_mul(keep1, g));
    const v128_t vi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v + i), beta2), wasm_f32x4_mul(wasm_f32x4_mul(keep2, g), g));
    wasm_v128_store(m + i, mi);
    wasm_v128_store(v + i, vi);
    v128_t second = vi;
    if (v_max) {
      // std::max(a, b) is a < b ? b : a; gradients are finite (checked), so no NaN to order.
      const v128_t old = wasm_v128_load(v_max + i);
      second = wasm_v128_bitselect(vi, old, wasm_f32x4_lt(old, vi));
      wasm_v128_store(v_max + i, second);
    }
    const v128_t denom = wasm_f32x4_add(wasm_f32x4_div(wasm_f32x4_sqrt(second), bc2), eps);
    wasm_v128_store(param + i, wasm_f32x4_add(p, wasm_f32x4_mul(neg_step, wasm_f32x4_div(mi, denom))));
  }
  adam_step_f32_scalar(param + i, grad + i, m + i, v + i, v_max ? v_max + i : nullptr, n - i, s);
}

}  // namespace rnn::kernels
