// torch.nn.Embedding: row lookup by token id.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "../module.h"

namespace rnn {

class Embedding : public Module {
 public:
  // Starts as PyTorch's: weight ~ N(0, 1), with the padding_idx row zero. padding_idx may be
  // negative (counted from the end, as in PyTorch); at inference it only sets that zero row.
  Embedding(std::size_t num_embeddings, std::size_t embedding_dim,
            std::optional<std::int64_t> padding_idx, std::uint64_t seed);

  std::string type_name() const override { return "Embedding"; }
  std::size_t num_embeddings() const { return num_embeddings_; }
  std::size_t embedding_dim() const { return embedding_dim_; }
  std::optional<std::size_t> padding_idx() const { return padding_idx_; }

  // ids of any shape, as doubles so that non-integers can be refused rather than truncated.
  // Returns (*ids_shape, embedding_dim). Every id must be an integer in [0, num_embeddings).
  // In training, keeps the ids for backward.
  Tensor forward(const std::vector<double>& ids, const Shape& ids_shape);

  // grad_output: the last forward's output shape. Adds each row of it to the weight gradient's
  // row of its id, except for padding_idx, whose row gets no gradient (as in PyTorch). Ids have
  // no gradient. Once per training forward.
  void backward(const Tensor& grad_output);

  std::vector<io::ParameterSlot> parameters() override;
  void parameters_changed() override;
  // int8 (Module::quantize_int8): a row's q and scale; a lookup gives q * scale, the row of W'.
  void parameters_read() override;
  void quantize_int8() override {
    int8_ = true;
    parameters_changed();
  }
  bool quantized() override { return int8_; }
  bool load_int8(const std::string& name, const std::int8_t* q, const float* scales, std::size_t rows,
                 std::size_t cols) override;

 protected:
  void training_changed() override { kept_.reset(); }

 private:
  struct Kept {
    std::vector<std::size_t> ids;
    Shape output_shape;
  };
  std::unique_ptr<Kept> kept_;  // a training forward's ids, until backward
  std::size_t num_embeddings_, embedding_dim_;
  std::optional<std::size_t> padding_idx_;
  Matrix weight_;  // (num_embeddings, embedding_dim); empty when int8, but while parameters are read
  bool int8_ = false;
  std::vector<std::int8_t> q_;  // int8: (num_embeddings, embedding_dim)
  std::vector<float> scales_;   // int8: (num_embeddings)
};

}  // namespace rnn
