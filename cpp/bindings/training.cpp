// Training's bindings: train/eval, gradients and freezing on any module, backward passes, the
// classifier's pooling, losses, optimizers and gradient clipping. Conventions as embind.cpp.
#include <emscripten/bind.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>


#include "convert.h"
#include "../cells/cell_base.h"
#include "../layers/activation.h"
#include "../layers/embedding.h"
#include "../layers/linear.h"
#include "../layers/losses.h"
#include "../layers/pooling.h"
#include "../layers/recurrent.h"
#include "../optim/adam.h"
#include "../optim/sgd.h"

using emscripten::val;

namespace rnn {
namespace {

using namespace bindings;

val nullable(const Tensor* t) { return t ? tensor_to_js(*t) : val::null(); }

std::vector<std::string> strings_from_js(const val& js) {
  std::vector<std::string> out;
  const std::size_t n = js["length"].as<std::size_t>();
  for (std::size_t i = 0; i < n; ++i) out.push_back(js[i].as<std::string>());
  return out;
}

// [[handle, name, [[handle, name], ...], label], ...], as js/src/optim.ts builds them from stateDict names.
std::vector<optim::Target> targets_from_js(const val& js) {
  std::vector<optim::Target> out;
  const std::size_t n = js["length"].as<std::size_t>();
  for (std::size_t i = 0; i < n; ++i) {
    const val entry = js[i];
    optim::Target t{&as<Module>(entry[0].as<double>()), entry[1].as<std::string>(), {}, entry[3].as<std::string>()};
    const val mirrors = entry[2];
    const std::size_t m = mirrors["length"].as<std::size_t>();
    for (std::size_t j = 0; j < m; ++j)
      t.mirrors.emplace_back(&as<Module>(mirrors[j][0].as<double>()), mirrors[j][1].as<std::string>());
    out.push_back(std::move(t));
  }
  return out;
}

Reduction reduction_of(const std::string& name, const char* owner) {
  if (name == "mean") return Reduction::mean;
  if (name == "sum") return Reduction::sum;
  if (name == "none") return Reduction::none;
  throw Error(ErrorKind::argument, std::string(owner) + ": reduction must be 'mean', 'sum' or 'none', got '" + name + "'");
}

// [loss, grad]: the loss a number, or a tensor for reduction 'none'.
val loss_to_js(const LossResult& r) {
  val out = val::array();
  out.call<void>("push", r.loss.dimension() == 0 ? val(double(r.loss())) : tensor_to_js(r.loss));
  out.call<void>("push", tensor_to_js(r.grad));
  return out;
}

// ---- any module

val module_train(double handle, bool on) {
  return guarded([&] {
    as<Module>(handle).train(on);
    return val::undefined();
  });
}

val module_zero_grad(double handle) {
  return guarded([&] {
    as<Module>(handle).zero_grad();
    return val::undefined();
  });
}

// [name, tensor][] in parameters() order; zeros where no gradient exists (yet, or frozen).
val module_gradients(double handle) {
  return guarded([&] {
    val out = val::array();
    for (const auto& g : as<Module>(handle).gradients()) {
      Tensor t = xt::zeros<float>(g.slot.shape);
      if (g.grad) std::copy(g.grad, g.grad + t.size(), t.begin());
      val entry = val::array();
      entry.call<void>("push", g.slot.name);
      entry.call<void>("push", tensor_to_js(t));
      out.call<void>("push", entry);
    }
    as<Module>(handle).parameters_read();
    return out;
  });
}

val module_set_frozen(double handle, val names, bool frozen) {
  return guarded([&] {
    as<Module>(handle).set_frozen(strings_from_js(names), frozen);
    return val::undefined();
  });
}

// [name, frozen, shape][] in parameters() order: what optimizers and freeze() work from.
val module_parameters(double handle) {
  return guarded([&] {
    val out = val::array();
    for (const auto& g : as<Module>(handle).gradients()) {
      val shape = val::array();
      for (std::size_t d : g.slot.shape) shape.call<void>("push", double(d));
      val entry = val::array();
      entry.call<void>("push", g.slot.name);
      entry.call<void>("push", g.owner->frozen(g.slot.name));
      entry.call<void>("push", shape);
      out.call<void>("push", entry);
    }
    as<Module>(handle).parameters_read();
    return out;
  });
}

// Tied weights (a language model's decoder sharing the embedding): the gradient of `from`'s
// parameter is added to `to`'s and then zeroed, so that the one parameter gets both.
val module_move_gradient(double from, std::string from_name, double to, std::string to_name) {
  return guarded([&] {
    Module& source = as<Module>(from);
    Module& target = as<Module>(to);
    for (const auto& g : source.gradients()) {
      if (g.slot.name != from_name || !g.grad) continue;
      const std::size_t n = element_count(g.slot.shape);
      for (const auto& t : target.gradients()) {
        if (t.slot.name != to_name) continue;
        if (element_count(t.slot.shape) != n) throw Error(ErrorKind::argument, "internal error: tied sizes differ");
        if (float* into = t.owner->gradient(to_name, n))
          for (std::size_t i = 0; i < n; ++i) into[i] += g.grad[i];
      }
      std::fill_n(g.grad, n, 0.f);
    }
    return val::undefined();
  });
}

// ---- backward passes: [input, h0, c0 or null]

val cell_backward(double handle, val grad_h, val grad_c) {
  return guarded([&] {
    const Tensor h = tensor_from_js(grad_h);
    std::optional<Tensor> c;
    if (!grad_c.isNull()) c = tensor_from_js(grad_c);
    const CellBase::Gradients g = as<CellBase>(handle).backward(h, c ? &*c : nullptr);
    val out = val::array();
    out.call<void>("push", tensor_to_js(g.input));
    out.call<void>("push", tensor_to_js(g.h));
    out.call<void>("push", g.c.dimension() ? tensor_to_js(g.c) : val::null());
    return out;
  });
}

val recurrent_backward(double handle, val grad_output, val grad_h, val grad_c) {
  return guarded([&] {
    const Tensor output = tensor_from_js(grad_output);
    std::optional<Tensor> h, c;
    if (!grad_h.isNull()) h = tensor_from_js(grad_h);
    if (!grad_c.isNull()) c = tensor_from_js(grad_c);
    const RecurrentGradients g = as<Recurrent>(handle).backward(output, h ? &*h : nullptr, c ? &*c : nullptr);
    val out = val::array();
    out.call<void>("push", tensor_to_js(g.input));
    out.call<void>("push", tensor_to_js(g.h0));
    out.call<void>("push", g.c0.dimension() ? tensor_to_js(g.c0) : val::null());
    return out;
  });
}

val linear_backward(double handle, val grad) {
  return guarded([&] { return tensor_to_js(as<Linear>(handle).backward(tensor_from_js(grad))); });
}

val embedding_backward(double handle, val grad) {
  return guarded([&] {
    as<Embedding>(handle).backward(tensor_from_js(grad));
    return val::undefined();
  });
}

// ---- activation modules

val activation_module_new(std::string kind) {
  return guarded([&] {
    if (kind == "relu") return handle_of(new ActivationModule(Activation::relu));
    if (kind == "tanh") return handle_of(new ActivationModule(Activation::tanh));
    if (kind == "sigmoid") return handle_of(new ActivationModule(Activation::sigmoid));
    throw Error(ErrorKind::argument, "unknown activation '" + kind + "'; the activations are relu, tanh, sigmoid");
  });
}

val activation_module_forward(double handle, val x) {
  return guarded([&] { return tensor_to_js(as<ActivationModule>(handle).forward(tensor_from_js(x))); });
}

val activation_module_backward(double handle, val grad) {
  return guarded([&] { return tensor_to_js(as<ActivationModule>(handle).backward(tensor_from_js(grad))); });
}

// ---- the classifier's pooling

Pooling pooling_of(const std::string& kind) {
  if (kind == "last") return Pooling::last;
  if (kind == "mean") return Pooling::mean;
  if (kind == "max") return Pooling::max;
  throw Error(ErrorKind::argument, "pooling must be 'last', 'mean' or 'max', got '" + kind + "'");
}

val pool_forward(std::string kind, val output, val h_n, double directions, val lengths) {
  return guarded([&] {
    return tensor_to_js(pool(pooling_of(kind), tensor_from_js(output), tensor_from_js(h_n), std::size_t(directions),
                             numbers_from_js(lengths)));
  });
}

// [dL/doutput, dL/dhN]
val pool_backward_js(std::string kind, val output, val h_n, double directions, val lengths, val grad) {
  return guarded([&] {
    const PoolingGradients g = pool_backward(pooling_of(kind), tensor_from_js(output), tensor_from_js(h_n),
                                             std::size_t(directions), numbers_from_js(lengths), tensor_from_js(grad));
    val out = val::array();
    out.call<void>("push", tensor_to_js(g.output));
    out.call<void>("push", tensor_to_js(g.h_n));
    return out;
  });
}

// ---- losses: [loss, grad]

val cross_entropy_js(val logits, val targets, double ignore_index, double label_smoothing, std::string reduction,
                     val weight) {
  return guarded([&] {
    CrossEntropyOptions o;
    o.ignore_index = ignore_index;
    o.label_smoothing = label_smoothing;
    o.reduction = reduction_of(reduction, "crossEntropy");
    std::optional<Tensor> w;
    if (!weight.isNull()) w = tensor_from_js(weight);
    o.weight = w ? &*w : nullptr;
    return loss_to_js(cross_entropy(tensor_from_js(logits), numbers_from_js(targets), o));
  });
}

val mse_loss_js(val input, val target, std::string reduction) {
  return guarded([&] {
    return loss_to_js(mse_loss(tensor_from_js(input), tensor_from_js(target), reduction_of(reduction, "mseLoss")));
  });
}

// ---- optimizers

val sgd_new(val targets, double lr, double momentum, double dampening, double weight_decay, bool nesterov) {
  return guarded([&] {
    return handle_of(new optim::SGD(targets_from_js(targets), {lr, momentum, dampening, weight_decay, nesterov}));
  });
}

val adam_new(val targets, double lr, double beta1, double beta2, double eps, double weight_decay, bool amsgrad,
             bool decoupled) {
  return guarded([&] {
    return handle_of(
        new optim::Adam(targets_from_js(targets), {lr, beta1, beta2, eps, weight_decay, amsgrad, decoupled}));
  });
}

val optimizer_step(double handle) {
  return guarded([&] {
    as<optim::Optimizer>(handle).step();
    return val::undefined();
  });
}

val optimizer_zero_grad(double handle) {
  return guarded([&] {
    as<optim::Optimizer>(handle).zero_grad();
    return val::undefined();
  });
}

val optimizer_set_lr(double handle, double lr) {
  return guarded([&] {
    if (!(lr >= 0)) throw Error(ErrorKind::argument, "lr must be >= 0, got " + std::to_string(lr));
    as<optim::Optimizer>(handle).set_lr(lr);
    return val::undefined();
  });
}

// The state names this optimizer keeps per parameter, as PyTorch names them.
val optimizer_state_names(double handle) {
  return guarded([&] {
    val out = val::array();
    for (const auto& name : as<optim::Optimizer>(handle).state_names()) out.call<void>("push", name);
    return out;
  });
}

// Parameter `index`'s state `name` as a flat tensor, or null before its first update.
val optimizer_get_state(double handle, double index, std::string name) {
  return guarded([&] {
    auto& o = as<optim::Optimizer>(handle);
    if (!(index >= 0 && index < double(o.size()))) throw Error(ErrorKind::argument, "internal error: no such parameter");
    const auto& state = o.state(std::size_t(index));
    const auto found = state.find(name);
    if (found == state.end()) return val::null();
    return tensor_to_js(tensor_of(Shape{found->second.size()}, found->second.data()));
  });
}

// Sets (or, with null, removes) parameter `index`'s state `name`: a name this optimizer keeps,
// "step" of one value, buffers of the parameter's size (ErrorKind::weights otherwise).
val optimizer_set_state(double handle, double index, std::string name, val values) {
  return guarded([&] {
    auto& o = as<optim::Optimizer>(handle);
    if (!(index >= 0 && index < double(o.size()))) throw Error(ErrorKind::argument, "internal error: no such parameter");
    const std::size_t i = std::size_t(index);
    const auto names = o.state_names();
    const std::string owner = o.type_name() + ".loadStateDict";
    if (std::find(names.begin(), names.end(), name) == names.end())
      throw Error(ErrorKind::weights, owner + ": state '" + name + "' is not one " + o.type_name() + " keeps");
    if (values.isNull()) {
      o.state(i).erase(name);
      return val::undefined();
    }
    const Tensor t = tensor_from_js(values);
    const std::size_t want = name == "step" ? 1 : o.parameter(i).size;
    if (t.size() != want)
      throw Error(ErrorKind::weights, owner + ": parameter " + std::to_string(i) + " ('" + o.parameter(i).label + "') has '" +
                                          name + "' of " + std::to_string(t.size()) + " values, expected " +
                                          std::to_string(want));
    o.state(i)[name].assign(t.begin(), t.end());
    return val::undefined();
  });
}

val clip_grad_norm_js(val targets, double max_norm, double norm_type) {
  return guarded([&] { return val(optim::clip_grad_norm(targets_from_js(targets), max_norm, norm_type)); });
}

}  // namespace
}  // namespace rnn

EMSCRIPTEN_BINDINGS(rnn_wasm_training) {
  using namespace emscripten;
  function("_moduleTrain", &rnn::module_train);
  function("_moduleZeroGrad", &rnn::module_zero_grad);
  function("_moduleGradients", &rnn::module_gradients);
  function("_moduleSetFrozen", &rnn::module_set_frozen);
  function("_moduleParameters", &rnn::module_parameters);
  function("_moduleMoveGradient", &rnn::module_move_gradient);
  function("_cellBackward", &rnn::cell_backward);
  function("_recurrentBackward", &rnn::recurrent_backward);
  function("_linearBackward", &rnn::linear_backward);
  function("_embeddingBackward", &rnn::embedding_backward);
  function("_activationModuleNew", &rnn::activation_module_new);
  function("_activationModuleForward", &rnn::activation_module_forward);
  function("_activationModuleBackward", &rnn::activation_module_backward);
  function("_pool", &rnn::pool_forward);
  function("_poolBackward", &rnn::pool_backward_js);
  function("_crossEntropy", &rnn::cross_entropy_js);
  function("_mseLoss", &rnn::mse_loss_js);
  function("_sgdNew", &rnn::sgd_new);
  function("_adamNew", &rnn::adam_new);
  function("_optimizerStep", &rnn::optimizer_step);
  function("_optimizerZeroGrad", &rnn::optimizer_zero_grad);
  function("_optimizerSetLr", &rnn::optimizer_set_lr);
  function("_optimizerStateNames", &rnn::optimizer_state_names);
  function("_optimizerGetState", &rnn::optimizer_get_state);
  function("_optimizerSetState", &rnn::optimizer_set_state);
  function("_clipGradNorm", &rnn::clip_grad_norm_js);
}
