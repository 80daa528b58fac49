// Losses as torch.nn.functional computes them (PyTorch 1.13), each with its gradient with
// respect to the input, computed in the same pass.
#pragma once

#include <vector>

#include "../tensor/shape.h"

namespace rnn {

enum class Reduction { none, mean, sum };

struct LossResult {
  Tensor loss;  // () for mean and sum; (N) for none
  Tensor grad;  // dL/dinput, the input's shape; for none, the gradient of the summed losses
};

struct CrossEntropyOptions {
  double ignore_index = -100;
  double label_smoothing = 0;
  Reduction reduction = Reduction::mean;
  const Tensor* weight = nullptr;  // (C) class weights, or null
};

// F.cross_entropy(logits, targets, weight, ignore_index, reduction, label_smoothing), logits
// (N, C), targets N class ids (doubles, so that non-integers are refused). With lp the log-
// softmax of a row, w the class weights (1 without), ε the smoothing and y the target:
//   loss_n = (1 - ε) (-w_y lp_y) + ε/C (-Σ_c w_c lp_c),   0 where y is ignore_index
//   mean = Σ_n loss_n / Σ_{n not ignored} w_{y_n}  (NaN when every target is ignored)
// Gradient: d loss_n / d logit_c = (1 - ε) w_y (p_c - [c = y]) + ε/C (p_c Σ_k w_k - w_c).
LossResult cross_entropy(const Tensor& logits, const std::vector<double>& targets, const CrossEntropyOptions& options);

// F.mse_loss(input, target): loss_n = (x_n - y_n)² over every element; mean divides by their
// count. Gradient 2 (x - y) (/ count for mean). input and target have the same shape.
LossResult mse_loss(const Tensor& input, const Tensor& target, Reduction reduction);

}  // namespace rnn
