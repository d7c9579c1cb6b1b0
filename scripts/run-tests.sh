#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs the fast CPU suite. Where
# nvcc is present the build has the CUDA kernels and also links, from the same objects, the
# binary and the tests whose outcome depends on CUDA without them (ctest's without_cuda.*
# tests: what the configuration -DULPCHECK_CUDA=OFF builds differs in one library only); that
# configuration is configured too, in build-cpu-only/, so its CMake path is checked.
# After the suite, scripts/check-install.sh installs the build into build/install-check/ and
# builds and tests examples/downstream against it, as a kernel repository uses the package.
# Last, scripts/run-sanitized-tests.sh builds the tree again with Clang under AddressSanitizer
# and UndefinedBehaviorSanitizer (build-asan/), runs the same suite there and fuzzes the
# golden file and report JSON readers for a minute each (docs/tests.md).
# Extra arguments go to ctest (e.g. -L slow for the exhaustive runs, -R Oracle to filter);
# with any, only the first suite runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
sanitized=0
if [ $# -eq 0 ]; then set -- -L cpu; sanitized=1; fi
if grep -q '^ULPCHECK_CUDA:BOOL=ON' build/CMakeCache.txt; then
  echo "run-tests: configuring the CPU-only configuration (build-cpu-only/)"
  cmake -S . -B build-cpu-only -G Ninja -DCMAKE_BUILD_TYPE=Release -DULPCHECK_CUDA=OFF >/dev/null
fi
ctest --test-dir build --output-on-failure --parallel "$(nproc)" "$@"
scripts/check-install.sh
if [ "$sanitized" = 1 ]; then scripts/run-sanitized-tests.sh; fi
