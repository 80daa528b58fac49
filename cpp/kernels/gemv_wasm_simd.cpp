// W x over packed panels: for each input p, x[p] is splat once and multiplies 32 outputs'
// weights, into 8 independent accumulators, enough to hide f32x4.add latency. With 16-row panels
// (see panel_rows_for) those are four loads in each of two panels, two streams at once; with
// 8-row panels, two loads in each of four panels, four streams; panels left over go one at a
// time. The weights stream through once.
//
// In the SIMD build the loops over inputs take four inputs per iteration. LLVM then emits each
// iteration accumulator by accumulator (the four splats first, then each accumulator's four
// multiply-adds in a row), which V8 keeps within x64's 16 vector registers. One input per
// iteration, V8 loads all eight weight vectors first, and with the eight accumulators and the
// splat that is 17 registers: two accumulators went to the stack and back every iteration. In
// Node 20, timed in one process against the loop without it: W1 1.03-1.10x, W2 1.03-1.08x, W3
// (8-row panels) 1.06-1.17x, on one thread and on two. The relaxed build keeps one input per
// iteration: V8 13.6 (Node 24; read in --print-wasm-code) interleaves its loads with its fused
// multiply-adds and spills nothing, and unrolled, an accumulator's four fused multiply-adds in
// a row are a chain of 4-cycle latencies: 0.90x in Node 24 (unrolled by two: 0.97-1.01x).
//
// The loops walk pointers (x and one per panel) rather than index them by p: Emscripten builds
// with LLVM's loop strength reduction off, so an index p becomes a shift and an add per load,
// which V8 does not fold away. Walking pointers, every load is one instruction at a fixed
// offset: 1.14x faster on W1's W_hh (1024 x 256).
#include <cassert>
#include <wasm_simd128.h>

#include "gemv.h"
#include "simd_util.h"

namespace rnn::kernels {

namespace {

#ifdef RNN_WASM_RELAXED
#define RNN_GEMV_INPUTS_PER_ITERATION
#else
#define RNN_GEMV_INPUTS_PER_ITERATION _Pragma("clang loop unroll_count(4)")
#endif

inline v128_t mul_add(v128_t acc, const float* w, v128_t x) {
  return madd_f32x4(wasm_v128_load(w), x, acc);
}

// 16-row panels, two at a time (two streams), then a last one alone.
void gemv_wide_panels(const PackedWeights& w, const float* x, float* y, std::size_t first, std::size_t end) {
  const std::size_t n = w.cols;
  const std::size_t panel_size = n * kWidePanel;
  std::size_t q = first;
  for (; q + 2 <= end; q += 2) {
    const float* b = w.bias.data() + q * kWidePanel;
    v128_t acc[8];
    for (int v = 0; v < 8; ++v) acc[v] = wasm_v128_load(b + 4 * v);
    const float* w0 = w.panels.data() + q * panel_size;
    const float* w1 = w0 + panel_size;
    RNN_GEMV_INPUTS_PER_ITERATION
    for (const float *xp = x, *end = x + n; xp != end; ++xp) {
      const v128_t s = wasm_v128_load32_splat(xp);
      acc[0] = mul_add(acc[0], w0, s);
      acc[1] = mul_add(acc[1], w0 + 4, s);
      acc[2] = mul_add(acc[2], w0 + 8, s);
      acc[3] = mul_add(acc[3], w0 + 12, s);
      acc[4] = mul_add(acc[4], w1, s);
      acc[5] = mul_add(acc[5], w1 + 4, s);
      acc[6] = mul_add(acc[6], w1 + 8, s);
      acc[7] = mul_add(acc[7], w1 + 12, s);
      w0 += kWidePanel;
      w1 += kWidePanel;
    }
    for (int v = 0; v < 8; ++v) wasm_v128_store(y + q * kWidePanel + 4 * v, acc[v]);
  }
  for (; q < end; ++q) {
    const float* b = w.bias.data() + q * kWidePanel;
    v128_t acc[4];
    for (int v = 0; v < 4; ++v) acc[v] = wasm_v128_load(b + 4 * v);
    const float* w0 = w.panels.data() + q * panel_size;
    for (const float *xp = x, *end = x + n; xp != end; ++xp, w0 += kWidePanel) {
      const v128_t s = wasm_v128_load32_splat(xp);
      for (int v = 0; v < 4; ++v) acc[v] = mul_add(acc[v], w0 + 4 * v, s);
    }
    for (int v = 0; v < 4; ++v) wasm_v128_store(y + q * kWidePanel + 4 * v, acc[v]);
  }
}

// 8-row panels, four at a time (four streams), then one at a time.
void gemv_panels(const PackedWeights& w, const float* x, float* y, std::size_t first, std::size_t end) {
  const std::size_t n = w.cols;
  const std::size_t panel_size = n * kPanel;
  const float* bias = w.bias.data();
  std::size_t q = first;
  for (; q + 4 <= end; q += 4) {
    const float* b = bias + q * kPanel;
    v128_t acc[8];
    for (int v = 0; v < 8; ++v) acc[v] = wasm_v128_load(b + 4 * v);
    const float* w0 = w.panels.data() + q * panel_size;
    const float* w1 = w0 + panel_size;
    const float* w2 = w1 + panel_size;
    const float* w3 = w2 + panel_size;
    RNN_GEMV_INPUTS_PER_ITERATION
    for (const float *xp = x, *end = x + n; xp != end; ++xp) {
      const v128_t s = wasm_v128_load32_splat(xp);
      acc[0] = mul_add(acc[0], w0, s);
      acc[1] = mul_add(acc[1], w0 + 4, s);
      acc[2] = mul_add(acc[2], w1, s);
      acc[3] = mul_add(acc[3], w1 + 4, s);
      acc[4] = mul_add(acc[4], w2, s);
      acc[5] = mul_add(acc[5], w2 + 4, s);
      acc[6] = mul_add(acc[6], w3, s);
      acc[7] = mul_add(acc[7], w3 + 4, s);
      w0 += kPanel;
      w1 += kPanel;
      w2 += kPanel;
      w3 += kPanel;
    }
    store_panel_outputs(acc, 4, y + q * kPanel, w.rows - q * kPanel);
  }
  for (; q < end; ++q) {
    v128_t acc[2] = {wasm_v128_load(bias + q * kPanel), wasm_v128_load(bias + q * kPanel + 4)};
    const float* w0 = w.panels.data() + q * panel_size;
    for (const float *xp = x, *end = x + n; xp != end; ++xp, w0 += kPanel) {
      const v128_t s = wasm_v128_load32_splat(xp);
      acc[0] = mul_add(acc[0], w0, s);
      acc[1] = mul_add(acc[1], w0 + 4, s);
    }
    store_panel_outputs(acc, 1, y + q * kPanel, w.rows - q * kPanel);
  }
}

}  // namespace

void gemv_packed_rows_f32_wasm_simd(const PackedWeights& w, const float* x, float* y, std::size_t first,
                                    std::size_t end) {
  assert(first % w.panel == 0 && (end % w.panel == 0 || end == w.rows) && first <= end && end <= w.rows);
  assert(first == end || (x || w.cols == 0) && y);
  assert(w.panel == kPanel || w.rows % w.panel == 0);
  const std::size_t first_panel = first / w.panel, end_panel = (end + w.panel - 1) / w.panel;
  if (w.panel == kWidePanel)
    gemv_wide_panels(w, x, y, first_panel, end_panel);
  else
    gemv_panels(w, x, y, first_panel, end_panel);
}

void gemv_packed_f32_wasm_simd(const PackedWeights& w, const float* x, float* y) {
  gemv_packed_rows_f32_wasm_simd(w, x, y, 0, w.rows);
}

}  // namespace rnn::kernels
