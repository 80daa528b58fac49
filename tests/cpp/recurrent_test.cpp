// Layers against their own cells and against themselves: stacking feeds each layer the one
// below; lengths behave as if each sequence ran alone, truncated (PackedSequence semantics).
#include <vector>

#include "cells/gru_cell.h"
#include "check.h"
#include "random_tensor.h"
#include "layers/recurrent.h"
#include "tensor/random.h"

using namespace rnn;

namespace {

RecurrentOptions options(RecurrentMode mode, std::size_t layers, bool bidirectional, std::size_t proj = 0) {
  RecurrentOptions o;
  o.mode = mode;
  o.input_size = 3;
  o.hidden_size = 5;
  o.num_layers = layers;
  o.bidirectional = bidirectional;
  o.proj_size = proj;
  o.seed = 11;
  return o;
}

}  // namespace

TEST_CASE("a 2-layer GRU equals its cells stepped by hand") {
  Random random(1);
  Recurrent gru(options(RecurrentMode::gru, 2, false));
  auto sd = const_cast<Recurrent&>(gru).state_dict();
  GRUCell l0(3, 5, true, 0), l1(5, 5, true, 0);
  io::StateDict s0, s1;
  for (const char* name : {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}) {
    s0[name] = sd.at(std::string(name) + "_l0");
    s1[name] = sd.at(std::string(name) + "_l1");
  }
  l0.load_state_dict(s0, true);
  l1.load_state_dict(s1, true);
  const std::size_t T = 4, B = 2;
  const Tensor x = random_tensor({T, B, 3}, random);
  const RecurrentOutput out = gru.forward(x, nullptr, nullptr, nullptr);
  CHECK(shape_of(out.output) == (Shape{T, B, 5}));
  CHECK(shape_of(out.h_n) == (Shape{2, B, 5}));
  Tensor h0 = xt::zeros<float>(Shape{B, 5}), h1 = h0;
  for (std::size_t t = 0; t < T; ++t) {
    Tensor xt_step = xt::empty<float>(Shape{B, 3});
    std::copy_n(x.data() + t * B * 3, B * 3, xt_step.data());
    h0 = l0.forward(xt_step, &h0);
    h1 = l1.forward(h0, &h1);
    for (std::size_t i = 0; i < B * 5; ++i) CHECK_CLOSE(out.output.data()[t * B * 5 + i], h1.data()[i], 1e-6, 1e-5);
  }
  for (std::size_t i = 0; i < B * 5; ++i) {
    CHECK_CLOSE(out.h_n.data()[i], h0.data()[i], 1e-6, 1e-5);
    CHECK_CLOSE(out.h_n.data()[B * 5 + i], h1.data()[i], 1e-6, 1e-5);
  }
}

TEST_CASE("lengths: each sequence as if alone and truncated, padding zero, both directions") {
  Random random(2);
  for (auto mode : {RecurrentMode::rnn_tanh, RecurrentMode::gru, RecurrentMode::lstm}) {
    const std::size_t proj = mode == RecurrentMode::lstm ? 2 : 0;
    Recurrent layer(options(mode, 2, true, proj));
    const std::size_t S = proj ? proj : 5, T = 6, B = 3;
    const std::vector<double> lengths = {4, 6, 1};
    const Tensor x = random_tensor({T, B, 3}, random);
    const RecurrentOutput all = layer.forward(x, nullptr, nullptr, &lengths);
    for (std::size_t b = 0; b < B; ++b) {
      const std::size_t L = std::size_t(lengths[b]);
      Tensor alone = xt::empty<float>(Shape{L, 1, 3});
      for (std::size_t t = 0; t < L; ++t) std::copy_n(x.data() + (t * B + b) * 3, 3, alone.data() + t * 3);
      const RecurrentOutput one = layer.forward(alone, nullptr, nullptr, nullptr);
      for (std::size_t t = 0; t < T; ++t)
        for (std::size_t j = 0; j < 2 * S; ++j) {
          const float got = all.output.data()[(t * B + b) * 2 * S + j];
          if (t < L) CHECK_CLOSE(got, one.output.data()[t * 2 * S + j], 1e-6, 1e-5);
          else CHECK(got == 0.f);
        }
      for (std::size_t k = 0; k < 4; ++k)
        for (std::size_t j = 0; j < S; ++j) CHECK_CLOSE(all.h_n.data()[(k * B + b) * S + j], one.h_n.data()[k * S + j], 1e-6, 1e-5);
    }
  }
}

TEST_CASE("options and shapes are refused with PyTorch's rules") {
  CHECK_THROWS(Recurrent(options(RecurrentMode::gru, 1, false, 2)), ErrorKind::argument, "projSize is for LSTM only");
  CHECK_THROWS(Recurrent(options(RecurrentMode::lstm, 1, false, 5)), ErrorKind::argument, "projSize must be smaller than hiddenSize");
  Recurrent lstm(options(RecurrentMode::lstm, 1, false));
  const Tensor x = xt::zeros<float>(Shape{4, 2, 3});
  const Tensor h = xt::zeros<float>(Shape{1, 2, 5});
  CHECK_THROWS(lstm.forward(x, &h, nullptr, nullptr), ErrorKind::argument, "give both h0 and c0, or neither");
  const std::vector<double> bad = {4, 4.5};
  CHECK_THROWS(lstm.forward(x, nullptr, nullptr, &bad), ErrorKind::argument, "lengths[1] is 4.5");
}
