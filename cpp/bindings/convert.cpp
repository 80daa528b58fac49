#include "convert.h"

#include <emscripten/bind.h>
#include <emscripten/emscripten.h>

#include <new>
#include <stdexcept>

using emscripten::val;

// Tensors cross with one call into JavaScript each way. Read through val, every property, array
// element and method costs its own call (about 20 per tensor), and a step of a small layer spent
// more time there than in its arithmetic.
EM_JS(int, js_tensor_header, (emscripten::EM_VAL handle, double* header, int max_rank), {
  const t = Emval.toValue(handle);
  const rank = t.shape.length;
  if (rank > max_rank) return rank;
  const at = header >> 3;
  HEAPF64[at] = t.data.length;
  for (let i = 0; i < rank; i++) HEAPF64[at + 1 + i] = t.shape[i];
  return rank;
});

EM_JS(void, js_tensor_copy_in, (emscripten::EM_VAL handle, float* out), {
  HEAPF32.set(Emval.toValue(handle).data, out >> 2);
});

EM_JS(emscripten::EM_VAL, js_tensor_out, (const float* data, double size, const double* dims, int rank), {
  const shape = [];  // a loop: Array.from(HEAPF64.subarray(...)) allocates a typed array, ~0.7 us
  for (let i = 0; i < rank; i++) shape.push(HEAPF64[(dims >> 3) + i]);
  return Emval.toHandle({data: HEAPF32.slice(data >> 2, (data >> 2) + size), shape});
});

namespace rnn::bindings {

val error_value(ErrorKind kind, const std::string& message) {
  val error = val::object();
  error.set("rnnErrorCode", std::string(error_kind_name(kind)));
  error.set("message", message);
  return error;
}

val run_guarded(val (*call)(void* body), void* body) {
  try {
    return call(body);
  } catch (const Error& e) {
    return error_value(e.kind(), e.what());
  } catch (const std::bad_alloc&) {  // also bad_array_new_length
    return error_value(ErrorKind::memory, "out of memory: the wasm heap could not grow");
  } catch (const std::length_error&) {  // a container asked for more than wasm can address
    return error_value(ErrorKind::memory, "out of memory: a buffer would exceed wasm's address space");
  } catch (const std::exception& e) {
    return error_value(ErrorKind::argument, std::string("internal error: ") + e.what());
  }
}

namespace {

// The dimensions tensor_from_js's first read takes; a tensor of more takes a second read.
constexpr int kFirstReadRank = 8;

}  // namespace

Tensor tensor_from_js(const val& js) {
  // header: data.length, then the shape.
  std::vector<double> header(1 + kFirstReadRank);
  const int rank = js_tensor_header(js.as_handle(), header.data(), kFirstReadRank);
  if (rank > kFirstReadRank) {
    header.resize(1 + rank);
    js_tensor_header(js.as_handle(), header.data(), rank);
  }
  Shape shape(header.begin() + 1, header.begin() + 1 + rank);
  Tensor t = xt::empty<float>(shape);
  if (header[0] != double(t.size()))
    throw Error(ErrorKind::shape, "tensor data length " + std::to_string(header[0]) +
                                      " does not match shape " + format_shape(shape));
  js_tensor_copy_in(js.as_handle(), t.data());
  return t;
}

val tensor_to_js(const Tensor& t) {
  const std::vector<double> dims(t.shape().begin(), t.shape().end());
  return val::take_ownership(js_tensor_out(t.data(), double(t.size()), dims.data(), int(dims.size())));
}

std::vector<double> numbers_from_js(const val& js) { return emscripten::convertJSArrayToNumberVector<double>(js); }

}  // namespace rnn::bindings
