// torch.optim.SGD (PyTorch 1.13): momentum, dampening, Nesterov, weight decay.
#pragma once

#include "optimizer.h"

namespace rnn::optim {

struct SGDOptions {
  double lr = 0;
  double momentum = 0;
  double dampening = 0;
  double weight_decay = 0;
  bool nesterov = false;
};

class SGD : public Optimizer {
 public:
  // Checks the options as PyTorch does (ErrorKind::argument).
  SGD(const std::vector<Target>& targets, const SGDOptions& options);
  std::string type_name() const override { return "SGD"; }
  std::vector<std::string> state_names() const override { return {"momentum_buffer"}; }
  const SGDOptions& options() const { return options_; }

 protected:
  void update(const Parameter& p, const float* grad, State& state) override;

 private:
  SGDOptions options_;
};

}  // namespace rnn::optim
