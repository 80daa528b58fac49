// A small seeded generator for initial weights, so a fresh module is reproducible.
// Distributions follow PyTorch's defaults; the values themselves differ from torch's generator.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace rnn {

class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}

  // splitmix64 (Steele, Lea, Flood 2014): passes BigCrush, one add and three mixes per draw.
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // Uniform in [lo, hi), from the top 24 bits so every value is an exact float.
  float uniform(float lo, float hi) {
    return lo + (hi - lo) * static_cast<float>(next() >> 40) * (1.f / 16777216.f);
  }

  // Standard normal by Box-Muller; 1 - u keeps the log's argument in (0, 1].
  float normal() {
    const double u = 1.0 - static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0);
    const double v = static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0);
    return static_cast<float>(std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v));
  }

 private:
  std::uint64_t state_;
};

// Whether new modules draw their initial weights (true), or set them to zero. A model built only
// to be filled from a file turns the draws off while it is built (loadModel): a 10,000-word
// Embedding's normal draws alone took 36 ms in wasm, longer than reading its weights.
inline bool initial_draws = true;

// Uniform in [-bound, bound), or zeros when the draws are off.
template <class Container>
void fill_uniform(Container& c, float bound, Random& random) {
  if (!initial_draws) return std::fill(c.begin(), c.end(), 0.f);
  for (auto& v : c) v = random.uniform(-bound, bound);
}

// Standard normal, or zeros when the draws are off.
template <class Container>
void fill_normal(Container& c, Random& random) {
  if (!initial_draws) return std::fill(c.begin(), c.end(), 0.f);
  for (auto& v : c) v = random.normal();
}

}  // namespace rnn
