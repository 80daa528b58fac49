#!/usr/bin/env bash
# Fuzzes what a hostile model file can make reach the C++ core (module configuration, state dict,
# forward / step inputs; tests/cpp/fuzz/load_and_run_fuzz.cpp) with libFuzzer, ASan and UBSan,
# for a bounded time. Builds in build/fuzz with clang++-14, installing it if missing (as root).
#   scripts/fuzz.sh [seconds]        default 60, or $FUZZ_SECONDS
# Exits non-zero on a finding; the input that caused it is written to build/fuzz/findings/, and
# `build/fuzz/load_and_run_fuzz FILE` (or build/asan/load_and_run_replay FILE) replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-${FUZZ_SECONDS:-60}}
case "$seconds" in
  ''|*[!0-9]*) echo "fuzz: seconds must be a whole number, got '$seconds'" >&2; exit 2 ;;
esac

bash scripts/setup.sh --fuzz  # Debian's clang-14 and its libFuzzer runtime

dir=build/fuzz
jobs=$(nproc 2>/dev/null || echo 2)
if [ ! -f $dir/CMakeCache.txt ]; then
  cmake -S . -B $dir -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++-14 -DRNN_WASM_FUZZ=ON >/dev/null
fi
cmake --build $dir -j "$jobs" --target load_and_run_fuzz

# Seeds, one per kind of module (first byte: 0-3 RNN tanh/relu, GRU, LSTM layers; 4-6 cells;
# 7 Linear; 8 Embedding), then the configuration (inputSize, hiddenSize, flags: bit 0 no bias,
# 1 batchFirst (relu, paddingIdx), 2 bidirectional, 3 projSize; seed, numLayers, projSize), then
# small numbers for the harness's choices, and at the end bytes for the float values, read
# backwards. Rewritten on every run; what the fuzzer finds goes to $dir/corpus and is kept.
mkdir -p $dir/seeds $dir/corpus $dir/findings
values() { LC_ALL=C awk 'BEGIN { for (i = 0; i < 1200; i++) printf "%c", 96 + (i * 37) % 48 }'; }
choices='\x01\x02\x03\x01\x02\x03\x01\x01\x01\x03\x02\x01\x01\x01\x03\x02\x01\x03\x01\x02\x01\x03\x01\x02'
seed() { { printf "$2"; printf "$choices$choices"; values; } > $dir/seeds/$1; }
seed rnn_tanh     '\x00\x03\x04\x00\x01\x02'
seed rnn_relu_bi  '\x01\x03\x04\x06\x01\x01'
seed gru_bf       '\x02\x03\x04\x02\x01\x02'
seed lstm_proj    '\x03\x03\x04\x08\x01\x02\x02'
seed lstm_bi      '\x03\x02\x03\x04\x01\x01'
seed rnn_cell     '\x04\x03\x04\x00\x01'
seed gru_cell     '\x05\x03\x04\x01\x01'
seed lstm_cell    '\x06\x03\x04\x00\x01'
seed linear       '\x07\x04\x05\x00\x01'
seed embedding    '\x08\x08\x03\x02\x01\x0a'

# -timeout: one input running over 10 s is a hang; -error_exitcode: any finding fails the run.
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
echo "fuzz: $seconds s of load_and_run_fuzz (corpus $dir/corpus, findings $dir/findings/)"
$dir/load_and_run_fuzz -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
  -error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 -artifact_prefix=$dir/findings/ \
  $dir/corpus $dir/seeds
