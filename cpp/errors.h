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
  worker,    // a worker thread failed
};

const char* error_kind_name(ErrorKind kind);

// Builds an error message: `Message() << "got " << value`. A stand-in for std::ostringstream,
// whose locale machinery would add some 100 KB to every wasm build.
class Message {
 public:
  // Out of line: an error message is built in many places, and each inlined append costs wasm
  // bytes where a call costs a few.
  Message& operator<<(const std::string& s);
  Message& operator<<(const char* s);
  Message& operator<<(char c);
  Message& operator<<(unsigned long long n);
  Message& operator<<(unsigned long n);
  Message& operator<<(unsigned n);
  Message& operator<<(long long n);
  Message& operator<<(long n);
  Message& operator<<(int n);
  // As people write numbers: 3, 4.5, 1e+20, nan.
  Message& operator<<(double x);
  const std::string& str() const { return text_; }

 private:
  std::string text_;
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

}  // namespace rnn
