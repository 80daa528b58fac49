// Cells, Linear and Embedding against direct double-precision transcriptions of PyTorch's
// equations (the golden vectors from PyTorch itself are checked in tests/js).
#include <cmath>
#include <vector>

#include "cells/gru_cell.h"
#include "cells/lstm_cell.h"
#include "cells/rnn_cell.h"
#include "check.h"
#include "random_tensor.h"
#include "layers/activation.h"
#include "layers/embedding.h"
#include "layers/linear.h"
#include "tensor/random.h"

using namespace rnn;

namespace {

double sig(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// (W_ih x + b_ih)[row] and (W_hh h + b_hh)[row] from a state dict, in double.
struct Affine {
  const io::StateDict& sd;
  bool bias;
  double ih(std::size_t row, const float* x, std::size_t in) const {
    double s = bias ? double(sd.at("bias_ih")(row)) : 0.0;
    for (std::size_t k = 0; k < in; ++k) s += double(sd.at("weight_ih")(row, k)) * x[k];
    return s;
  }
  double hh(std::size_t row, const float* h, std::size_t hidden) const {
    double s = bias ? double(sd.at("bias_hh")(row)) : 0.0;
    if (!h) return s;
    for (std::size_t k = 0; k < hidden; ++k) s += double(sd.at("weight_hh")(row, k)) * h[k];
    return s;
  }
};

const std::size_t kIn = 5, kHidden = 7;

void check_tensor(const Tensor& got, const std::vector<double>& want, const Shape& shape) {
  CHECK(shape_of(got) == shape);
  for (std::size_t i = 0; i < want.size() && i < got.size(); ++i) CHECK_CLOSE(got.data()[i], want[i], 1e-5, 1e-4);
}

}  // namespace

TEST_CASE("RNNCell tanh and relu, with and without bias, batched and unbatched") {
  Random random(10);
  for (auto nl : {Nonlinearity::tanh, Nonlinearity::relu})
    for (bool bias : {true, false})
      for (std::size_t batch : {0, 1, 3}) {  // 0 stands for unbatched here
        RNNCell cell(kIn, kHidden, bias, nl, 7);
        const auto sd = cell.state_dict();
        const Affine f{sd, bias};
        const std::size_t rows = batch ? batch : 1;
        const Shape xs = batch ? Shape{batch, kIn} : Shape{kIn};
        const Shape hs = batch ? Shape{batch, kHidden} : Shape{kHidden};
        const Tensor x = random_tensor(xs, random), h0 = random_tensor(hs, random);
        for (bool given : {false, true}) {
          const Tensor h1 = cell.forward(x, given ? &h0 : nullptr);
          std::vector<double> want;
          for (std::size_t b = 0; b < rows; ++b)
            for (std::size_t j = 0; j < kHidden; ++j) {
              const double a = f.ih(j, x.data() + b * kIn, kIn) + f.hh(j, given ? h0.data() + b * kHidden : nullptr, kHidden);
              want.push_back(nl == Nonlinearity::tanh ? std::tanh(a) : std::max(a, 0.0));
            }
          check_tensor(h1, want, hs);
        }
      }
}

TEST_CASE("GRUCell: r scales W_hn h + b_hn") {
  Random random(11);
  for (bool bias : {true, false})
    for (std::size_t batch : {1, 3}) {
      GRUCell cell(kIn, kHidden, bias, 8);
      const auto sd = cell.state_dict();
      const Affine f{sd, bias};
      const Tensor x = random_tensor({batch, kIn}, random), h0 = random_tensor({batch, kHidden}, random);
      const Tensor h1 = cell.forward(x, &h0);
      std::vector<double> want;
      for (std::size_t b = 0; b < batch; ++b) {
        const float* xb = x.data() + b * kIn;
        const float* hb = h0.data() + b * kHidden;
        for (std::size_t j = 0; j < kHidden; ++j) {
          const double r = sig(f.ih(j, xb, kIn) + f.hh(j, hb, kHidden));
          const double z = sig(f.ih(kHidden + j, xb, kIn) + f.hh(kHidden + j, hb, kHidden));
          const double n = std::tanh(f.ih(2 * kHidden + j, xb, kIn) + r * f.hh(2 * kHidden + j, hb, kHidden));
          want.push_back((1 - z) * n + z * hb[j]);
        }
      }
      check_tensor(h1, want, {batch, kHidden});
    }
}

TEST_CASE("LSTMCell: gates i, f, g, o; zero state when absent") {
  Random random(12);
  for (bool bias : {true, false})
    for (bool given : {false, true}) {
      const std::size_t batch = 3;
      LSTMCell cell(kIn, kHidden, bias, 9);
      const auto sd = cell.state_dict();
      const Affine f{sd, bias};
      const Tensor x = random_tensor({batch, kIn}, random);
      const LSTMState s0{random_tensor({batch, kHidden}, random), random_tensor({batch, kHidden}, random)};
      const LSTMState s1 = cell.forward(x, given ? &s0 : nullptr);
      std::vector<double> want_h, want_c;
      for (std::size_t b = 0; b < batch; ++b) {
        const float* xb = x.data() + b * kIn;
        const float* hb = given ? s0.h.data() + b * kHidden : nullptr;
        for (std::size_t j = 0; j < kHidden; ++j) {
          auto gate = [&](std::size_t k) { return f.ih(k * kHidden + j, xb, kIn) + f.hh(k * kHidden + j, hb, kHidden); };
          const double c_prev = given ? s0.c.data()[b * kHidden + j] : 0.0;
          const double c = sig(gate(1)) * c_prev + sig(gate(0)) * std::tanh(gate(2));
          want_c.push_back(c);
          want_h.push_back(sig(gate(3)) * std::tanh(c));
        }
      }
      check_tensor(s1.h, want_h, {batch, kHidden});
      check_tensor(s1.c, want_c, {batch, kHidden});
    }
}

TEST_CASE("cells refuse wrong shapes, naming the argument") {
  LSTMCell lstm(kIn, kHidden, true, 1);
  const Tensor bad = xt::zeros<float>(Shape{2, 6});
  CHECK_THROWS(lstm.forward(bad, nullptr), ErrorKind::shape, "input has shape (2, 6), expected (batch, 5)");
  const Tensor x = xt::zeros<float>(Shape{2, kIn});
  const LSTMState wrong{xt::zeros<float>(Shape{3, kHidden}), xt::zeros<float>(Shape{2, kHidden})};
  CHECK_THROWS(lstm.forward(x, &wrong), ErrorKind::shape, "h0 has shape (3, 7), expected (2, 7)");
  GRUCell gru(kIn, kHidden, true, 1);
  const Tensor h_unbatched = xt::zeros<float>(Shape{kHidden});
  CHECK_THROWS(gru.forward(x, &h_unbatched), ErrorKind::shape, "h0 has shape (7)");
  CHECK_THROWS(RNNCell(0, 3, true, Nonlinearity::tanh, 1), ErrorKind::argument, "inputSize must be a positive integer");
  CHECK_THROWS(LSTMCell(100000, 100000, true, 1), ErrorKind::memory, "weight_ih needs gates*hiddenSize*inputSize = 40000000000 floats");
}

TEST_CASE("Linear over any leading shape") {
  Random random(13);
  for (bool bias : {true, false}) {
    Linear lin(4, 3, bias, 5);
    const auto sd = lin.state_dict();
    const Tensor x = random_tensor({2, 5, 4}, random);
    const Tensor y = lin.forward(x);
    std::vector<double> want;
    for (std::size_t r = 0; r < 10; ++r)
      for (std::size_t j = 0; j < 3; ++j) {
        double s = bias ? sd.at("bias")(j) : 0.0;
        for (std::size_t k = 0; k < 4; ++k) s += double(sd.at("weight")(j, k)) * x.data()[r * 4 + k];
        want.push_back(s);
      }
    check_tensor(y, want, {2, 5, 3});
  }
  Linear lin(4, 3, true, 5);
  CHECK_THROWS(lin.forward(xt::zeros<float>(Shape{2, 5})), ErrorKind::shape, "expected (*, 4)");
}

TEST_CASE("Embedding: lookup, zero padding row, refuses bad ids") {
  Embedding emb(10, 4, -1, 3);  // -1 is row 9, as in PyTorch
  CHECK(emb.padding_idx() && *emb.padding_idx() == 9);
  const Tensor y = emb.forward({9, 2, 9}, {3});
  CHECK(shape_of(y) == (Shape{3, 4}));
  const auto sd = emb.state_dict();
  for (std::size_t j = 0; j < 4; ++j) {
    CHECK(y(0, j) == 0.f);
    CHECK(y(1, j) == sd.at("weight")(2, j));
  }
  CHECK_THROWS(emb.forward({10}, {1}), ErrorKind::argument, "token id 10 at position 0");
  CHECK_THROWS(emb.forward({1, -1}, {2}), ErrorKind::argument, "token id -1 at position 1");
  CHECK_THROWS(emb.forward({1.5}, {1}), ErrorKind::argument, "not an integer");
  CHECK_THROWS(Embedding(10, 4, 10, 3), ErrorKind::argument, "paddingIdx 10 is out of range");
}

TEST_CASE("softmax sums to one per row and keeps NaN") {
  Tensor x = {{1.f, 2.f, 3.f}, {1000.f, 1000.f, -1000.f}};
  const Tensor y = softmax(x);
  CHECK_CLOSE(y(0, 0) + y(0, 1) + y(0, 2), 1.0, 1e-6, 0);
  CHECK_CLOSE(y(1, 0), 0.5, 1e-6, 0);
  x(0, 1) = NAN;
  CHECK(std::isnan(softmax(x)(0, 2)));
}
