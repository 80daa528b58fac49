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

// The panel height for W (rows, cols). A matrix with a multiple of 128 rows and at most 256
// columns takes 32-row panels: the matrix-vector kernel then walks one pointer with 8 loads at
// fixed offsets, one stream instead of four. Over a batch-1 GRU of hidden 256 and 64 steps, its
// W_ih and projected inputs sharing L2 with W_hh, that is 3.5% faster; for W_ih (2048 x 256) of
// a streaming step of a 2-layer LSTM of hidden 512, 5-9% faster over the step (Chromium 156 and
// Node 20, 2026-12-08; 32-row panels for all four of its matrices made the step 1.35-1.5x
// faster, but the matrix-matrix kernel 8-11% slower on them, below). The column bound is for the
// matrix-matrix kernel, which reads 8 of a panel's 32 rows at a time, so the lines it touches in
// one pass (cols x 128 bytes) should stay in L1: at 256 columns it is as fast in either layout
// (2048 x 256 by 256 x 1024: 35.0-35.3 ms both), while 32-row panels for all of W4's matrices
// (256 and 512 columns) made it 8-11% slower, with the inputs in blocks of 64-256 too, and with
// blocks of 2 rows by 16 outputs 14%. Nor did 32-row panels whose 8-row groups are stored per
// block of 4 inputs (whole lines for the matrix-matrix kernel) serve both, as first written:
// every matrix in them, Node 20, W3 0.32x and W4 0.86x. The row multiple: a batch-1 step split
// by hidden units needs whole panels per part (CellBase::unit_grain), and 128 rows of gates (1,
// 3 or 4 of them) make each gate's units a multiple of 32.
std::size_t panel_rows_for(std::size_t rows, std::size_t cols);

// w: (rows, cols) row-major; bias: (rows) or null; panel: 8 or 32.
PackedWeights pack_weights(const float* w, const float* bias, std::size_t rows, std::size_t cols,
                           std::size_t panel = kPanel);

// B (k, n) row-major packed as pack_weights packs Bᵀ, without forming Bᵀ, and no bias: the
// packed kernels then compute A B instead of A Wᵀ. Backward passes need that product twice:
// dx = dy W (B = W) and, in the weight gradient dW += dyᵀ x, A x with B = x. 8-row panels.
PackedWeights pack_columns(const float* b, std::size_t k, std::size_t n);

}  // namespace rnn::kernels
