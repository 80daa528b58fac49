// rnn::Error: the one exception type the core throws. Its kind becomes RnnError.code in
// TypeScript (cpp/bindings/embind.cpp), so the kinds mirror js/src/errors.ts one to one.
#pragma once

#include <stdexcept>
#include <string>

namespace rnn {

enum class ErrorKind {
  shape,     // a tensor has the wrong rank or size for the call
  weights,   // a state dict or weight file is missing, malformed or the wrong shape
  argument,  // an option or value is out of range (sizes, token ids, names)
  disposed,  // an object was used after dispose() (raised in TypeScript)
  memory,    // the wasm heap could not grow
};

const char* error_kind_name(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

}  // namespace rnn
