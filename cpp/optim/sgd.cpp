#include "sgd.h"

#include "../errors.h"
#include "../kernels/optimizer_steps.h"

namespace rnn::optim {

SGD::SGD(const std::vector<Target>& targets, const SGDOptions& options) : Optimizer(targets), options_(options) {
  auto refuse = [](const char* what, double value) {
    Message out;
    out << "SGD: " << what << " must be >= 0, got " << value;
    throw Error(ErrorKind::argument, out.str());
  };
  if (!(options.lr >= 0)) refuse("lr", options.lr);
  if (!(options.momentum >= 0)) refuse("momentum", options.momentum);
  if (!(options.weight_decay >= 0)) refuse("weightDecay", options.weight_decay);
  if (options.nesterov && (options.momentum <= 0 || options.dampening != 0))
    throw Error(ErrorKind::argument, "SGD: nesterov needs a momentum above 0 and zero dampening");
  lr_ = options.lr;
}

// The update is kernels::sgd_step_f32 (its formula is there); here, its scalars.
void SGD::update(const Parameter& p, const float* grad, State& state) {
  const SGDOptions& o = options_;
  const bool first = o.momentum != 0 && !state.count("momentum_buffer");
  float* buffer = nullptr;
  if (o.momentum != 0) {
    auto& b = state["momentum_buffer"];
    b.resize(p.size);
    buffer = b.data();
  }
  const kernels::SgdScalars s{static_cast<float>(-lr_), static_cast<float>(o.weight_decay), static_cast<float>(o.momentum),
                              static_cast<float>(1 - o.dampening), o.nesterov, first};
  kernels::sgd_step_f32(p.data, grad, buffer, p.size, s);
}

}  // namespace rnn::optim
