// Weights repacked once, at load, for the SIMD matrix kernels. W is (rows, cols) as PyTorch
// stores it (one row per output). Packed, it is a sequence of panels of `panel` output rows
// (8 or 16), each stored column-major: panel q holds W[panel*q + r][p] at
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
constexpr std::size_t kWidePanel = 16;  // see panel_rows_for

// Where W[row][col] of a matrix with `cols` columns sits in `panel`-row panels (the layout above).
inline std::size_t panel_index(std::size_t row, std::size_t col, std::size_t cols, std::size_t panel) {
  return ((row / panel) * cols + col) * panel + row % panel;
}

struct PackedWeights {
  std::size_t rows = 0, cols = 0, panel = kPanel;
  std::vector<float, CacheLineAllocator<float>> panels;  // ceil(rows/panel) * cols * panel
  std::vector<float, CacheLineAllocator<float>> bias;    // ceil(rows/panel) * panel; zeros without bias
};

// The panel height for W (rows, cols). A matrix with a multiple of 64 rows and at most 512
// columns takes 16-row panels: the matrix-vector kernel then reads its 32 outputs per pass from
// two streams instead of four (8-row panels), and the matrix-matrix kernel, which reads 8 rows at
// a time, still reads whole lines in order (half of each line per pass, the other half in the
// next). Against the rule before (32-row panels up to 256 columns, 8-row above), in Node 20, one
// process, alternated (2026-12-08): 2 threads W1 1.06x, W2 1.03x, W3 1.04x; one thread W3
// 1.08-1.17x; in Chromium 156, relaxed, one page, W3 0.295 -> 0.263 ms; W4 and the matrix-matrix
// products of W4's shapes within the noise. 32-row panels (one stream) made W3 1.15-1.35x faster
// but the matrix-matrix kernel, reading half a line of every other one, 4-11% slower on W4's
// 512-column products, whether it read them in place, copied each 8-row group out first, took
// the inputs in blocks of 64-256, or worked in blocks of 2 rows by 16 outputs; 16-row panels with
// inputs in blocks of 256 were 0.92x. Past 512 columns (not measured) matrices keep 8-row panels.
// The row multiple: a batch-1 step split by hidden units needs whole panels per part
// (CellBase::unit_grain), and 64 rows of gates (1, 3 or 4 of them) make each gate's units a
// multiple of 16.
std::size_t panel_rows_for(std::size_t rows, std::size_t cols);

// w: (rows, cols) row-major; bias: (rows) or null; panel: 8 or 16.
PackedWeights pack_weights(const float* w, const float* bias, std::size_t rows, std::size_t cols,
                           std::size_t panel = kPanel);

// B (k, n) row-major packed as pack_weights packs Bᵀ, without forming Bᵀ, and no bias: the
// packed kernels then compute A B instead of A Wᵀ. Backward passes need that product twice:
// dx = dy W (B = W) and, in the weight gradient dW += dyᵀ x, A x with B = x. 8-row panels.
PackedWeights pack_columns(const float* b, std::size_t k, std::size_t n);

}  // namespace rnn::kernels
