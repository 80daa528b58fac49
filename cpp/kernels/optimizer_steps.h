// The per-element updates of torch.optim's SGD and Adam/AdamW, and the checks and norms over
// gradients that stepping and clipping need: loops over every parameter of a model, so they
// live here, compiled for speed, not beside the optimizers. The updates have SIMD variants (a
// scalar Adam step was 16% of a batch-1 LSTM's training step); the rest the compiler vectorises.
#pragma once

#include <cstddef>

namespace rnn::kernels {

// Scalars as float32, as PyTorch's kernels take them (computed in double by the optimizer).
struct SgdScalars {
  float neg_lr, weight_decay, momentum, keep;  // keep = 1 - dampening
  bool nesterov;
  bool first;  // no momentum buffer yet: it starts as the step
};

// torch.optim.SGD (PyTorch 1.13), per element:
//   d = g + weight_decay θ
//   b = d on the first step, else b = momentum b + (1 - dampening) d
//   d = d + momentum b (nesterov), else d = b
//   θ = θ - lr d
// buffer: null without momentum.
void sgd_step_f32_scalar(float* param, const float* grad, float* buffer, std::size_t n, const SgdScalars& s);
void sgd_step_f32_wasm_simd(float* param, const float* grad, float* buffer, std::size_t n, const SgdScalars& s);

inline void sgd_step_f32(float* param, const float* grad, float* buffer, std::size_t n, const SgdScalars& s) {
#ifdef RNN_HAVE_WASM_SIMD
  sgd_step_f32_wasm_simd(param, grad, buffer, n, s);
#else
  sgd_step_f32_scalar(param, grad, buffer, n, s);
#endif
}

struct AdamScalars {
  float beta1, beta2, keep1, keep2;  // keep = 1 - beta
  float weight_decay, decay;         // decay = 1 - lr weight_decay (AdamW)
  float eps, bias_correction2_sqrt, neg_step_size;
  bool decoupled;  // AdamW
};

// torch.optim.Adam / AdamW (PyTorch 1.13), per element, t this parameter's step count:
//   θ = θ (1 - lr weight_decay)                       (AdamW)
//   g = g + weight_decay θ                            (Adam)
//   m = β1 m + (1 - β1) g;   v = β2 v + (1 - β2) g²
//   v̂ = max(v̂, v) (amsgrad, then used for v)
//   θ = θ - lr / (1 - β1^t) · m / (√v / √(1 - β2^t) + eps)
// v_max: null without amsgrad.
void adam_step_f32_scalar(float* param, const float* grad, float* m, float* v, float* v_max, std::size_t n,
                          const AdamScalars& s);
void adam_step_f32_wasm_simd(float* param, const float* grad, float* m, float* v, float* v_max, std::size_t n,
                             const AdamScalars& s);

inline void adam_step_f32(float* param, const float* grad, float* m, float* v, float* v_max, std::size_t n,
                          const AdamScalars& s) {
#ifdef RNN_HAVE_WASM_SIMD
  adam_step_f32_wasm_simd(param, grad, m, v, v_max, n, s);
#else
  adam_step_f32_scalar(param, grad, m, v, v_max, n, s);
#endif
}

// True when no x[i] is NaN or ±inf.
bool all_finite_f32(const float* x, std::size_t n);

// Σ |x[i]|^p in double (p = 1 and 2 without pow), or max |x[i]| for p = inf (NaN wins).
double norm_power_f32(const float* x, std::size_t n, double p);

// x[i] *= scale.
void scale_f32(float* x, std::size_t n, float scale);

}  // namespace rnn::kernels
