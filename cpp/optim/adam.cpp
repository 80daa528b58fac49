#include "adam.h"

#include <algorithm>
#include <cmath>

#include "../errors.h"

namespace rnn::optim {

Adam::Adam(const std::vector<Target>& targets, const AdamOptions& options) : Optimizer(targets), options_(options) {
  const char* name = options.decoupled ? "AdamW" : "Adam";
  auto refuse = [name](const char* what, double value, const char* range) {
    Message out;
    out << name << ": " << what << " must be " << range << ", got " << value;
    throw Error(ErrorKind::argument, out.str());
  };
  if (!(options.lr >= 0)) refuse("lr", options.lr, ">= 0");
  if (!(options.eps >= 0)) refuse("eps", options.eps, ">= 0");
  if (!(options.beta1 >= 0 && options.beta1 < 1)) refuse("betas[0]", options.beta1, "in [0, 1)");
  if (!(options.beta2 >= 0 && options.beta2 < 1)) refuse("betas[1]", options.beta2, "in [0, 1)");
  if (!(options.weight_decay >= 0)) refuse("weightDecay", options.weight_decay, ">= 0");
  lr_ = options.lr;
}

// torch.optim.Adam / AdamW, per element; t counts this parameter's steps. Scalars computed in
// double (as Python does) and applied as float32 (as PyTorch's kernels take them):
//   θ = θ (1 - lr weight_decay)                       (AdamW)
//   g = g + weight_decay θ                            (Adam)
//   m = β1 m + (1 - β1) g;   v = β2 v + (1 - β2) g²
//   v̂ = max(v̂, v) (amsgrad, then used for v)
//   θ = θ - lr / (1 - β1^t) · m / (√v / √(1 - β2^t) + eps)
void Adam::update(const Parameter& p, const float* grad, State& state) {
  const AdamOptions& o = options_;
  const bool first = !state.count("step");
  auto buffer = [&](const char* name) {
    auto& b = state[name];
    if (first) b.assign(p.size, 0.f);
    return b.data();
  };
  auto& step = state["step"];
  if (first) step.assign(1, 0.f);
  step[0] += 1.f;
  float* m = buffer("exp_avg");
  float* v = buffer("exp_avg_sq");
  float* v_max = o.amsgrad ? buffer("max_exp_avg_sq") : nullptr;
  const double t = step[0];
  const double step_size = lr_ / (1 - std::pow(o.beta1, t));
  const float bias_correction2_sqrt = static_cast<float>(std::sqrt(1 - std::pow(o.beta2, t)));
  const float beta1 = static_cast<float>(o.beta1), beta2 = static_cast<float>(o.beta2);
  const float keep1 = static_cast<float>(1 - o.beta1), keep2 = static_cast<float>(1 - o.beta2);
  const float wd = static_cast<float>(o.weight_decay), decay = static_cast<float>(1 - lr_ * o.weight_decay);
  const float eps = static_cast<float>(o.eps), neg_step = static_cast<float>(-step_size);
  for (std::size_t i = 0; i < p.size; ++i) {
    float g = grad[i];
    if (o.decoupled)
      p.data[i] *= decay;
    else if (o.weight_decay != 0)
      g = g + wd * p.data[i];
    m[i] = m[i] * beta1 + keep1 * g;
    v[i] = v[i] * beta2 + keep2 * g * g;
    float second = v[i];
    if (v_max) second = v_max[i] = std::max(v_max[i], v[i]);
    const float denom = std::sqrt(second) / bias_correction2_sqrt + eps;
    p.data[i] += neg_step * (m[i] / denom);
  }
}

}  // namespace rnn::optim
