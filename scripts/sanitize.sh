#!/usr/bin/env bash
# The native C++ tests under AddressSanitizer and UndefinedBehaviorSanitizer, in build/asan,
# plus the fuzz harness over fixed pseudo-random inputs (load_and_run_replay). The first report
# stops the run and fails it. Uses $CXX if set, else CMake's default (g++).
#   scripts/sanitize.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cmake >/dev/null || { echo "sanitize: cmake not found; run scripts/setup.sh" >&2; exit 1; }

jobs=$(nproc 2>/dev/null || echo 2)
if [ ! -f build/asan/CMakeCache.txt ]; then
  cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DRNN_WASM_SANITIZE=ON >/dev/null
fi
cmake --build build/asan -j "$jobs"

# abort_on_error: a report ends the test at once; detect_leaks: a leak is a finding too.
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
ctest --test-dir build/asan --output-on-failure --stop-on-failure
