// Weights repacked once, at load, for the SIMD matrix kernels. W is (rows, cols) as PyTorch
// stores it (one row per output). Packed, it is a sequence of panels of 8 output rows, each
// stored column-major: panel q holds W[8q + r][p] at panels[(q*cols + p)*8 + r]. A kernel then
// reads 8 outputs' weights for one input p as two contiguous v128 loads, and needs no
// horizontal sums. Rows past `rows` are zero, as is the padded bias.
#pragma once

#include <cstddef>
#include <new>
#include <vector>

namespace rnn::kernels {

// Allocates on 64-byte boundaries, so that a panel's weights for one input start a cache line.
// Emscripten's malloc returns large blocks at 8 bytes past a 16-byte boundary, so without this
// every fourth v128 load of a weight straddled two cache lines: W1 (batch-1 LSTM, its W_hh read
// 64 times) took 2.47 ms instead of 2.27.
template <class T>
struct CacheLineAllocator {
  using value_type = T;
  static constexpr std::align_val_t kAlignment{64};
  CacheLineAllocator() = default;
  template <class U>
  CacheLineAllocator(const CacheLineAllocator<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlignment)); }
  void deallocate(T* p, std::size_t) { ::operator delete(p, kAlignment); }
  template <class U>
  bool operator==(const CacheLineAllocator<U>&) const { return true; }
  template <class U>
  bool operator!=(const CacheLineAllocator<U>&) const { return false; }
};

constexpr std::size_t kPanel = 8;

struct PackedWeights {
  std::size_t rows = 0, cols = 0;
  std::vector<float, CacheLineAllocator<float>> panels;  // ceil(rows/8) * cols * 8
  std::vector<float, CacheLineAllocator<float>> bias;    // ceil(rows/8) * 8; zeros without bias
};

// w: (rows, cols) row-major; bias: (rows) or null.
PackedWeights pack_weights(const float* w, const float* bias, std::size_t rows, std::size_t cols);

}  // namespace rnn::kernels
