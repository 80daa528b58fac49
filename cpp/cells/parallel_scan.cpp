// An inference scan on several threads (parallel/pool.h), in two ways:
//   batch >= 2: each thread takes a slice of the batch's rows through every step, with no
//     synchronisation between steps;
//   batch 1: each step's recurrent product W_hh h and its gate math are split by hidden units
//     into parts that the threads take as they are free, a step's parts starting once the step
//     before has finished (the next needs all of h: parallel::StepParts).
// Either way the input projection of every step comes first, as one product split by rows (at
// batch 1 with too few steps for that, a streaming step, each thread projects its units, through
// project_units: see UnitStep in cell_base.h for why it is not inline). Each
// output is computed by one thread with the kernels a single thread uses, so the results are the
// same bits whatever the thread count.
#include <algorithm>
#include <vector>

#include "../parallel/pool.h"
#include "cell_base.h"

namespace rnn {

std::size_t CellBase::unit_grain() const {
  // Both products are split by units: each range must be whole panels of both (8 or 16 rows).
  const std::size_t grain = std::max(hh_.row_grain(), ih_.row_grain());
  return hidden_size_ % grain == 0 ? grain : 0;
}

bool CellBase::scan_threaded(const Sequence& s, float* h, float* c) const {
  const std::size_t threads = parallel::threads();
  if (threads < 2 || s.steps == 0 || s.batch == 0) return false;
  const std::size_t T = s.steps, B = s.batch, S = state_size_, H = hidden_size_, G = gates_ * H;
  const std::size_t step_work = B * G * S;
  const std::size_t grain = B == 1 ? unit_grain() : 0;
  std::size_t parts;
  if (B == 1) {
    if (grain == 0 || step_work < parallel::settings().step_work) return false;
    parts = std::min({threads, H / grain, parallel::settings().step_parts});
  } else {
    if (step_work * T < parallel::settings().sequence_work) return false;
    parts = std::min(threads, B);
  }
  if (parts < 2) return false;

  // Every step's input projection, its rows split between the threads; or, with too few steps
  // at batch 1 to split that way (a streaming step), each step's, split by units with the rest.
  const Scratch gi = scratch(T * B * G);
  const std::size_t rows = T * B, in = input_size_;
  const bool project_by_units = B == 1 && rows < 4 * threads;
  if (!project_by_units) {
    parallel::run(threads, [&](std::size_t task) {
      const parallel::Range r = parallel::part_of(rows, threads, task, 4);
      if (r.begin < r.end) project_input(s.x + r.begin * in, r.end - r.begin, gi.get() + r.begin * G);
    });
  }

  if (B == 1) {
    scan_units(s, gi.get(), h, c, parts, grain, project_by_units);
    return true;
  }
  // Each slice's buffers are allocated here: a worker thread allocates nothing.
  struct Buffers {
    Scratch h_new, c_new, step;
  };
  std::vector<Buffers> buffers(parts);
  for (std::size_t p = 0; p < parts; ++p) {
    const parallel::Range r = parallel::part_of(B, parts, p);
    const std::size_t n = r.end - r.begin;
    buffers[p] = {scratch(n * S), scratch(has_cell_state() ? n * H : 0), scratch(step_scratch_floats(n))};
  }
  parallel::run(parts, [&](std::size_t task) {
    const parallel::Range r = parallel::part_of(B, parts, task);
    Buffers& b = buffers[task];
    scan_rows(s, gi.get(), h, c, r.begin, r.end, b.h_new.get(), b.c_new.get(), b.step.get(), nullptr);
  });
  return true;
}

void CellBase::project_units(const UnitStep& u) const {
  const std::size_t H = hidden_size_;
  for (std::size_t k = 0; k < gates_; ++k) ih_.apply_rows(u.x, u.gi, k * H + u.first, k * H + u.end);
}

void CellBase::scan_units(const Sequence& s, float* gi, float* h, float* c, std::size_t parts,
                          std::size_t grain, bool project) const {
  const std::size_t T = s.steps, S = state_size_, H = hidden_size_, G = gates_ * H;
  // h alternates between two buffers: a step reads one whole and writes its units of the other.
  const Scratch states = scratch(2 * S), gh = scratch(G);
  std::copy_n(h, S, states.get());
  const std::size_t length = s.lengths ? (*s.lengths)[0] : T;
  const std::size_t taken = std::min(length, T);  // steps past the length keep the state
  parallel::StepParts work(taken, parts);
  parallel::run(parts, [&](std::size_t task) {
    work.run(task, [&](std::size_t i, std::size_t part) {
      const parallel::Range u = parallel::part_of(H, parts, part, grain);
      const std::size_t t = s.reverse ? taken - 1 - i : i;
      const float* h_prev = states.get() + (i % 2) * S;
      float* h_next = states.get() + ((i + 1) % 2) * S;
      const UnitStep step{s.x + t * input_size_, gi + t * G, h_prev, c, h_next, gh.get(), u.begin, u.end};
      if (project) project_units(step);
      step_units(step);
      std::copy(h_next + u.begin, h_next + u.end, s.out + t * s.out_stride + u.begin);
    });
  });
  std::copy_n(states.get() + (taken % 2) * S, S, h);
}

}  // namespace rnn
