#include "optimizer_steps.h"

#include <algorithm>
#include <cmath>

namespace rnn::kernels {

void sgd_step_f32_scalar(float* param, const float* grad, float* buffer, std::size_t n, const SgdScalars& s) {
  for (std::size_t i = 0; i < n; ++i) {
    float d = s.weight_decay != 0 ? grad[i] + s.weight_decay * param[i] : grad[i];
    if (buffer) {
      buffer[i] = s.first ? d : buffer[i] * s.momentum + s.keep * d;
      d = s.nesterov ? d + s.momentum * buffer[i] : buffer[i];
    }
    param[i] += s.neg_lr * d;
  }
}

void adam_step_f32_scalar(float* param, const float* grad, float* m, float* v, float* v_max, std::size_t n,
                          const AdamScalars& s) {
  for (std::size_t i = 0; i < n; ++i) {
    float g = grad[i];
    if (s.decoupled)
      param[i] *= s.decay;
    else if (s.weight_decay != 0)
      g = g + s.weight_decay * param[i];
    m[i] = m[i] * s.beta1 + s.keep1 * g;
    v[i] = v[i] * s.beta2 + s.keep2 * g * g;
    float second = v[i];
    if (v_max) second = v_max[i] = std::max(v_max[i], v[i]);
    const float denom = std::sqrt(second) / s.bias_correction2_sqrt + s.eps;
    param[i] += s.neg_step_size * (m[i] / denom);
  }
}

bool all_finite_f32(const float* x, std::size_t n) {
  // x - x is 0 for finite x and NaN otherwise; one comparison at the end, no branch per element.
  float sum = 0.f;
  for (std::size_t i = 0; i < n; ++i) sum += x[i] - x[i];
  return sum == 0.f;
}

double norm_power_f32(const float* x, std::size_t n, double p) {
  double out = 0;
  if (std::isinf(p)) {
    for (std::size_t i = 0; i < n; ++i) {
      const double a = std::fabs(double(x[i]));
      if (std::isnan(a) || a > out) out = a;
      if (std::isnan(out)) break;
    }
  } else if (p == 2) {
    for (std::size_t i = 0; i < n; ++i) out += double(x[i]) * x[i];
  } else if (p == 1) {
    for (std::size_t i = 0; i < n; ++i) out += std::fabs(double(x[i]));
  } else {
    for (std::size_t i = 0; i < n; ++i) out += std::pow(std::fabs(double(x[i])), p);
  }
  return out;
}

void scale_f32(float* x, std::size_t n, float scale) {
  for (std::size_t i = 0; i < n; ++i) x[i] *= scale;
}

}  // namespace rnn::kernels
