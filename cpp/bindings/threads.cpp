// The threaded builds' side of js/src/threads.ts. The main thread declares the threads and gets a
// stack in the shared memory for each worker; each worker instantiates the same module over that
// memory, points its stack pointer at its stack (the glue's stackRestore) and calls
// rnn_thread_main, which never returns: the worker parks in the pool between jobs
// (parallel/pool.h). Workers run the pool and the kernels only: they allocate nothing, throw
// nothing and touch no thread-local storage (there is none: see CMakeLists.txt), so they need
// none of the glue's JavaScript.
#include <emscripten/bind.h>
#include <emscripten/em_macros.h>

#include <cstdint>
#include <cstdlib>

#include "../parallel/pool.h"

namespace {

// Declares n threads and sets how the pool is used (parallel::Settings; a negative work
// threshold keeps the core's own). Returns where the workers' stacks start:
// n - 1 stacks of stack_bytes each, worker i's top at the start plus i * stack_bytes; 0 where
// there is no memory for them, or the build has no threads.
double prepare_threads(double n, double stack_bytes, double step_work, double sequence_work, double step_parts,
                       bool caller_may_park) {
#ifdef RNN_WASM_THREADS
  const std::size_t count = static_cast<std::size_t>(n), bytes = static_cast<std::size_t>(stack_bytes);
  // Never freed: the workers live as long as the module.
  void* stacks = std::aligned_alloc(16, (count - 1) * bytes);
  if (!stacks) return 0;
  rnn::parallel::set_threads(count);
  rnn::parallel::Settings& settings = rnn::parallel::settings();
  if (step_work >= 0) settings.step_work = static_cast<std::size_t>(step_work);
  if (sequence_work >= 0) settings.sequence_work = static_cast<std::size_t>(sequence_work);
  settings.step_parts = static_cast<std::size_t>(step_parts);
  settings.caller_may_park = caller_may_park;
  return double(reinterpret_cast<std::uintptr_t>(stacks));
#else
  (void)n, (void)stack_bytes, (void)step_work, (void)sequence_work, (void)step_parts, (void)caller_may_park;
  return 0;
#endif
}

double thread_count() { return double(rnn::parallel::threads()); }

}  // namespace

// A worker's life. Index 0 returns at once: js/src/threads.ts calls it so to find its export.
// A negative index says worker -index trapped (its script caught the trap).
extern "C" EMSCRIPTEN_KEEPALIVE void rnn_thread_main(int index) {
#ifdef RNN_WASM_THREADS
  if (index > 0) rnn::parallel::worker_loop();
  if (index < 0) rnn::parallel::worker_failed();
#else
  (void)index;
#endif
}

EMSCRIPTEN_BINDINGS(rnn_wasm_threads) {
  emscripten::function("_prepareThreads", &prepare_threads);
  emscripten::function("_threads", &thread_count);
}
