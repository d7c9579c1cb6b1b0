#!/usr/bin/env bash
# Configures (once) and builds ulpcheck in ./build. CUDA kernels are built when nvcc is
# found; pass -DULPCHECK_CUDA=OFF through CMAKE_ARGS to leave them out.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/CMakeCache.txt ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release ${CMAKE_ARGS:-}
fi
cmake --build build --parallel "$(nproc)"
