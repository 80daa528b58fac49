#include "optimizer.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "../errors.h"
#include "../kernels/optimizer_steps.h"

namespace rnn::optim {

namespace {

const Module::Gradient& find(const std::vector<Module::Gradient>& all, Module& module, const std::string& name) {
  for (const auto& g : all)
    if (g.slot.name == name) return g;
  throw Error(ErrorKind::argument, module.type_name() + ": no parameter named '" + name + "'");
}

}  // namespace

std::vector<Parameter> resolve(const std::vector<Target>& targets) {
  std::vector<Parameter> out;
  for (const auto& t : targets) {
    if (t.module->quantized())
      throw Error(ErrorKind::argument, t.module->type_name() + ": an optimizer needs float32 weights; this module's are int8");
    const auto all = t.module->gradients();
    const auto& g = find(all, *t.module, t.name);
    Parameter p{t.module, g.owner, t.name, t.label.empty() ? t.name : t.label, g.slot.data, element_count(g.slot.shape), {}};
    for (const auto& [module, name] : t.mirrors) {
      const auto mirror_all = module->gradients();
      const auto& m = find(mirror_all, *module, name);
      if (element_count(m.slot.shape) != p.size)
        throw Error(ErrorKind::argument, "internal error: a tied parameter's size differs from its twin's");
      p.mirrors.emplace_back(module, m.slot.data);
    }
    out.push_back(std::move(p));
  }
  return out;
}

void Optimizer::step() {
  // Every gradient is checked before any weight changes, as error_if_nonfinite would.
  for (const auto& p : params_) {
    const float* g = p.frozen() ? nullptr : p.grad();
    if (!g || kernels::all_finite_f32(g, p.size)) continue;
    for (std::size_t i = 0; i < p.size; ++i)
      if (!std::isfinite(g[i])) {
        Message out;
        out << type_name() << ".step: the gradient of '" << p.label << "' holds " << double(g[i]) << " at element "
            << i << "; the weights were left unchanged (lower the learning rate, or clip the gradients)";
        throw Error(ErrorKind::argument, out.str());
      }
  }
  std::vector<Module*> changed;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const Parameter& p = params_[i];
    const float* g = p.frozen() ? nullptr : p.grad();
    if (!g) continue;
    update(p, g, state_[i]);
    changed.push_back(p.module);
    for (const auto& [module, data] : p.mirrors) {
      std::copy_n(p.data, p.size, data);
      changed.push_back(module);
    }
  }
  // Each changed module re-packs its weights once.
  std::sort(changed.begin(), changed.end());
  changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
  for (Module* module : changed) module->parameters_changed();
}

void Optimizer::zero_grad() {
  for (const auto& p : params_)
    if (float* g = p.grad()) std::memset(g, 0, p.size * sizeof(float));
}

double clip_grad_norm(const std::vector<Target>& targets, double max_norm, double norm_type) {
  if (!(norm_type > 0)) {
    Message out;
    out << "clipGradNorm: normType must be a positive number or Infinity, got " << norm_type;
    throw Error(ErrorKind::argument, out.str());
  }
  const auto params = resolve(targets);
  std::vector<float*> grads;
  std::vector<std::size_t> sizes;
  for (const auto& p : params)
    if (float* g = p.frozen() ? nullptr : p.grad()) {
      grads.push_back(g);
      sizes.push_back(p.size);
    }
  // PyTorch takes each gradient's norm (a float32), then the norm of those.
  const bool inf = std::isinf(norm_type);
  double total = 0;
  for (std::size_t k = 0; k < grads.size(); ++k) {
    const double power = kernels::norm_power_f32(grads[k], sizes[k], norm_type);
    const float each = static_cast<float>(inf ? power : std::pow(power, 1.0 / norm_type));
    total = inf ? (std::isnan(each) || each > total ? each : total) : total + std::pow(double(each), norm_type);
  }
  const float norm = static_cast<float>(inf ? total : std::pow(total, 1.0 / norm_type));
  if (!std::isfinite(norm)) return norm;
  const float coef = std::min(static_cast<float>(max_norm) / (norm + 1e-6f), 1.f);
  for (std::size_t k = 0; k < grads.size(); ++k) kernels::scale_f32(grads[k], sizes[k], coef);
  return norm;
}

}  // namespace rnn::optim
