#include "pool.h"

#include <algorithm>
#include <thread>

#include "../errors.h"

namespace rnn::parallel {

namespace {

// Polls before a thread parks, about 50-100 microseconds: longer than a recurrent step, so that a
// wait for a step rarely parks, and than the gap between two calls of a busy loop. (Parking at barriers
// after 2^11 polls made Chromium's 2-thread W2 19x slower.) A worker left out of a job polls
// briefly: the job's threads may need its core.
constexpr std::uint32_t kSpins = 1u << 15;
constexpr std::uint32_t kIdleSpins = 1u << 8;
// Once a StepParts wait outlasts kSpins, the part it waits for was started by a thread that is not
// running, most likely on the same core (a scheduler that packs threads onto few cores, as this
// VM's does after a core idled about 15 ms). Spinning then keeps that core from it, so from then
// on its waits park almost at once, handing the core over.
constexpr std::uint32_t kStarvedSpins = 1u << 8;

struct Job {
  detail::TaskFunction run;
  void* context;
  std::size_t tasks;
};

// Plain globals, zero at start: every wasm instance over the shared memory sees the same ones.
// `job` is written by the caller before it publishes the job in `claims`, and read by a worker
// only once it has claimed one of the job's tasks: the job cannot end, and the caller cannot
// write the next, before that task has finished.
Job job;
std::size_t declared_threads = 1;
std::atomic<std::uint32_t> ready{0};    // workers inside worker_loop
std::atomic<bool> stopping{false};
// The job's generation (high 32 bits), task count (next 16) and next unclaimed task (low 16).
alignas(64) std::atomic<std::uint64_t> claims{0};
alignas(64) std::atomic<std::uint32_t> generation{0};  // one more per job: what idle workers wait on
alignas(64) std::atomic<std::uint32_t> finished{0};    // tasks of this job that workers finished
std::atomic<std::uint32_t> parked{0};                  // workers waiting on `generation`
std::atomic<std::uint32_t> caller_parked{0};           // the caller, waiting on `finished`
std::atomic<std::uint32_t> failed{0};                  // workers that trapped (worker_failed)
Settings settings_now;                                 // read and set by the caller's thread only

// Claims the next task of the job in `word` (a value of `claims`); false once every task is
// claimed. A failed exchange reloads `word`, so a worker whose job has ended meanwhile claims in
// the caller's next one: it reads `job` only after its claim, so it runs the right one.
bool claim(std::uint64_t& word, std::size_t& task) {
  for (;;) {
    const std::uint64_t tasks = (word >> 16) & 0xffff, next = word & 0xffff;
    if (next >= tasks) return false;
    if (claims.compare_exchange_weak(word, word + 1)) {
      ++word;
      task = static_cast<std::size_t>(next);
      return true;
    }
  }
}

// The pool's one way to wait: polls `word` until done(its value) holds, spinning spin_limit
// polls first; then, where may_park (not on a page's main thread), parks on it between polls, for
// at most park_us microseconds at a time (-1: until woken), counted in parked_count so that
// whoever changes the word wakes it (bump_and_wake). Returns whether it parked.
template <class Done>
bool wait_until(const std::atomic<std::uint32_t>& word, Done done, bool may_park, std::uint32_t spin_limit,
                std::atomic<std::uint32_t>& parked_count, int park_us) {
  std::uint32_t spins = 0;
  bool parked = false;
  for (;;) {
    const std::uint32_t now = word.load(std::memory_order_acquire);
    if (done(now)) return parked;
    if (!may_park || ++spins < spin_limit) continue;
    parked = true;
    parked_count.fetch_add(1);
    detail::park(word, now, park_us);
    parked_count.fetch_sub(1);
    spins = spin_limit;  // woken, or by the timeout: park again at once, no spinning
  }
}

void bump_and_wake(std::atomic<std::uint32_t>& word, const std::atomic<std::uint32_t>& parked_count) {
  word.fetch_add(1);  // sequentially consistent with parked_count's updates: a thread that
                      // counted itself before this sees the change or is woken
  if (parked_count.load() != 0) detail::wake_all(word);
}

}  // namespace

namespace detail {

#if defined(__wasm__) && defined(__wasm_atomics__)
// memory.atomic.wait32 sleeps while the word still holds `seen`. It is the whole of a function of
// its own, called through a pointer that neither LLVM nor wasm-opt can see through, so never
// inlined: Node 20's baseline compiler (Liftoff, V8 11.3) loses values that a function keeps in
// registers across a memory.atomic.wait32, even one that returns at once ('not-equal'). In a
// function of four lines that keeps the stack pointer in a local across the wait, with
// --liftoff-only, the local is 0 afterwards; with the wait in a callee, it is right. A caller's
// values are spilled across a call, so they survive it. Inlined, the wait made changes to the
// pool that were right natively give wrong rows, hangs or traps in Node 20 (a gate that let late
// workers skip a job; a caller that parked sooner; wait_until, which merged three loops: 6 of 12
// fresh runs wrong with the default tiering, 11 of 12 with --liftoff-only; 0 of 24 since).
// threads.test.ts checks that the wait is the last instruction of its function. (Microseconds,
// an int: a pointer to a function with an i64 parameter would add a dynCall to the glue.)
int wait32(int* word, int seen, int us) {
  return __builtin_wasm_memory_atomic_wait32(word, seen, us < 0 ? -1 : std::int64_t(us) * 1000);
}
int (*volatile wait32_call)(int*, int, int) = wait32;

void park(const std::atomic<std::uint32_t>& word, std::uint32_t seen, int us) {
  wait32_call(reinterpret_cast<int*>(const_cast<std::atomic<std::uint32_t>*>(&word)), static_cast<int>(seen), us);
}
void wake_all(std::atomic<std::uint32_t>& word) {
  __builtin_wasm_memory_atomic_notify(reinterpret_cast<int*>(&word), ~0u);
}
#else
void park(const std::atomic<std::uint32_t>&, std::uint32_t, int) { std::this_thread::yield(); }
void wake_all(std::atomic<std::uint32_t>&) {}
#endif

void run_job(TaskFunction run, void* context, std::size_t tasks) {
  if (tasks <= 1) {
    if (tasks == 1) run(context, 0);
    return;
  }
  // Task 0 is the caller's; the others go to whoever claims them first. A worker that the OS
  // does not run (two threads packed onto one core: Chromium on this VM after an idle spell)
  // therefore leaves its task to the caller, and the caller waits only for tasks that workers
  // have begun, not for every worker to look in.
  job = Job{run, context, tasks};
  finished.store(0, std::memory_order_relaxed);
  const std::uint32_t next_generation = generation.load(std::memory_order_relaxed) + 1;
  std::uint64_t word = (std::uint64_t(next_generation) << 32) | (std::uint64_t(tasks) << 16) | 1;
  claims.store(word);
  bump_and_wake(generation, parked);
  run(context, 0);
  std::uint32_t by_caller = 1;
  for (std::size_t task; claim(word, task); ++by_caller) run(context, task);
  // Every task is claimed now. A worker that trapped never finishes its task; the others do.
  // Parked (where the caller may) for a millisecond at a time, to notice a failed worker: one
  // that the OS keeps off the cores (on the caller's, say) then gets it at once, not when the
  // caller's time slice ends.
  const std::uint32_t by_workers = static_cast<std::uint32_t>(tasks) - by_caller;
  wait_until(finished, [by_workers](std::uint32_t done) { return done + failed.load() >= by_workers; },
             settings_now.caller_may_park, kSpins, caller_parked, 1000);
  if (failed.load())
    throw Error(ErrorKind::worker, "a worker thread failed");
}

}  // namespace detail

Settings& settings() { return settings_now; }

std::size_t threads() {
  if (failed.load()) return 1;
  return ready.load(std::memory_order_acquire) + 1 == declared_threads ? declared_threads : 1;
}

void set_threads(std::size_t n) {
  declared_threads = std::max<std::size_t>(n, 1);
  stopping.store(false);
}

void worker_loop() {
  std::uint32_t seen = generation.load(std::memory_order_acquire);
  ready.fetch_add(1, std::memory_order_release);
  bool had_task = true;
  for (;;) {
    // After a job it had no task of, it parks almost at once: the job had fewer tasks than
    // threads, or the others had claimed them all before it looked (most likely it shares the
    // caller's core, and spinning would keep that core from the caller).
    wait_until(generation, [seen](std::uint32_t now) { return now != seen || failed.load(std::memory_order_relaxed); },
               true, had_task ? kSpins : kIdleSpins, parked, -1);
    if (generation.load(std::memory_order_acquire) == seen || stopping.load()) break;  // a failure, or stop_workers
    std::uint64_t word = claims.load();
    had_task = false;
    for (std::size_t task; claim(word, task);) {
      const Job current = job;
      current.run(current.context, task);
      had_task = true;
      finished.fetch_add(1);  // sequentially consistent with caller_parked's updates, as bump_and_wake
      if (caller_parked.load() != 0) detail::wake_all(finished);
    }
    seen = static_cast<std::uint32_t>(word >> 32);
  }
  ready.fetch_sub(1);
}

void worker_failed() {
  failed.fetch_add(1);
  detail::wake_all(generation);  // idle workers leave the pool
}

void stop_workers() {
  stopping.store(true);
  bump_and_wake(generation, parked);
  while (ready.load() != 0) std::this_thread::yield();
  declared_threads = 1;
}

bool StepParts::take(std::size_t task, std::size_t& step, std::size_t& part) {
  const std::uint32_t ticket = next_.fetch_add(1, std::memory_order_relaxed);
  if (ticket >= tickets_) return false;
  step = ticket / parts_;
  part = ticket % parts_;
  // Every part of the step before must have finished. Parked for a millisecond at a time, to
  // notice a failed worker (worker_failed wakes only the idle workers: it cannot know this).
  const std::uint32_t needed = static_cast<std::uint32_t>(step) * parts_;
  const bool may_park = task != 0 || settings_now.caller_may_park;
  const std::uint32_t spin_limit = starved_.load(std::memory_order_relaxed) ? kStarvedSpins : kSpins;
  const bool had_to_park = wait_until(
      finished_, [needed](std::uint32_t now) { return now >= needed || failed.load(std::memory_order_relaxed); },
      may_park, spin_limit, parked_, 1000);
  if (had_to_park) starved_.store(true, std::memory_order_relaxed);
  return finished_.load(std::memory_order_acquire) >= needed;
}

void StepParts::finish() { bump_and_wake(finished_, parked_); }

Range part_of(std::size_t count, std::size_t parts, std::size_t part, std::size_t grain) {
  const std::size_t chunks = (count + grain - 1) / grain;
  const std::size_t base = chunks / parts, extra = chunks % parts;
  const std::size_t first = part * base + std::min(part, extra);
  const std::size_t size = base + (part < extra ? 1 : 0);
  return {std::min(count, first * grain), std::min(count, (first + size) * grain)};
}

}  // namespace rnn::parallel
