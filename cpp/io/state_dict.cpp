#include "state_dict.h"

#include <algorithm>

#include "../errors.h"

namespace rnn::io {

namespace {

// Names from a file can be many and long: a message shows `shown` of them, each cut to 80
// characters. The expected names come from the module, and are all shown.
std::string join_names(const std::vector<std::string>& names, std::size_t shown = 5) {
  constexpr std::size_t kLength = 80;
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < shown; ++i) {
    const std::string& name = names[i];
    out += (out.empty() ? "'" : ", '") + (name.size() > kLength ? name.substr(0, kLength) + "..." : name) + "'";
  }
  if (names.size() > shown) out += " and " + std::to_string(names.size() - shown) + " more";
  return out;
}

}  // namespace

void load_parameters(const std::string& owner, const std::vector<ParameterSlot>& slots,
                     const StateDict& source, bool strict) {
  std::vector<std::string> missing;
  for (const auto& slot : slots) {
    auto found = source.find(slot.name);
    if (found == source.end()) {
      missing.push_back(slot.name);
      continue;
    }
    const Shape shape = shape_of(found->second);
    if (shape != slot.shape) {
      Message out;
      out << owner << ".loadStateDict: '" << slot.name << "' has shape " << format_shape(shape)
          << ", expected " << format_shape(slot.shape) << " = " << slot.shape_formula;
      throw Error(ErrorKind::weights, out.str());
    }
  }
  if (strict) {
    std::vector<std::string> unexpected;
    for (const auto& entry : source) {
      const bool known = std::any_of(slots.begin(), slots.end(),
                                     [&](const ParameterSlot& s) { return s.name == entry.first; });
      if (!known) unexpected.push_back(entry.first);
    }
    if (!missing.empty() || !unexpected.empty()) {
      Message out;
      out << owner << ".loadStateDict (strict):";
      if (!missing.empty()) out << " missing " << join_names(missing) << ";";
      if (!unexpected.empty()) out << " unexpected " << join_names(unexpected) << ";";
      std::vector<std::string> expected;
      for (const auto& slot : slots) expected.push_back(slot.name);
      out << " expected exactly " << join_names(expected, expected.size());
      throw Error(ErrorKind::weights, out.str());
    }
  }
  for (const auto& slot : slots) {
    auto found = source.find(slot.name);
    if (found != source.end())
      std::copy(found->second.begin(), found->second.end(), slot.data);
  }
}

StateDict save_parameters(const std::vector<ParameterSlot>& slots) {
  StateDict out;
  for (const auto& slot : slots) {
    Tensor t = xt::empty<float>(slot.shape);
    std::copy(slot.data, slot.data + element_count(slot.shape), t.begin());
    out.emplace(slot.name, std::move(t));
  }
  return out;
}

}  // namespace rnn::io
