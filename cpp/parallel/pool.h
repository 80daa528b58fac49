// The threads of a threaded build, and how a call spreads its work over them.
//
// The caller's thread is thread 0; threads 1..threads()-1 are workers that someone else starts
// (the wasm bindings start one Web Worker or Node worker thread each, over the shared memory;
// the native tests start std::threads) and that run worker_loop until stop_workers. A job is a
// function of a task index, run once for each task: task 0 on the caller, the others on whichever
// thread claims them first (the caller too, once its own is done, so a worker that the OS does not
// run holds nothing up), the caller returning when every task has finished. Between jobs the
// workers spin briefly, then park in memory.atomic.wait32 (native: they yield), so an idle page
// costs no CPU.
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

// A worker's life (one for each of the n-1 workers): runs the tasks it claims until stop_workers().
void worker_loop();
// Called for a worker whose task trapped (its JavaScript catches the trap): the job's caller
// then throws Error(worker) once the other workers are done, and every later job runs on one
// thread.
void worker_failed();
// Makes every worker return from worker_loop (native tests, which join their threads).
void stop_workers();

namespace detail {
using TaskFunction = void (*)(void* context, std::size_t task);
void run_job(TaskFunction run, void* context, std::size_t tasks);
// Until word != seen, or us microseconds (-1: no limit), or spuriously.
void park(const std::atomic<std::uint32_t>& word, std::uint32_t seen, int us);
void wake_all(std::atomic<std::uint32_t>& word);
}  // namespace detail

// Runs fn(task) for every task in [0, tasks), tasks <= threads(): task 0 on the calling thread
// first, the others on the workers or the caller, whichever claims them. Returns when all have
// finished. A job must not start another, and what its tasks run must not allocate (a worker must
// not).
template <class F>
void run(std::size_t tasks, F&& fn) {
  auto trampoline = [](void* context, std::size_t task) { (*static_cast<F*>(context))(task); };
  detail::run_job(trampoline, &fn, tasks);
}

// A loop whose steps depend on each other (a batch-1 sequence, step by step), each step cut into
// `parts` parts that a job's tasks share. Part p of step s is ticket s * parts + p; each task
// takes the next ticket when it is free, and a ticket's part starts only once every part of the
// step before has finished (the next step needs all of the state). A task that the OS does not
// run therefore holds up only a part it has started: the others take its share, and the loop
// goes at least at about one thread's speed (two threads packed onto one core: Chromium on this
// VM after an idle spell). Which task computes a part does not change its bits.
//
// Waiting for the step before spins first (a step takes microseconds, a park and wake-up tens),
// then parks: in tasks other than 0, and in task 0 (the caller's thread) where the caller may
// (Settings::caller_may_park). A task other than 0 that the caller claims never waits: the
// caller's task 0 returned only once every ticket was taken.
class StepParts {
 public:
  StepParts(std::size_t steps, std::size_t parts)
      : tickets_(static_cast<std::uint32_t>(steps * parts)), parts_(static_cast<std::uint32_t>(parts)) {}
  // fn(step, part) for each ticket this task takes, until all are taken (or a worker failed).
  template <class F>
  void run(std::size_t task, F&& fn) {
    std::size_t step, part;
    while (take(task, step, part)) {
      fn(step, part);
      finish();
    }
  }

 private:
  bool take(std::size_t task, std::size_t& step, std::size_t& part);
  void finish();

  std::uint32_t tickets_, parts_;
  alignas(64) std::atomic<std::uint32_t> next_{0};      // the next ticket to hand out
  alignas(64) std::atomic<std::uint32_t> finished_{0};  // parts finished
  std::atomic<std::uint32_t> parked_{0};
  std::atomic<bool> starved_{false};  // a wait outlasted the spins and parked (pool.cpp, kStarvedSpins)
};

// How the pool is used. step_work and sequence_work: below these amounts of work a job costs
// more than it saves, in multiply-adds of a recurrent product: a batch-1 step (split by units,
// StepParts) and a whole sequence (split by batch rows). step_parts: at most this many parts
// (and threads) per step, the cores the engine reports: with more threads than cores, a
// spinning thread keeps the core from the one it waits for (on 2 cores, 4 threads meeting at a
// barrier took W1 from 1.5 ms to 42 ms). The work thresholds below are the only ones (measured by
// bench/thresholds.mjs, which sets them to 0 through js/src/threads.ts to time every call split);
// the wasm builds' init sets step_parts.
struct Settings {
  std::size_t step_work = std::size_t(1) << 14;
  std::size_t sequence_work = std::size_t(1) << 14;
  std::size_t step_parts = 64;
  // Whether the caller's thread (task 0) may park in StepParts: not a browser page's main thread,
  // where memory.atomic.wait32 traps; a Worker's or Node's may. Where it may, it must: a worker
  // woken onto the caller's core waits for it, and a caller that only spins keeps that core
  // until the kernel preempts it, a few milliseconds per step (Chromium, 2 threads on 2 cores).
  bool caller_may_park = false;
};
Settings& settings();

// [begin, end) of part `part` when `count` items are cut into `parts` parts, each a multiple of
// `grain` items (the last takes what remains), as even as that allows.
struct Range {
  std::size_t begin, end;
};
Range part_of(std::size_t count, std::size_t parts, std::size_t part, std::size_t grain = 1);

}  // namespace rnn::parallel
