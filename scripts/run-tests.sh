#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs the fast CPU suite. Where
# nvcc is present the default build has the CUDA kernels, so the CPU-only configuration
# (-DULPCHECK_CUDA=OFF) is built and tested too, in build-cpu-only/.
# Extra arguments go to ctest (e.g. -L slow for the exhaustive runs, -R Oracle to filter).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
if [ $# -eq 0 ]; then set -- -L cpu; fi
ctest --test-dir build --output-on-failure --parallel "$(nproc)" "$@"
if grep -q '^ULPCHECK_CUDA:BOOL=ON' build/CMakeCache.txt; then
  echo "run-tests: the CPU-only configuration"
  cmake -S . -B build-cpu-only -G Ninja -DCMAKE_BUILD_TYPE=Release -DULPCHECK_CUDA=OFF >/dev/null
  cmake --build build-cpu-only --parallel "$(nproc)"
  ctest --test-dir build-cpu-only --output-on-failure --parallel "$(nproc)" "$@"
fi
