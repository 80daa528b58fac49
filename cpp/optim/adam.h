// torch.optim.Adam and AdamW (PyTorch 1.13), with amsgrad.
#pragma once

#include "optimizer.h"

namespace rnn::optim {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9, beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
  bool amsgrad = false;
  bool decoupled = false;  // AdamW: decay the weights, not the gradient
};

class Adam : public Optimizer {
 public:
  // Checks the options as PyTorch does (ErrorKind::argument).
  Adam(const std::vector<Target>& targets, const AdamOptions& options);
  std::string type_name() const override { return options_.decoupled ? "AdamW" : "Adam"; }
  std::vector<std::string> state_names() const override { return {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}; }
  const AdamOptions& options() const { return options_; }

 protected:
  void update(const Parameter& p, const float* grad, State& state) override;

 private:
  AdamOptions options_;
};

}  // namespace rnn::optim
