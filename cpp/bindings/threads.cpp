// The threaded build's side of js/src/threads.ts. The main thread declares the threads and
// gets, for each worker, a stack and a thread-local-storage block in the shared memory; each
// worker instantiates the same module over that memory, points its stack pointer at its stack
// (the glue's stackRestore) and calls rnn_thread_main, which never returns: the worker parks in
// the pool between jobs (parallel/pool.h). Workers run kernels only: they allocate nothing and
// throw nothing, so they need none of the glue's JavaScript.
#include <emscripten/bind.h>
#include <emscripten/em_macros.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "../errors.h"
#include "../parallel/pool.h"
#include "convert.h"

using emscripten::val;

#ifdef __EMSCRIPTEN_PTHREADS__
extern "C" void __wasm_init_tls(void* block);  // the linker's: copies the TLS image into a block
#endif

namespace {

// Enough for the kernels' frames (a few KB); the main thread's is 64 KB.
constexpr std::size_t kWorkerStackBytes = 64 * 1024;

// [[stackTop, tlsBlock], ...] for workers 1..n-1 after declaring n threads; [] where the build
// has no threads.
val prepare_threads(double n) {
  return rnn::bindings::guarded([&] {
  val workers = val::array();
#ifdef __EMSCRIPTEN_PTHREADS__
  const std::size_t count = static_cast<std::size_t>(n);
  rnn::parallel::set_threads(count);
  const std::size_t tls_align = std::max<std::size_t>(__builtin_wasm_tls_align(), 16);
  const std::size_t tls_bytes = (__builtin_wasm_tls_size() + tls_align - 1) / tls_align * tls_align;
  for (std::size_t i = 1; i < count; ++i) {
    // Never freed: the workers live as long as the module.
    char* stack = static_cast<char*>(std::aligned_alloc(16, kWorkerStackBytes));
    void* tls = tls_bytes ? std::aligned_alloc(tls_align, tls_bytes) : nullptr;
    if (!stack || (tls_bytes && !tls)) throw rnn::Error(rnn::ErrorKind::argument, "init: no memory for the worker threads");
    val worker = val::array();
    worker.call<void>("push", double(reinterpret_cast<std::uintptr_t>(stack + kWorkerStackBytes)));
    worker.call<void>("push", double(reinterpret_cast<std::uintptr_t>(tls)));
    workers.call<void>("push", worker);
  }
#else
  (void)n;
#endif
  return workers;
  });
}

double thread_count() { return double(rnn::parallel::threads()); }

}  // namespace

// index 0 returns at once: js/src/threads.ts calls it so to find its export.
extern "C" EMSCRIPTEN_KEEPALIVE void rnn_thread_main(int index, void* tls) {
  if (index <= 0) return;
#ifdef __EMSCRIPTEN_PTHREADS__
  if (tls) __wasm_init_tls(tls);
  rnn::parallel::worker_loop(static_cast<std::size_t>(index));
#else
  (void)index;
  (void)tls;
#endif
}

EMSCRIPTEN_BINDINGS(rnn_wasm_threads) {
  emscripten::function("_prepareThreads", &prepare_threads);
  emscripten::function("_threads", &thread_count);
}
