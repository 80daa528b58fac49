// Training in the core: layers' backward against finite differences of their forward (every
// mode, stacked, bidirectional, projected, with lengths), dropout, gradients' lifecycle
// (accumulate, zero, freeze), optimizers' first steps against their formulas, and the errors.
// Runs natively, under ASan/UBSan (scripts/sanitize.sh) and in both wasm builds.
#include <cmath>
#include <limits>
#include <vector>

#include "check.h"
#include "random_tensor.h"
#include "layers/linear.h"
#include "layers/recurrent.h"
#include "optim/adam.h"
#include "optim/sgd.h"
#include "tensor/random.h"

using namespace rnn;

namespace {

RecurrentOptions options(RecurrentMode mode, std::size_t layers, bool bidirectional, std::size_t proj = 0, double dropout = 0) {
  RecurrentOptions o;
  o.mode = mode;
  o.input_size = 3;
  o.hidden_size = 4;
  o.num_layers = layers;
  o.bidirectional = bidirectional;
  o.proj_size = proj;
  o.dropout = dropout;
  o.seed = 21;
  return o;
}

double dot(const Tensor& a, const Tensor& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += double(a.data()[i]) * b.data()[i];
  return s;
}

// L = Σ output·g + Σ h_n·gh (+ Σ c_n·gc), evaluated in eval mode.
double loss(Recurrent& layer, const Tensor& x, const std::vector<double>& lengths, const Tensor& g, const Tensor& gh,
            const Tensor* gc) {
  const RecurrentOutput out = layer.forward(x, nullptr, nullptr, &lengths);
  return dot(out.output, g) + dot(out.h_n, gh) + (gc ? dot(out.c_n, *gc) : 0.0);
}

}  // namespace

TEST_CASE("layer backward equals central differences of the forward, every mode and option") {
  Random random(1);
  const std::vector<double> lengths = {5, 2, 4};
  // relu's kink makes central differences unreliable; the PyTorch goldens cover it (Jest).
  for (RecurrentMode mode : {RecurrentMode::rnn_tanh, RecurrentMode::gru, RecurrentMode::lstm})
    for (bool bidirectional : {false, true})
      for (std::size_t proj : {0, 2}) {
        if (proj && mode != RecurrentMode::lstm) continue;
        Recurrent layer(options(mode, 2, bidirectional, proj));
        const std::size_t D = bidirectional ? 2 : 1, S = proj ? proj : 4;
        const Tensor x = random_tensor({5, 3, 3}, random), g = random_tensor({5, 3, D * S}, random);
        const Tensor gh = random_tensor({2 * D, 3, S}, random), gc = random_tensor({2 * D, 3, 4}, random);
        const bool lstm = mode == RecurrentMode::lstm;
        layer.train(true);
        layer.forward(x, nullptr, nullptr, &lengths);
        const RecurrentGradients grads = layer.backward(g, &gh, lstm ? &gc : nullptr);
        layer.train(false);
        auto numeric = [&](float* value) {
          const float keep = *value, eps = 1e-2f;
          *value = keep + eps;
          layer.parameters_changed();
          const double plus = loss(layer, x, lengths, g, gh, lstm ? &gc : nullptr);
          *value = keep - eps;
          layer.parameters_changed();
          const double minus = loss(layer, x, lengths, g, gh, lstm ? &gc : nullptr);
          *value = keep;
          layer.parameters_changed();
          return (plus - minus) / (2 * eps);
        };
        for (const auto& gradient : layer.gradients()) {
          CHECK(gradient.grad != nullptr);
          if (!gradient.grad) continue;
          const std::size_t n = element_count(gradient.slot.shape);
          for (std::size_t i : {std::size_t(0), n / 2, n - 1}) CHECK_CLOSE(gradient.grad[i], numeric(gradient.slot.data + i), 2e-3, 2e-2);
        }
        Tensor xp = x;
        for (std::size_t i : {0, 7, 20, 44}) {
          const float keep = xp.data()[i];
          xp.data()[i] = keep + 1e-2f;
          const double plus = loss(layer, xp, lengths, g, gh, lstm ? &gc : nullptr);
          xp.data()[i] = keep - 1e-2f;
          const double minus = loss(layer, xp, lengths, g, gh, lstm ? &gc : nullptr);
          xp.data()[i] = keep;
          CHECK_CLOSE(grads.input.data()[i], (plus - minus) / 2e-2, 2e-3, 2e-2);
        }
        // Padding (t >= length) reaches no output: its input gradient is exactly zero.
        CHECK(grads.input(3, 1, 0) == 0.f && grads.input(4, 2, 2) == 0.f);
      }
}

TEST_CASE("gradients accumulate until zero_grad, and frozen parameters get none") {
  Random random(2);
  Recurrent lstm(options(RecurrentMode::lstm, 2, false));
  const Tensor x = random_tensor({4, 2, 3}, random), g = random_tensor({4, 2, 4}, random);
  lstm.train(true);
  for (const auto& gradient : lstm.gradients()) CHECK(gradient.grad == nullptr);  // PyTorch's None until a backward
  lstm.forward(x, nullptr, nullptr, nullptr);
  lstm.backward(g, nullptr, nullptr);
  std::vector<float> once(lstm.gradients()[0].grad, lstm.gradients()[0].grad + 12 * 3);
  lstm.forward(x, nullptr, nullptr, nullptr);
  lstm.backward(g, nullptr, nullptr);
  for (std::size_t i = 0; i < once.size(); ++i) CHECK_CLOSE(lstm.gradients()[0].grad[i], 2 * once[i], 1e-6, 1e-6);
  lstm.zero_grad();
  CHECK(lstm.gradients()[0].grad[0] == 0.f);
  lstm.set_frozen({"weight_ih", "bias_hh_l1"}, true);
  lstm.forward(x, nullptr, nullptr, nullptr);
  lstm.backward(g, nullptr, nullptr);
  for (const auto& gradient : lstm.gradients()) {
    const bool frozen = gradient.slot.name.rfind("weight_ih", 0) == 0 || gradient.slot.name == "bias_hh_l1";
    CHECK(frozen == (gradient.grad == nullptr));
  }
  CHECK_THROWS(lstm.set_frozen({"weight_ih_l0", "weight_xy"}, false), ErrorKind::argument, "no parameter is named or starts with 'weight_xy'");
  CHECK(lstm.frozen("weight_ih_l0"));  // a refused call changes nothing
  lstm.set_frozen({"weight_ih"}, false);
  CHECK(!lstm.frozen("weight_ih_l1"));
}

TEST_CASE("dropout between layers: seeded, scaled by 1/(1-p), in training only, and gone back through") {
  Random random(3);
  const Tensor x = random_tensor({6, 4, 3}, random);
  Recurrent a(options(RecurrentMode::gru, 2, false, 0, 0.5)), b(options(RecurrentMode::gru, 2, false, 0, 0.5));
  const Tensor eval = a.forward(x, nullptr, nullptr, nullptr).output;
  a.train(true);
  b.train(true);
  const Tensor ta = a.forward(x, nullptr, nullptr, nullptr).output, tb = b.forward(x, nullptr, nullptr, nullptr).output;
  CHECK(ta == tb);     // the same seed, the same masks
  CHECK(!(ta == eval));  // dropout applies in training
  CHECK(!(a.forward(x, nullptr, nullptr, nullptr).output == ta));  // the next call draws new masks
  a.train(false);
  CHECK(a.forward(x, nullptr, nullptr, nullptr).output == eval);  // and never in eval mode
  // p = 1 drops everything: the top layer sees zeros, and nothing flows back to the bottom one.
  Recurrent all(options(RecurrentMode::lstm, 2, false, 0, 1.0));
  all.train(true);
  all.forward(x, nullptr, nullptr, nullptr);
  const RecurrentGradients g = all.backward(random_tensor({6, 4, 4}, random), nullptr, nullptr);
  for (float v : g.input) CHECK(v == 0.f);
  for (const auto& gradient : all.gradients())
    if (gradient.slot.name.find("_l0") != std::string::npos)
      for (std::size_t i = 0; i < element_count(gradient.slot.shape); ++i) CHECK(gradient.grad[i] == 0.f);
}

TEST_CASE("backward needs one training forward, with gradients of the output's shape") {
  Random random(4);
  Recurrent lstm(options(RecurrentMode::lstm, 1, true));
  const Tensor x = random_tensor({3, 2, 3}, random), g = random_tensor({3, 2, 8}, random);
  CHECK_THROWS(lstm.backward(g, nullptr, nullptr), ErrorKind::argument, "no training forward to go back through");
  lstm.forward(x, nullptr, nullptr, nullptr);  // eval mode keeps nothing
  CHECK_THROWS(lstm.backward(g, nullptr, nullptr), ErrorKind::argument, "call train()");
  lstm.train(true);
  lstm.forward(x, nullptr, nullptr, nullptr);
  CHECK_THROWS(lstm.backward(random_tensor({3, 2, 4}, random), nullptr, nullptr), ErrorKind::shape,
               "LSTM.backward: gradOutput has shape (3, 2, 4), expected (3, 2, 8)");
  const Tensor bad_h = random_tensor({1, 2, 4}, random);
  CHECK_THROWS(lstm.backward(g, &bad_h, nullptr), ErrorKind::shape, "gradState h has shape (1, 2, 4), expected (2, 2, 4)");
  lstm.backward(g, nullptr, nullptr);  // the refused calls kept the forward
  CHECK_THROWS(lstm.backward(g, nullptr, nullptr), ErrorKind::argument, "no training forward");  // once per forward
  lstm.forward(x, nullptr, nullptr, nullptr);
  lstm.parameters_changed();  // new weights: the kept forward no longer matches them
  CHECK_THROWS(lstm.backward(g, nullptr, nullptr), ErrorKind::argument, "no training forward");
}

TEST_CASE("SGD and Adam: the first steps against their formulas; non-finite gradients change nothing") {
  Linear linear(2, 1, true, 5);
  linear.train(true);
  const float w0 = linear.parameters()[0].data[0];
  Tensor x = xt::zeros<float>(Shape{1, 2});
  x(0, 0) = 1.f;
  linear.forward(x);
  linear.backward(xt::ones<float>(Shape{1, 1}));  // dW = [1, 0], db = 1
  optim::SGD sgd({{&linear, "weight", {}}}, {0.1, 0.9, 0, 0.01, false});
  sgd.step();  // d = 1 + 0.01 w0; buffer = d; w = w0 - 0.1 d
  const float d = 1.f + 0.01f * w0;
  CHECK_CLOSE(linear.parameters()[0].data[0], w0 - 0.1f * d, 1e-7, 0);
  sgd.step();  // buffer = 0.9 d + d'
  const float w1 = w0 - 0.1f * d, d1 = 1.f + 0.01f * w1;
  CHECK_CLOSE(linear.parameters()[0].data[0], w1 - 0.1f * (0.9f * d + d1), 1e-6, 0);
  CHECK(sgd.state(0).at("momentum_buffer").size() == 2);

  optim::Adam adam({{&linear, "bias", {}}}, {0.01, 0.9, 0.999, 1e-8, 0, false, false});
  const float b0 = linear.parameters()[1].data[0];
  adam.step();  // the first step moves by lr · g / (|g| + eps) = lr
  CHECK_CLOSE(linear.parameters()[1].data[0], b0 - 0.01f, 1e-6, 0);
  CHECK(adam.state(0).at("step")[0] == 1.f);

  linear.existing_gradient("bias")[0] = std::numeric_limits<float>::quiet_NaN();
  const float b1 = linear.parameters()[1].data[0];
  CHECK_THROWS(adam.step(), ErrorKind::argument, "Adam.step: the gradient of 'bias' holds nan at element 0");
  CHECK(linear.parameters()[1].data[0] == b1);
  CHECK(adam.state(0).at("step")[0] == 1.f);
  CHECK(std::isnan(optim::clip_grad_norm({{&linear, "bias", {}}}, 1.0, 2.0)));
  CHECK_THROWS(optim::Adam({{&linear, "bias", {}}}, {0.01, 1.0, 0.999, 1e-8, 0, false, false}), ErrorKind::argument, "betas[0]");
}
