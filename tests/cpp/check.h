// A minimal test harness that builds both natively and with Emscripten (GoogleTest would have
// to be built for wasm too). TEST_CASE registers a function; CHECK* record failures and go on.
// main() runs every case and ends with the line "N passed, M failed".
#pragma once

#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "errors.h"

namespace rnn_test {

struct Case {
  const char* name;
  std::function<void()> body;
};

inline std::vector<Case>& cases() {
  static std::vector<Case> all;
  return all;
}
inline int& failures_in_case() {
  static int n = 0;
  return n;
}

struct Register {
  Register(const char* name, std::function<void()> body) { cases().push_back({name, std::move(body)}); }
};

inline void fail(const char* file, int line, const std::string& what) {
  if (++failures_in_case() <= 10) std::printf("  %s:%d: %s\n", file, line, what.c_str());
}

// |a - b| <= atol + rtol * |b|, NaN equal to NaN, infinities equal when both same sign.
inline bool close(double a, double b, double atol, double rtol) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return std::fabs(a - b) <= atol + rtol * std::fabs(b);
}

}  // namespace rnn_test

#define RNN_CAT2(a, b) a##b
#define RNN_CAT(a, b) RNN_CAT2(a, b)
#define TEST_CASE(name)                                                          \
  static void RNN_CAT(test_fn_, __LINE__)();                                     \
  static rnn_test::Register RNN_CAT(test_reg_, __LINE__)(name, RNN_CAT(test_fn_, __LINE__)); \
  static void RNN_CAT(test_fn_, __LINE__)()

#define CHECK(cond) \
  do { if (!(cond)) rnn_test::fail(__FILE__, __LINE__, "CHECK(" #cond ")"); } while (0)

#define CHECK_CLOSE(a, b, atol, rtol)                                                     \
  do {                                                                                    \
    const double a_ = (a), b_ = (b);                                                      \
    if (!rnn_test::close(a_, b_, (atol), (rtol)))                                         \
      rnn_test::fail(__FILE__, __LINE__, std::string(#a " = ") + std::to_string(a_) +     \
                                             ", expected " #b " = " + std::to_string(b_)); \
  } while (0)

// Runs expr, which must throw rnn::Error of `expected_kind` whose message contains `part`.
#define CHECK_THROWS(expr, expected_kind, part)                                                        \
  do {                                                                                        \
    try {                                                                                     \
      (void)(expr);                                                                           \
      rnn_test::fail(__FILE__, __LINE__, "no error from " #expr);                            \
    } catch (const rnn::Error& e) {                                                           \
      if (e.kind() != (expected_kind) || std::string(e.what()).find(part) == std::string::npos)       \
        rnn_test::fail(__FILE__, __LINE__, std::string("wrong error: ") + e.what());         \
    }                                                                                         \
  } while (0)

int main() {
  int passed = 0, failed = 0;
  for (const auto& c : rnn_test::cases()) {
    rnn_test::failures_in_case() = 0;
    try {
      c.body();
    } catch (const std::exception& e) {
      rnn_test::fail(__FILE__, __LINE__, std::string("unexpected exception: ") + e.what());
    }
    const bool ok = rnn_test::failures_in_case() == 0;
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", c.name);
    (ok ? passed : failed)++;
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
