#include "embedding.h"

#include <algorithm>
#include <cmath>

#include "../errors.h"
#include "../cells/int8_weights.h"
#include "../kernels/int8.h"
#include "../tensor/random.h"

namespace rnn {

Embedding::Embedding(std::size_t num_embeddings, std::size_t embedding_dim,
                     std::optional<std::int64_t> padding_idx, std::uint64_t seed)
    : num_embeddings_(check_size("Embedding", "numEmbeddings", double(num_embeddings))),
      embedding_dim_(check_size("Embedding", "embeddingDim", double(embedding_dim))) {
  checked_count("Embedding", "weight needs numEmbeddings*embeddingDim", {num_embeddings, embedding_dim});
  weight_ = Matrix(Matrix::shape_type{num_embeddings, embedding_dim});
  if (padding_idx) {
    const auto n = static_cast<std::int64_t>(num_embeddings);
    if (*padding_idx < -n || *padding_idx >= n) {
      Message out;
      out << "Embedding: paddingIdx " << *padding_idx << " is out of range [" << -n << ", "
          << n - 1 << "] for numEmbeddings " << n;
      throw Error(ErrorKind::argument, out.str());
    }
    padding_idx_ = static_cast<std::size_t>(*padding_idx < 0 ? *padding_idx + n : *padding_idx);
  }
  Random random(seed);
  fill_normal(weight_, random);
  // The padding row starts at zero, as nn.Embedding makes it.
  if (padding_idx_) std::fill_n(weight_.data() + *padding_idx_ * embedding_dim_, embedding_dim_, 0.f);
}

Tensor Embedding::forward(const std::vector<double>& ids, const Shape& ids_shape) {
  if (element_count(ids_shape) != ids.size()) {
    Message out;
    out << "Embedding.forward: ids shape " << format_shape(ids_shape) << " holds "
        << element_count(ids_shape) << " ids, but " << ids.size() << " were given";
    throw Error(ErrorKind::shape, out.str());
  }
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const double id = ids[i];
    if (!(id >= 0 && id < double(num_embeddings_)) || std::floor(id) != id) {
      Message out;
      out << "Embedding.forward: token id " << id << " at position " << i
          << " is not an integer in [0, " << num_embeddings_ << ") (numEmbeddings is "
          << num_embeddings_ << ")";
      throw Error(ErrorKind::argument, out.str());
    }
  }
  checked_count("Embedding.forward", "the output needs ids*embeddingDim", {ids.size(), embedding_dim_});
  Shape shape = ids_shape;
  shape.push_back(embedding_dim_);
  Tensor y = xt::empty<float>(shape);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const std::size_t id = static_cast<std::size_t>(ids[i]);
    float* out = y.data() + i * embedding_dim_;
    if (int8_) {
      kernels::dequantize_rows_i8(q_.data() + id * embedding_dim_, scales_.data() + id, 1, embedding_dim_, out);
      continue;
    }
    const float* row = weight_.data() + id * embedding_dim_;
    std::copy(row, row + embedding_dim_, out);
  }
  kept_.reset();
  if (training()) kept_.reset(new Kept{std::vector<std::size_t>(ids.begin(), ids.end()), shape});
  return y;
}

void Embedding::backward(const Tensor& grad_output) {
  if (!kept_)
    throw Error(ErrorKind::argument, "Embedding.backward: no training forward to go back through; call train(), then "
                                     "forward(), then backward() once per forward");
  if (shape_of(grad_output) != kept_->output_shape) {
    Message out;
    out << "Embedding.backward: gradOutput has shape " << format_shape(shape_of(grad_output)) << ", expected "
        << format_shape(kept_->output_shape) << ", the shape of forward's output";
    throw Error(ErrorKind::shape, out.str());
  }
  const std::unique_ptr<Kept> kept = std::move(kept_);
  float* grad = gradient("weight", num_embeddings_ * embedding_dim_);
  if (!grad) return;  // frozen
  // In order of position, as PyTorch's dense embedding backward (index_add_) adds them.
  for (std::size_t i = 0; i < kept->ids.size(); ++i) {
    const std::size_t id = kept->ids[i];
    if (padding_idx_ && id == *padding_idx_) continue;
    const float* dy = grad_output.data() + i * embedding_dim_;
    float* row = grad + id * embedding_dim_;
    for (std::size_t j = 0; j < embedding_dim_; ++j) row[j] += dy[j];
  }
}

std::vector<io::ParameterSlot> Embedding::parameters() {
  if (int8_ && weight_.size() == 0) {
    weight_ = Matrix(Matrix::shape_type{num_embeddings_, embedding_dim_});
    kernels::dequantize_rows_i8(q_.data(), scales_.data(), num_embeddings_, embedding_dim_, weight_.data());
  }
  return {slot("weight", weight_, "(numEmbeddings, embeddingDim)")};
}

void Embedding::parameters_changed() {
  kept_.reset();
  if (!int8_ || weight_.size() == 0) return;
  q_.resize(num_embeddings_ * embedding_dim_);
  scales_.resize(num_embeddings_);
  kernels::quantize_rows_i8(weight_.data(), num_embeddings_, embedding_dim_, q_.data(), scales_.data());
  weight_ = Matrix(Matrix::shape_type{0, 0});
}

void Embedding::parameters_read() {
  if (int8_) weight_ = Matrix(Matrix::shape_type{0, 0});
}

bool Embedding::load_int8(const std::string& name, const std::int8_t* q, const float* scales, std::size_t rows,
                          std::size_t cols) {
  if (name != "weight") return false;
  check_int8_shape("Embedding", name, rows, cols, num_embeddings_, embedding_dim_);
  int8_ = true;
  q_.assign(q, q + rows * cols);
  scales_.assign(scales, scales + rows);
  weight_ = Matrix(Matrix::shape_type{0, 0});
  return true;
}

}  // namespace rnn
