// Random tensors for the C++ tests: uniform in [-1, 1) from the core's seeded generator.
#pragma once

#include "tensor/random.h"
#include "tensor/shape.h"

inline rnn::Tensor random_tensor(const rnn::Shape& shape, rnn::Random& random) {
  rnn::Tensor t = xt::empty<float>(shape);
  for (auto& v : t) v = random.uniform(-1.f, 1.f);
  return t;
}
