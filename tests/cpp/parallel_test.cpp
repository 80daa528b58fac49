// The thread pool, and layers on several threads against the same layers on one: the same bits,
// whatever the thread count, for every cell, batch 1 (split by hidden units, StepParts per step)
// and larger batches (split by rows), both directions, stacked layers, lengths and projections.
// Natively the workers are std::threads; the wasm builds' workers (Web Workers over the shared
// memory) are tested from Jest (tests/js/threads.test.ts).
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <thread>
#include <utility>
#include <vector>

#include "check.h"
#include "layers/recurrent.h"
#include "parallel/pool.h"
#include "random_tensor.h"
#include "tensor/random.h"

using namespace rnn;

namespace {

// Runs body with n threads: the caller and n-1 workers.
template <class F>
void with_threads(std::size_t n, F&& body) {
  parallel::set_threads(n);
  std::vector<std::thread> workers;
  for (std::size_t i = 1; i < n; ++i) workers.emplace_back([] { parallel::worker_loop(); });
  while (parallel::threads() != n) std::this_thread::yield();
  body();
  parallel::stop_workers();
  for (auto& w : workers) w.join();
}

bool same_bits(const Tensor& a, const Tensor& b) {
  if (shape_of(a) != shape_of(b)) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::memcmp(a.data() + i, b.data() + i, sizeof(float)) != 0) return false;
  return true;
}

struct Shape3 {
  std::size_t steps, batch;
};

}  // namespace

TEST_CASE("streaming steps (a sequence of one) give one thread's bits") {
  Random random(9);
  for (std::size_t batch : {1u, 3u}) {
    RecurrentOptions o;
    o.mode = RecurrentMode::lstm;
    o.input_size = 96;
    o.hidden_size = 256;
    o.num_layers = 2;
    o.seed = 4;
    Recurrent layer(o);
    std::vector<Tensor> inputs;
    for (int t = 0; t < 4; ++t) inputs.push_back(random_tensor({batch, 96}, random));
    RecurrentState one(2, batch, 256, 256, true);
    std::vector<Tensor> expected;
    for (const Tensor& x : inputs) expected.push_back(layer.step(x, one));
    with_threads(2, [&] {
      RecurrentState many(2, batch, 256, 256, true);
      for (std::size_t t = 0; t < inputs.size(); ++t) CHECK(same_bits(layer.step(inputs[t], many), expected[t]));
      CHECK(same_bits(many.h(), one.h()));
      CHECK(same_bits(many.c(), one.c()));
    });
  }
}

TEST_CASE("part_of cuts into parts that are multiples of the grain and cover everything") {
  for (std::size_t count : {0u, 1u, 7u, 64u, 100u, 257u})
    for (std::size_t parts : {1u, 2u, 3u, 4u})
      for (std::size_t grain : {1u, 4u, 32u}) {
        std::size_t next = 0;
        for (std::size_t p = 0; p < parts; ++p) {
          const parallel::Range r = parallel::part_of(count, parts, p, grain);
          CHECK(r.begin == next);
          CHECK(r.begin <= r.end);
          CHECK(r.end == count || (r.end - r.begin) % grain == 0);
          next = r.end;
        }
        CHECK(next == count);
      }
}

TEST_CASE("a job runs every task once, on as many threads as asked, and StepParts keeps its steps in order") {
  with_threads(3, [] {
    CHECK(parallel::threads() == 3);
    for (int round = 0; round < 200; ++round) {
      std::vector<int> ran(3, 0);
      parallel::run(3, [&](std::size_t task) { ran[task] += 1; });
      CHECK(ran == std::vector<int>(3, 1));
    }
    // StepParts: every ticket once, and a step's parts only after every part of the step before;
    // with the caller spinning only (a page's main thread) and parking too.
    const std::pair<std::size_t, bool> runs[] = {{1, false}, {3, false}, {3, true}};  // tasks, caller may park
    for (const auto& [tasks, may_park] : runs) {
      parallel::settings().caller_may_park = may_park;
      const std::size_t steps = 100, parts = 3;
      std::vector<std::atomic<int>> done(steps * parts);
      std::atomic<int> out_of_step{0};
      parallel::StepParts work(steps, parts);
      parallel::run(tasks, [&](std::size_t task) {
        work.run(task, [&](std::size_t step, std::size_t part) {
          for (std::size_t p = 0; step > 0 && p < parts; ++p)
            if (done[(step - 1) * parts + p].load() != 1) out_of_step.fetch_add(1);
          done[step * parts + part].fetch_add(1);
        });
      });
      for (auto& d : done) CHECK(d.load() == 1);
      CHECK(out_of_step.load() == 0);
    }
    // A task that does not run (a thread the OS keeps off the cores) holds nothing up: the
    // others take every ticket.
    parallel::settings().caller_may_park = false;
    std::vector<std::size_t> by(300, 99);
    parallel::StepParts work(100, 3);
    parallel::run(3, [&](std::size_t task) {
      if (task == 1) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      work.run(task, [&](std::size_t step, std::size_t part) { by[step * 3 + part] = task; });
    });
    CHECK(std::count(by.begin(), by.end(), std::size_t(1)) == 0);
    CHECK(std::count(by.begin(), by.end(), std::size_t(99)) == 0);
  });
  CHECK(parallel::threads() == 1);
}

namespace {
// A worker held in a signal handler until released, or for 2 s at most (so that a pool that waits
// for it fails the test rather than hanging it): what a scheduler that keeps the thread off the
// cores does to it (two threads packed onto one core). Lock-free atomics and nanosleep are
// async-signal-safe.
std::atomic<bool> held{false}, release_held{false};
void hold_thread(int) {
  held.store(true);
  for (int ms = 0; ms < 2000 && !release_held.load(); ++ms) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  held.store(false);
}
}  // namespace

TEST_CASE("a worker that the OS does not run holds no job up: the caller runs the tasks it has not claimed") {
  struct sigaction action {};
  action.sa_handler = hold_thread;
  sigemptyset(&action.sa_mask);
  CHECK(sigaction(SIGUSR1, &action, nullptr) == 0);
  parallel::set_threads(3);
  std::thread worker1(parallel::worker_loop), worker2(parallel::worker_loop);
  while (parallel::threads() != 3) std::this_thread::yield();
  release_held.store(false);
  const bool signalled = pthread_kill(worker2.native_handle(), SIGUSR1) == 0;
  CHECK(signalled);
  while (signalled && !held.load()) std::this_thread::yield();

  // Jobs of fixed slices (the rows of a batch): none waits for the held worker, and its share
  // goes to the other two threads. (Before tasks were claimed, task i ran on thread i: the first
  // job waited for the held worker.)
  const std::thread::id caller = std::this_thread::get_id(), held_id = worker2.get_id();
  std::vector<std::thread::id> ran_on(3);
  std::size_t by_caller = 0;
  for (int job = 0; job < 100; ++job) {
    std::fill(ran_on.begin(), ran_on.end(), std::thread::id());
    parallel::run(3, [&](std::size_t task) { ran_on[task] = std::this_thread::get_id(); });
    CHECK(ran_on[0] == caller);
    CHECK(std::count(ran_on.begin(), ran_on.end(), std::thread::id()) == 0);
    CHECK(std::count(ran_on.begin(), ran_on.end(), held_id) == 0);
    by_caller += std::size_t(std::count(ran_on.begin(), ran_on.end(), caller));
  }
  CHECK(held.load());        // all 100 jobs ran while the worker was held
  CHECK(by_caller >= 100);   // the caller took task 0 of every job, and more where worker 1 was late
  release_held.store(true);
  while (held.load()) std::this_thread::yield();
  parallel::stop_workers();
  worker1.join();
  worker2.join();
}

TEST_CASE("layers on 2, 3 and 4 threads give the single thread's bits") {
  Random random(5);
  struct Case {
    RecurrentMode mode;
    std::size_t hidden, layers, proj;
    bool bidirectional;
  };
  // Hidden sizes large enough to pass the pool's work thresholds, one too odd to split by units.
  const std::vector<Case> layers = {
      {RecurrentMode::lstm, 256, 1, 0, false}, {RecurrentMode::gru, 128, 2, 0, true},
      {RecurrentMode::rnn_tanh, 256, 1, 0, true}, {RecurrentMode::rnn_relu, 192, 1, 0, false},
      {RecurrentMode::lstm, 128, 2, 64, true},    {RecurrentMode::lstm, 200, 1, 0, false},
  };
  for (const Case& c : layers)
    for (Shape3 shape : {Shape3{9, 1}, Shape3{6, 5}, Shape3{3, 2}})
      for (bool with_lengths : {false, true}) {
        RecurrentOptions o;
        o.mode = c.mode;
        o.input_size = 48;
        o.hidden_size = c.hidden;
        o.num_layers = c.layers;
        o.bidirectional = c.bidirectional;
        o.proj_size = c.proj;
        o.seed = 3;
        Recurrent layer(o);
        const Tensor x = random_tensor({shape.steps, shape.batch, 48}, random);
        std::vector<double> lengths(shape.batch);
        for (std::size_t b = 0; b < shape.batch; ++b) lengths[b] = double(1 + (b * 7 + 3) % shape.steps);
        const std::vector<double>* l = with_lengths ? &lengths : nullptr;
        const RecurrentOutput one = layer.forward(x, nullptr, nullptr, l);
        for (std::size_t n : {2u, 3u, 4u})
          with_threads(n, [&] {
            const RecurrentOutput many = layer.forward(x, nullptr, nullptr, l);
            CHECK(same_bits(one.output, many.output));
            CHECK(same_bits(one.h_n, many.h_n));
            if (c.mode == RecurrentMode::lstm) CHECK(same_bits(one.c_n, many.c_n));
          });
      }
}


