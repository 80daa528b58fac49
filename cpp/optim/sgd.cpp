#include "sgd.h"

#include "../errors.h"

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

// torch.optim.SGD, per element, with the scalars as float32 (as PyTorch's kernels take them):
//   d = g + weight_decay θ
//   b = d on the first step, else b = momentum b + (1 - dampening) d
//   d = d + momentum b (nesterov), else d = b
//   θ = θ - lr d
void SGD::update(const Parameter& p, const float* grad, State& state) {
  const SGDOptions& o = options_;
  const float wd = static_cast<float>(o.weight_decay), mu = static_cast<float>(o.momentum);
  const float keep = static_cast<float>(1 - o.dampening), step = static_cast<float>(-lr_);
  const bool first = o.momentum != 0 && !state.count("momentum_buffer");
  float* buffer = nullptr;
  if (o.momentum != 0) {
    auto& b = state["momentum_buffer"];
    b.resize(p.size);
    buffer = b.data();
  }
  for (std::size_t i = 0; i < p.size; ++i) {
    float d = o.weight_decay != 0 ? grad[i] + wd * p.data[i] : grad[i];
    if (buffer) {
      buffer[i] = first ? d : buffer[i] * mu + keep * d;
      d = o.nesterov ? d + mu * buffer[i] : buffer[i];
    }
    p.data[i] += step * d;
  }
}

}  // namespace rnn::optim
