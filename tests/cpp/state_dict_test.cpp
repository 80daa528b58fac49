// Loading and saving parameters: PyTorch's names and strictness, and messages that name the
// tensor with the expected and found shapes.
#include "cells/gru_cell.h"
#include "cells/lstm_cell.h"
#include "check.h"

using namespace rnn;

TEST_CASE("state_dict names and shapes follow PyTorch") {
  LSTMCell cell(3, 4, true, 1);
  const auto sd = cell.state_dict();
  CHECK(sd.size() == 4);
  CHECK(shape_of(sd.at("weight_ih")) == (Shape{16, 3}));
  CHECK(shape_of(sd.at("weight_hh")) == (Shape{16, 4}));
  CHECK(shape_of(sd.at("bias_ih")) == (Shape{16}));
  GRUCell no_bias(3, 4, false, 1);
  CHECK(no_bias.state_dict().size() == 2);
}

TEST_CASE("a state dict round-trips into another cell") {
  LSTMCell a(3, 4, true, 1), b(3, 4, true, 2);
  CHECK(a.state_dict() != b.state_dict());
  b.load_state_dict(a.state_dict(), true);
  CHECK(a.state_dict() == b.state_dict());
}

TEST_CASE("strict loading names what is missing and unexpected") {
  LSTMCell cell(3, 4, true, 1);
  auto sd = cell.state_dict();
  sd.erase("bias_hh");
  sd["bias_hhh"] = xt::zeros<float>(Shape{16});
  CHECK_THROWS(cell.load_state_dict(sd, true), ErrorKind::weights, "missing 'bias_hh'; unexpected 'bias_hhh'");
  cell.load_state_dict(sd, false);  // non-strict: the rest loads, the extra name is ignored
}

TEST_CASE("a wrong shape is refused, strict or not, and nothing is loaded") {
  LSTMCell cell(3, 4, true, 1);
  const auto before = cell.state_dict();
  auto sd = before;
  sd["weight_ih"] = xt::ones<float>(Shape{16, 3});
  sd["weight_hh"] = xt::zeros<float>(Shape{16, 5});
  CHECK_THROWS(cell.load_state_dict(sd, false), ErrorKind::weights,
               "'weight_hh' has shape (16, 5), expected (16, 4) = (4*hiddenSize, hiddenSize)");
  CHECK(cell.state_dict() == before);
}
