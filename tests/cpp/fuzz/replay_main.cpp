// A main for load_and_run_fuzz.cpp without libFuzzer, so that any compiler (g++ in
// scripts/sanitize.sh) runs the harness under the sanitizers:
//   load_and_run_replay              fixed pseudo-random inputs (a CTest in sanitizer builds)
//   load_and_run_replay FILE...      each file as one input: replays a fuzzer's finding
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <vector>

#include "tensor/random.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

// As libFuzzer's -malloc_limit_mb: one allocation over 2 GB is a finding (wasm has 2 GiB in
// all), reported at once instead of the machine running out of memory. ASAN_OPTIONS overrides.
extern "C" const char* __asan_default_options() { return "max_allocation_size_mb=2048"; }

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::ifstream file(argv[i], std::ios::binary);
    if (!file) {
      std::fprintf(stderr, "load_and_run_replay: cannot read %s\n", argv[i]);
      return 2;
    }
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
    std::printf("ok %s (%zu bytes)\n", argv[i], bytes.size());
  }
  if (argc > 1) return 0;

  // Random bytes reach every module kind and call, since the harness decodes any input; the
  // seed is fixed so that a failure here replays. 8000 inputs take about two seconds with ASan.
  constexpr int kInputs = 8000;
  rnn::Random random(20240609);
  std::vector<std::uint8_t> bytes;
  for (int i = 0; i < kInputs; ++i) {
    bytes.resize(random.next() % 512);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(random.next());
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  }
  std::printf("%d pseudo-random inputs: no finding\n", kInputs);
  return 0;
}
