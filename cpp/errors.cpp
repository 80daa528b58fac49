#include "errors.h"

#include <cstdio>

namespace rnn {

Message& Message::operator<<(const std::string& s) { text_ += s; return *this; }
Message& Message::operator<<(const char* s) { text_ += s; return *this; }
Message& Message::operator<<(char c) { text_ += c; return *this; }
Message& Message::operator<<(unsigned long long n) { text_ += std::to_string(n); return *this; }
Message& Message::operator<<(unsigned long n) { text_ += std::to_string(n); return *this; }
Message& Message::operator<<(unsigned n) { text_ += std::to_string(n); return *this; }
Message& Message::operator<<(long long n) { text_ += std::to_string(n); return *this; }
Message& Message::operator<<(long n) { text_ += std::to_string(n); return *this; }
Message& Message::operator<<(int n) { text_ += std::to_string(n); return *this; }

Message& Message::operator<<(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.15g", x);
  text_ += buffer;
  return *this;
}

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::shape: return "shape";
    case ErrorKind::weights: return "weights";
    case ErrorKind::argument: return "argument";
    case ErrorKind::disposed: return "disposed";
    case ErrorKind::memory: return "memory";
    case ErrorKind::worker: return "worker";
  }
  return "argument";
}

}  // namespace rnn
