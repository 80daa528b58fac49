// What every binding file shares (cpp/bindings/ is the only folder that knows Emscripten): C++
// errors turned into {rnnErrorCode, message} records that js/src/raw.ts turns into RnnError,
// handles (object addresses) checked by type, and tensors copied across as
// {data: Float32Array, shape: number[]}, so that no JavaScript view of wasm memory outlives a call.
#pragma once

#include <emscripten/val.h>

#include <cstdint>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "../errors.h"
#include "../module.h"

namespace rnn::bindings {

using emscripten::val;

val error_value(ErrorKind kind, const std::string& message);

// Runs a bound call's body; an exception becomes an error record instead of a wasm exception
// escaping into JavaScript. The try/catch lives once, in run_guarded: written out in every
// bound function (as a template), its catch clauses cost some 1.5 KB of wasm each.
val run_guarded(val (*call)(void* body), void* body);

template <class F>
val guarded(F&& body) {
  return run_guarded([](void* f) { return (*static_cast<std::remove_reference_t<F>*>(f))(); }, &body);
}

// Handles are Object addresses made by the bindings; dynamic_cast guards against a handle of
// the wrong class reaching a method.
template <class T>
T& as(double handle) {
  auto* object = reinterpret_cast<Object*>(static_cast<std::uintptr_t>(handle));
  T* typed = dynamic_cast<T*>(object);
  if (!typed) throw Error(ErrorKind::argument, "internal error: handle is not an object of this kind");
  return *typed;
}

inline val handle_of(Object* object) { return val(static_cast<double>(reinterpret_cast<std::uintptr_t>(object))); }

Tensor tensor_from_js(const val& js);
val tensor_to_js(const Tensor& t);
// A JavaScript array of numbers (or a typed array) as doubles.
std::vector<double> numbers_from_js(const val& js);

inline std::uint64_t seed_of(double seed) { return static_cast<std::uint64_t>(seed); }

}  // namespace rnn::bindings
