#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build and test rnn-wasm, and nothing
# when everything is present (a second run takes well under a second plus `npm ci`'s check).
#   scripts/setup.sh            toolchain + npm packages
#   scripts/setup.sh --browser  also Debian's chromium (browser tests)
#   scripts/setup.sh --torch    also Debian's PyTorch (golden vectors, training)
#   scripts/setup.sh --bench    also Debian's python3-onnx (the benchmark's ONNX models)
#   scripts/setup.sh --fuzz     also Debian's clang-14 and its libFuzzer runtime (scripts/fuzz.sh)
#   scripts/setup.sh --node-lts also the current Node LTS, from npm's node-linux-<arch> package, in
#                               build/node-lts (bin/node): the tests run on it too, beside Debian's Node 20
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
need() { # need <command-or-file> <debian-package>
  case "$1" in
    /*) [ -e "$1" ] || packages+=("$2") ;;
    *) command -v "$1" >/dev/null 2>&1 || packages+=("$2") ;;
  esac
}
need em++ emscripten
need cmake cmake
need g++ g++
need make make
need node nodejs
need npm npm
need /usr/include/xtensor/xtensor.hpp libxtensor-dev
for arg in "$@"; do
  case "$arg" in
    --browser) need chromium chromium ;;
    --torch) /usr/bin/python3 -c 'import torch' 2>/dev/null || packages+=(python3-torch)
      # Debian's torch calls the system BLAS: OpenBLAS makes training ~10x faster than the reference one.
      need /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 libopenblas0-pthread
      /usr/bin/python3 -c 'import tqdm, matplotlib' 2>/dev/null || packages+=(python3-tqdm python3-matplotlib) ;;
    --bench) /usr/bin/python3 -c 'import onnx' 2>/dev/null || packages+=(python3-onnx) ;;
    --node-lts) node_lts=24.22.3 ;;
    --fuzz) need clang++-14 clang-14
      compgen -G "/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-$(uname -m).a" >/dev/null || packages+=(libclang-rt-14-dev) ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

if [ ${#packages[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${packages[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: not root; run as root or install them yourself: apt-get install -y ${packages[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${packages[@]}" >/dev/null
fi

# npm ci only when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# The Node LTS beside Debian's, at the version pinned above, unless it is there already.
if [ -n "${node_lts:-}" ]; then
  arch=$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')
  if [ "$(build/node-lts/bin/node --version 2>/dev/null)" != "v$node_lts" ]; then
    echo "setup: Node $node_lts (npm: node-linux-$arch)"
    rm -rf build/node-lts
    npm install --prefix build/node-lts --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node-linux-$arch@$node_lts"
    ln -s "node_modules/node-linux-$arch/bin" build/node-lts/bin
  fi
fi
