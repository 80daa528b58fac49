// Weights repacked once, at load, for the SIMD matrix kernels. W is (rows, cols) as PyTorch
// stores it (one row per output). Packed, it is a sequence of panels of `panel` output rows
// (8 or 32), each stored column-major: panel q holds W[panel*q + r][p] at
// panels[(q*cols + p)*panel + r]. A kernel then reads 8 outputs' weights for one input p as two
// contiguous v128 loads, and needs no horizontal sums. Rows past `rows` are zero, as is the
// padded bias.
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

constexpr std::size_t kPanel = 8;       // the matrix-matrix kernel's outputs per block
constexpr std::size_t kWidePanel = 32;  // see panel_rows_for

// Where W[row][col] of a matrix with `cols` columns sits in `panel`-row panels (the layout above).
inline std::size_t panel_index(std::size_t row, std::size_t col, std::size_t cols, std::size_t panel) {
  return ((row / panel) * cols + col) * panel + row % panel;
}

struct PackedWeights {
  std::size_t rows = 0, cols = 0, panel = kPanel;
  std::vector<float, CacheLineAllocator<float>> panels;  // ceil(rows/panel) * cols * panel
  std::vector<float, CacheLineAllocator<float>> bias;    // ceil(rows/panel) * panel; zeros without bias
};

// The panel height for W (rows, cols). A matrix that stays in L2 (up to 1 MB), has a multiple of
// 32 rows and at most 256 columns takes 32-row panels: the matrix-vector kernel then walks one
// pointer with 8 loads at fixed offsets, one stream instead of four. A step alone is as fast
// either way, but a batch-1 GRU of hidden 256 over 64 steps, its W_ih and projected inputs
// sharing L2 with W_hh, is 3.5% faster. A larger matrix streams from L3 or memory, where 8-row
// panels read as four streams at once do better: 32-row panels made a batch-1 step of a 2-layer
// LSTM (hidden 512, 4 MB matrices) 10-20% slower. The column bound is for the matrix-matrix
// kernel, which reads 8 of a panel's 32 rows at a time, so the lines it touches in one pass
// (cols x 128 bytes) should stay in L1: at 256 columns it is as fast in either layout (2048 x
// 256 by 256 x 1024: 35.0-35.3 ms both), while 32-row panels for all of W4's matrices (256 and
// 512 columns) made it 10% slower.
std::size_t panel_rows_for(std::size_t rows, std::size_t cols);

// w: (rows, cols) row-major; bias: (rows) or null; panel: 8 or 32.
PackedWeights pack_weights(const float* w, const float* bias, std::size_t rows, std::size_t cols,
                           std::size_t panel = kPanel);

// B (k, n) row-major packed as pack_weights packs Bᵀ, without forming Bᵀ, and no bias: the
// packed kernels then compute A B instead of A Wᵀ. Backward passes need that product twice:
// dx = dy W (B = W) and, in the weight gradient dW += dyᵀ x, A x with B = x. 8-row panels.
PackedWeights pack_columns(const float* b, std::size_t k, std::size_t n);

}  // namespace rnn::kernels
