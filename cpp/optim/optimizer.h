// torch.optim in wasm: parameters, their gradients and the optimizer's state all live here, and
// a step is one call. Formulas are PyTorch 1.13's single-tensor implementations, in their order
// of operations (sgd.cpp, adam.cpp).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "../module.h"

namespace rnn::optim {

// A parameter as the caller names it: a module and one of its state_dict names, with (tied
// weights) copies elsewhere that must stay equal to it, updated after every step.
struct Target {
  Module* module;
  std::string name;
  std::vector<std::pair<Module*, std::string>> mirrors;
  std::string label;  // the name in messages (a model's "rnn.weight_ih_l0"); empty: `name`
};

// A target resolved to where its values and gradient live.
struct Parameter {
  Module* module;  // as given: told parameters_changed() after an update
  Module* leaf;    // holds the values and the gradient buffer
  std::string name;
  std::string label;  // for messages
  float* data;
  std::size_t size;
  std::vector<std::pair<Module*, float*>> mirrors;
  float* grad() const { return leaf->existing_gradient(name); }  // null: no gradient (PyTorch's None)
  bool frozen() const { return leaf->frozen(name); }
};

std::vector<Parameter> resolve(const std::vector<Target>& targets);

class Optimizer : public Object {
 public:
  explicit Optimizer(const std::vector<Target>& targets) : params_(resolve(targets)), state_(params_.size()) {}

  // Updates every parameter that has a gradient and is not frozen, then refreshes its module.
  // A gradient holding NaN or ±inf is ErrorKind::argument, before anything changes.
  void step();
  void zero_grad();

  double lr() const { return lr_; }
  void set_lr(double lr) { lr_ = lr; }
  std::size_t size() const { return params_.size(); }
  const Parameter& parameter(std::size_t i) const { return params_[i]; }

  // Per parameter, PyTorch's state names ("step", "exp_avg", "momentum_buffer", ...) to values;
  // empty until its first update. A step counter is one float, as PyTorch 1.13 keeps it.
  using State = std::map<std::string, std::vector<float>>;
  State& state(std::size_t i) { return state_.at(i); }
  // The names a parameter's state may hold (for checks on loading).
  virtual std::vector<std::string> state_names() const = 0;
  virtual std::string type_name() const = 0;

 protected:
  // One parameter's update from its gradient; `state` is that parameter's.
  virtual void update(const Parameter& p, const float* grad, State& state) = 0;
  double lr_ = 0;

 private:
  std::vector<Parameter> params_;
  std::vector<State> state_;
};

// torch.nn.utils.clip_grad_norm_: the norm of every gradient together (norm_type p > 0, or inf
// for the largest magnitude); when it exceeds max_norm, every gradient is scaled by
// max_norm / (norm + 1e-6). Returns the norm before clipping. A norm that is NaN or infinite
// is returned and the gradients are left as they are (PyTorch would scale them by it).
double clip_grad_norm(const std::vector<Target>& targets, double max_norm, double norm_type);

}  // namespace rnn::optim
