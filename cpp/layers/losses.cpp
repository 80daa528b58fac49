#include "losses.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "../errors.h"
#include "../kernels/exp.h"

namespace rnn {

namespace {

[[noreturn]] void fail(ErrorKind kind, const Message& message) { throw Error(kind, message.str()); }

Tensor scalar(double value) {
  Tensor t = xt::empty<float>(Shape{});
  t() = static_cast<float>(value);
  return t;
}

}  // namespace

LossResult cross_entropy(const Tensor& logits, const std::vector<double>& targets, const CrossEntropyOptions& o) {
  const Shape ls = shape_of(logits);
  if (ls.size() != 2 || ls[1] == 0) {
    Message out;
    out << "crossEntropy: logits have shape " << format_shape(ls) << ", expected (N, C) with C >= 1";
    fail(ErrorKind::shape, out);
  }
  const std::size_t N = ls[0], C = ls[1];
  if (targets.size() != N) {
    Message out;
    out << "crossEntropy: " << targets.size() << " targets for " << N << " rows of logits; expected one class id per row";
    fail(ErrorKind::shape, out);
  }
  if (o.weight && shape_of(*o.weight) != Shape{C}) {
    Message out;
    out << "crossEntropy: weight has shape " << format_shape(shape_of(*o.weight)) << ", expected (" << C
        << ") = (C), one weight per class";
    fail(ErrorKind::shape, out);
  }
  if (!(o.label_smoothing >= 0 && o.label_smoothing <= 1)) {
    Message out;
    out << "crossEntropy: labelSmoothing must be in [0, 1], got " << o.label_smoothing;
    fail(ErrorKind::argument, out);
  }
  for (std::size_t n = 0; n < N; ++n) {
    const double y = targets[n];
    if (y == o.ignore_index || (y >= 0 && y < double(C) && std::floor(y) == y)) continue;
    Message out;
    out << "crossEntropy: target " << y << " at position " << n << " is not a class id in [0, " << C
        << ") nor ignoreIndex (" << o.ignore_index << ")";
    fail(ErrorKind::argument, out);
  }

  const double eps = o.label_smoothing;
  auto weight = [&](std::size_t c) { return o.weight ? double(o.weight->data()[c]) : 1.0; };
  double weight_sum = 0;
  for (std::size_t c = 0; c < C; ++c) weight_sum += weight(c);

  LossResult result{Tensor(), xt::zeros<float>(ls)};
  std::vector<double> losses(N, 0.0);
  double total = 0, denominator = 0;
  std::vector<float> shifted(C), e(C);
  for (std::size_t n = 0; n < N; ++n) {
    if (targets[n] == o.ignore_index) continue;
    const std::size_t y = static_cast<std::size_t>(targets[n]);
    const float* x = logits.data() + n * C;
    // Log-softmax, stabilised by the row's maximum; sums in double.
    float max = -std::numeric_limits<float>::infinity();
    for (std::size_t c = 0; c < C; ++c) max = std::max(max, x[c]);
    for (std::size_t c = 0; c < C; ++c) shifted[c] = x[c] - max;
    kernels::exp_f32(shifted.data(), e.data(), C);
    double sum = 0;
    for (std::size_t c = 0; c < C; ++c) sum += e[c];
    const double lse = std::log(sum);  // log Σ exp(x - max)
    double smooth = 0;
    for (std::size_t c = 0; c < C; ++c) smooth -= weight(c) * (double(shifted[c]) - lse);
    const double nll = -weight(y) * (double(shifted[y]) - lse);
    losses[n] = (1 - eps) * nll + eps / double(C) * smooth;
    total += losses[n];
    denominator += weight(y);
    float* g = result.grad.data() + n * C;
    for (std::size_t c = 0; c < C; ++c) {
      const double p = double(e[c]) / sum;
      g[c] = static_cast<float>((1 - eps) * weight(y) * (p - (c == y ? 1.0 : 0.0)) +
                                eps / double(C) * (p * weight_sum - weight(c)));
    }
  }
  switch (o.reduction) {
    case Reduction::none:
      result.loss = xt::empty<float>(Shape{N});
      for (std::size_t n = 0; n < N; ++n) result.loss(n) = static_cast<float>(losses[n]);
      break;
    case Reduction::sum: result.loss = scalar(total); break;
    case Reduction::mean:
      result.loss = scalar(total / denominator);
      for (auto& g : result.grad) g = static_cast<float>(g / denominator);
      break;
  }
  return result;
}

LossResult mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  if (shape_of(input) != shape_of(target)) {
    Message out;
    out << "mseLoss: input has shape " << format_shape(shape_of(input)) << " and target "
        << format_shape(shape_of(target)) << "; expected the same shape";
    fail(ErrorKind::shape, out);
  }
  const std::size_t n = input.size();
  LossResult result{Tensor(), xt::empty<float>(shape_of(input))};
  Tensor losses = xt::empty<float>(shape_of(input));
  double total = 0;
  // For mean, the count's reciprocal scales the gradient, as 2 (x - y) / n in PyTorch.
  const double scale = reduction == Reduction::mean ? 1.0 / double(n) : 1.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = double(input.data()[i]) - double(target.data()[i]);
    losses.data()[i] = static_cast<float>(d * d);
    total += d * d;
    result.grad.data()[i] = static_cast<float>(2 * d * scale);
  }
  switch (reduction) {
    case Reduction::none: result.loss = losses; break;
    case Reduction::sum: result.loss = scalar(total); break;
    case Reduction::mean: result.loss = scalar(total / double(n)); break;
  }
  return result;
}

}  // namespace rnn
