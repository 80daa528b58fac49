#include "adam.h"

#include <cmath>

#include "../errors.h"
#include "../kernels/optimizer_steps.h"

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

// The update is kernels::adam_step_f32 (its formula is there); here, the step count and the
// scalars, computed in double as Python computes them.
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
  kernels::AdamScalars s;
  s.beta1 = static_cast<float>(o.beta1);
  s.beta2 = static_cast<float>(o.beta2);
  s.keep1 = static_cast<float>(1 - o.beta1);
  s.keep2 = static_cast<float>(1 - o.beta2);
  s.weight_decay = static_cast<float>(o.weight_decay);
  s.decay = static_cast<float>(1 - lr_ * o.weight_decay);
  s.eps = static_cast<float>(o.eps);
  s.bias_correction2_sqrt = static_cast<float>(std::sqrt(1 - std::pow(o.beta2, t)));
  s.neg_step_size = static_cast<float>(-(lr_ / (1 - std::pow(o.beta1, t))));
  s.decoupled = o.decoupled;
  kernels::adam_step_f32(p.data, grad, m, v, v_max, p.size, s);
}

}  // namespace rnn::optim
