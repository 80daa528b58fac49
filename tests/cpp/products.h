// References for the matrix-product tests: a dot product in double, and how far a float32 sum
// of n products may be from it.
#pragma once

#include <cstddef>

inline double dot_double(const float* a, const float* b, std::size_t n) {
  double s = 0;
  for (std::size_t j = 0; j < n; ++j) s += double(a[j]) * double(b[j]);
  return s;
}

// Tolerance for a float32 sum of n products of magnitude <= 1: rounding grows with n.
inline double sum_tolerance(std::size_t n) { return 1e-6 * (1.0 + double(n)); }
