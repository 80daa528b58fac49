// Random tensors and vectors for the C++ tests: uniform in [-1, 1) (or ±bound) from the core's
// seeded generator.
#pragma once

#include <vector>

#include "tensor/random.h"
#include "tensor/shape.h"

inline rnn::Tensor random_tensor(const rnn::Shape& shape, rnn::Random& random) {
  rnn::Tensor t = xt::empty<float>(shape);
  for (auto& v : t) v = random.uniform(-1.f, 1.f);
  return t;
}

inline std::vector<float> random_vector(std::size_t n, rnn::Random& random, float bound = 1.f) {
  std::vector<float> v(n);
  for (auto& x : v) x = random.uniform(-bound, bound);
  return v;
}
