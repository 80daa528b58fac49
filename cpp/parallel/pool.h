// The threads of a threaded build, and how a call spreads its work over them.
//
// The caller's thread is thread 0; threads 1..threads()-1 are workers that someone else starts
// (the wasm bindings start one Web Worker or Node worker thread each, over the shared memory;
// the native tests start std::threads) and that run worker_loop until stop_workers. A job is a
// function of a task index, run once for each task, task i on thread i, the caller taking task 0
// and returning when every task has finished. Between jobs the workers spin briefly, then park in
// memory.atomic.wait32 (native: they yield), so an idle page costs no CPU.
//
// Results never depend on the thread count: a job's tasks split the work so that each output
// element is computed by one task in the order a single thread would use.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace rnn::parallel {

// Threads a job may use: 1 until set_threads(n) was called and all n-1 workers have entered
// worker_loop.
std::size_t threads();

// Declares n threads (the caller plus n-1 workers, which must then be started). Once, before
// any worker starts; n >= 1.
void set_threads(std::size_t n);

// A worker's life, index in [1, n): runs its task of each job until stop_workers().
void worker_loop(std::size_t index);
// Called for a worker whose task trapped (its JavaScript catches the trap): the job's caller
// then throws Error(worker) once the other workers are done, and every later job runs on one
// thread.
void worker_failed();
// Makes every worker return from worker_loop (native tests, which join their threads).
void stop_workers();

namespace detail {
using TaskFunction = void (*)(void* context, std::size_t task);
void run_job(TaskFunction run, void* context, std::size_t tasks);
// Until word != seen, or ns nanoseconds (-1: no limit), or spuriously.
void park(const std::atomic<std::uint32_t>& word, std::uint32_t seen, std::int64_t ns);
void wake_all(std::atomic<std::uint32_t>& word);
}  // namespace detail

// Runs fn(task) for every task in [0, tasks), tasks <= threads(): task 0 on the calling thread,
// the others on workers. Returns when all have finished. A job must not start another,
// and what its tasks run must not allocate (a worker must not).
template <class F>
void run(std::size_t tasks, F&& fn) {
  auto trampoline = [](void* context, std::size_t task) { (*static_cast<F*>(context))(task); };
  detail::run_job(trampoline, &fn, tasks);
}

// Holds each of a job's `parties` tasks until all have arrived, once per call of
// arrive_and_wait; for a loop whose steps depend on each other (a batch-1 sequence, step by
// step). Spins first: a step of a recurrent layer takes microseconds, a park and wake-up tens.
// Task 0 only spins, because a browser's main thread may not wait.
class Barrier {
 public:
  explicit Barrier(std::size_t parties) : parties_(static_cast<std::uint32_t>(parties)) {}
  void arrive_and_wait(std::size_t task);

 private:
  std::uint32_t parties_;
  alignas(64) std::atomic<std::uint32_t> arrived_{0};
  alignas(64) std::atomic<std::uint32_t> phase_{0};
  std::atomic<std::uint32_t> parked_{0};
};

// How the pool is used. step_work and sequence_work: below these amounts of work a job costs
// more than it saves, in multiply-adds of a recurrent product: a batch-1 step (split by units, a
// barrier per step) and a whole sequence (split by batch rows). barrier_parties: at most this
// many threads meet at a barrier, the cores the engine reports: with more threads than cores, a
// spinning thread keeps the core from the one it waits for (on 2 cores, 4 threads took W1 from
// 1.5 ms to 42 ms). The work thresholds below are the only ones (measured by
// bench/thresholds.mjs, which sets them to 0 through js/src/threads.ts to time every call split);
// the wasm builds' init sets barrier_parties.
struct Settings {
  std::size_t step_work = std::size_t(1) << 14;
  std::size_t sequence_work = std::size_t(1) << 14;
  std::size_t barrier_parties = 64;
};
Settings& settings();

// [begin, end) of part `part` when `count` items are cut into `parts` parts, each a multiple of
// `grain` items (the last takes what remains), as even as that allows.
struct Range {
  std::size_t begin, end;
};
Range part_of(std::size_t count, std::size_t parts, std::size_t part, std::size_t grain = 1);

}  // namespace rnn::parallel
