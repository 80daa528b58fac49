// The same core, built natively (g++ -O3, scalar kernels), on the benchmark's workloads, so
// that `npm run bench` can report wasm / native. Prints {"W1": ms, ...}: medians of one call.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "layers/recurrent.h"

using namespace rnn;

namespace {

struct Workload {
  const char* name;
  RecurrentMode mode;
  std::size_t layers, batch, steps, input, hidden, repetitions;
};

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double measure(const Workload& w) {
  RecurrentOptions o;
  o.mode = w.mode;
  o.input_size = w.input;
  o.hidden_size = w.hidden;
  o.num_layers = w.layers;
  Recurrent layer(o);
  Tensor x = xt::empty<float>(Shape{w.steps, w.batch, w.input});
  for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = std::sin(0.37f * float(i));
  std::vector<double> times;
  if (w.steps == 1) {  // W3: one step per call, state carried; 64 calls per sample
    RecurrentState state = layer.make_state(w.batch);
    const Tensor step = xt::reshape_view(x, {w.batch, w.input});
    for (std::size_t r = 0; r < w.repetitions; ++r) {
      const double start = now_ms();
      for (int i = 0; i < 64; ++i) layer.step(step, state);
      times.push_back((now_ms() - start) / 64);
    }
  } else {
    for (std::size_t r = 0; r < w.repetitions; ++r) {
      const double start = now_ms();
      layer.forward(x, nullptr, nullptr, nullptr);
      times.push_back(now_ms() - start);
    }
  }
  return median(times);
}

}  // namespace

int main() {
  const Workload workloads[] = {
      {"W1", RecurrentMode::lstm, 1, 1, 64, 128, 256, 21},
      {"W2", RecurrentMode::gru, 1, 1, 64, 128, 256, 21},
      {"W3", RecurrentMode::lstm, 2, 1, 1, 256, 512, 21},
      {"W4", RecurrentMode::lstm, 2, 32, 64, 256, 512, 3},
  };
  std::printf("{");
  for (std::size_t i = 0; i < 4; ++i) std::printf("%s\"%s\": %.4f", i ? ", " : "", workloads[i].name, measure(workloads[i]));
  std::printf("}\n");
}
