#include "errors.h"

namespace rnn {

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::shape: return "shape";
    case ErrorKind::weights: return "weights";
    case ErrorKind::argument: return "argument";
    case ErrorKind::disposed: return "disposed";
    case ErrorKind::memory: return "memory";
  }
  return "argument";
}

}  // namespace rnn
