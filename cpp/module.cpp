#include "module.h"

#include <algorithm>
#include <cstring>

#include "errors.h"

namespace rnn {

namespace {

bool matches(const std::string& name, const std::string& pattern) { return name.compare(0, pattern.size(), pattern) == 0; }

}  // namespace

void Module::train(bool on) {
  if (on && quantized())
    throw Error(ErrorKind::argument, type_name() + ".train: its weights are int8, for inference only");
  for (Module* child : children()) child->train(on);
  if (training_ == on) return;
  training_ = on;
  training_changed();
}

std::vector<Module::Gradient> Module::gradients() {
  std::vector<Gradient> out;
  const auto kids = children();
  if (!kids.empty()) {
    for (Module* child : kids) {
      auto part = child->gradients();
      out.insert(out.end(), part.begin(), part.end());
    }
    return out;
  }
  for (const auto& slot : parameters()) out.push_back({this, slot, existing_gradient(slot.name)});
  return out;
}

void Module::zero_grad() {
  for (Module* child : children()) child->zero_grad();
  for (auto& [name, grad] : grads_) std::memset(grad.data(), 0, grad.size() * sizeof(float));
}

void Module::set_frozen(const std::vector<std::string>& patterns, bool frozen) {
  const auto all = gradients();
  for (const auto& pattern : patterns) {
    const bool found = std::any_of(all.begin(), all.end(), [&](const Gradient& g) { return matches(g.slot.name, pattern); });
    if (found) continue;
    Message out;
    out << type_name() << "." << (frozen ? "freeze" : "unfreeze") << ": no parameter is named or starts with '"
        << pattern << "'; the parameters are";
    for (std::size_t i = 0; i < all.size(); ++i) out << (i ? ", '" : " '") << all[i].slot.name << "'";
    throw Error(ErrorKind::argument, out.str());
  }
  for (const auto& g : all) {
    const bool hit = std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) { return matches(g.slot.name, p); });
    if (!hit) continue;
    if (frozen) {
      g.owner->frozen_.insert(g.slot.name);
      g.owner->grads_.erase(g.slot.name);
    } else {
      g.owner->frozen_.erase(g.slot.name);
    }
  }
}

bool Module::frozen(const std::string& name) {
  for (Module* child : children())
    if (child->frozen(name)) return true;
  return frozen_.count(name) != 0;
}

float* Module::gradient(const std::string& name, std::size_t size) {
  if (frozen(name)) return nullptr;
  auto& grad = grads_[name];
  if (grad.size() != size) grad.assign(size, 0.f);
  return grad.data();
}

float* Module::existing_gradient(const std::string& name) {
  auto found = grads_.find(name);
  return found == grads_.end() ? nullptr : found->second.data();
}

}  // namespace rnn
