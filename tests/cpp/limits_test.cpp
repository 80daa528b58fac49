// Sizes that would not fit in wasm32's 2 GiB are refused with ErrorKind::memory before anything
// is allocated, whatever the build: in wasm32 such a product would wrap around size_t. Found by
// reading the paths a hostile model file reaches (tests/cpp/fuzz/load_and_run_fuzz.cpp).
#include "check.h"
#include "layers/linear.h"
#include "layers/recurrent.h"

using namespace rnn;

TEST_CASE("Linear.forward refuses an output of more than 2 GiB") {
  // 4097 rows * 2^20 outputs = 2^32 + 2^20 floats: in wasm32 this wrapped to 2^20, and the
  // kernel wrote 4097 rows into a buffer for one.
  Linear linear(1, std::size_t(1) << 20, false, 0);
  const Tensor x = xt::zeros<float>(Shape{4097, 1});
  CHECK_THROWS(linear.forward(x), ErrorKind::memory, "Linear.forward: the output needs rows*outFeatures");
  CHECK(shape_of(linear.forward(xt::zeros<float>(Shape{2, 1}))) == (Shape{2, std::size_t(1) << 20}));
}

TEST_CASE("a layer refuses numLayers whose weights cannot fit, before building a cell") {
  RecurrentOptions o;
  o.mode = RecurrentMode::gru;
  o.input_size = 1;
  o.hidden_size = 1;
  o.num_layers = 2147483647;  // built cell by cell, this took 2 GB and seconds to fail
  CHECK_THROWS(Recurrent{o}, ErrorKind::memory, "GRU: the layers above the first need");
  o.num_layers = 3;
  o.bidirectional = true;
  CHECK(Recurrent{o}.state_dict().size() == 24);
}

TEST_CASE("forward with seqLen 0 refuses a batch whose state cannot fit") {
  RecurrentOptions o;
  o.mode = RecurrentMode::lstm;
  o.input_size = 3;
  o.hidden_size = 4;
  Recurrent lstm(o);
  // x holds no data, yet h_n, c_n and the lengths were allocated for its 2^28 sequences: 4 GiB
  // each for h_n and c_n, more than wasm's 2 GiB in all.
  const Tensor x = xt::zeros<float>(Shape{0, std::size_t(1) << 28, 3});
  CHECK_THROWS(lstm.forward(x, nullptr, nullptr, nullptr), ErrorKind::memory, "LSTM.forward: the state needs");
  const RecurrentOutput out = lstm.forward(xt::zeros<float>(Shape{0, 2, 3}), nullptr, nullptr, nullptr);
  CHECK(shape_of(out.output) == (Shape{0, 2, 4}));
  CHECK(shape_of(out.h_n) == (Shape{1, 2, 4}));
}
