#include "cell_base.h"

#include <cmath>


namespace rnn {

CellBase::CellBase(std::string type_name, std::size_t input_size, std::size_t hidden_size,
                   std::size_t state_size, bool bias, std::size_t gates, std::uint64_t seed,
                   std::string suffix)
    : type_name_(std::move(type_name)),
      input_size_(check_size(type_name_.c_str(), "inputSize", double(input_size))),
      hidden_size_(check_size(type_name_.c_str(), "hiddenSize", double(hidden_size))),
      state_size_(state_size),
      gates_(gates),
      random_(seed),
      bias_(bias),
      suffix_(std::move(suffix)) {
  checked_count(type_name_, "weight_ih needs gates*hiddenSize*inputSize", {gates, hidden_size, input_size});
  checked_count(type_name_, "weight_hh needs gates*hiddenSize*hiddenSize", {gates, hidden_size, state_size});
  weight_ih_ = Matrix(Matrix::shape_type{gates * hidden_size, input_size});
  weight_hh_ = Matrix(Matrix::shape_type{gates * hidden_size, state_size});
  bias_ih_ = Vector(Vector::shape_type{bias ? gates * hidden_size : 0});
  bias_hh_ = Vector(Vector::shape_type{bias ? gates * hidden_size : 0});
  const float bound = 1.f / std::sqrt(static_cast<float>(hidden_size));
  fill_uniform(weight_ih_, bound, random_);
  fill_uniform(weight_hh_, bound, random_);
  fill_uniform(bias_ih_, bound, random_);
  fill_uniform(bias_hh_, bound, random_);
  CellBase::parameters_changed();
}

void CellBase::parameters_changed() {
  ih_.prepare(weight_ih_.data(), bias_ ? bias_ih_.data() : nullptr, gates_ * hidden_size_, input_size_);
  hh_.prepare(weight_hh_.data(), bias_ ? bias_hh_.data() : nullptr, gates_ * hidden_size_, state_size_);
}

void CellBase::project_input(const float* x, std::size_t rows, float* gi) const { ih_.apply(x, rows, gi); }

void CellBase::project_hidden(const float* h, std::size_t batch, float* gh) const { hh_.apply(h, batch, gh); }

std::vector<io::ParameterSlot> CellBase::parameters() {
  const std::string rows = gates_ == 1 ? "hiddenSize" : std::to_string(gates_) + "*hiddenSize";
  std::vector<io::ParameterSlot> slots = {
      slot("weight_ih" + suffix_, weight_ih_, "(" + rows + ", inputSize)"),
      slot("weight_hh" + suffix_, weight_hh_,
           "(" + rows + (state_size_ == hidden_size_ ? ", hiddenSize)" : ", projSize)")),
  };
  if (bias_) {
    slots.push_back(slot("bias_ih" + suffix_, bias_ih_, "(" + rows + ")"));
    slots.push_back(slot("bias_hh" + suffix_, bias_hh_, "(" + rows + ")"));
  }
  return slots;
}

}  // namespace rnn
