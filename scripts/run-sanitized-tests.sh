#!/usr/bin/env bash
# The CPU test suite under AddressSanitizer (with LeakSanitizer) and UndefinedBehaviorSanitizer,
# then a short run of each fuzz harness of the file readers. One build serves both: Clang,
# CUDA off, every library, test, plugin and the binary built with
# -fsanitize=address,undefined (ULPCHECK_SANITIZE), the readers' libraries also with
# libFuzzer's coverage and the harnesses linked with libFuzzer (ULPCHECK_FUZZ), in
# build-asan/ (-O1, line tables for the reports' stack traces, each target's sources
# compiled together as scripts/build.sh does).
#
# Every `cpu` test runs (ctest -L cpu); a sanitizer report fails the test that triggered it
# (scripts/sanitizer-env.sh). Extra arguments go to ctest, as for scripts/run-tests.sh.
# FUZZ_SECONDS (default 60) is each harness's run (scripts/run-fuzzers.sh); 0 skips them.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build-asan
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_UNITY_BUILD=ON \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" \
    -DULPCHECK_CUDA=OFF -DULPCHECK_SANITIZE=address,undefined -DULPCHECK_FUZZ=ON ${CMAKE_ARGS:-}
fi
cmake --build "$build" --parallel "$(nproc)"
if [ $# -eq 0 ]; then set -- -L cpu; fi
source scripts/sanitizer-env.sh
# Left out here, each for its reason (they run in scripts/run-tests.sh's suite):
# - Cli_report_usage.SamplesBeyondTheProcesssMemoryAreRefusedBeforeAllocating runs the
#   command under `ulimit -v 4000000`; AddressSanitizer reserves terabytes of address space
#   for its shadow memory at start, so no sanitized process starts under that limit.
# - Cli_fuzz.DefaultRunPassesEveryCorrectKernel, pure time: the command's default campaign,
#   100 cases of every property of every kernel, op and dtype (about 200 s unsanitized, 420 s
#   to past its 600 s limit sanitized on two cores). It adds cases, not code: the same
#   command runs sanitized in the other Cli_fuzz tests (each planted kernel with the property
#   that catches it, a correct kernel, replay, shards), and every property of the same
#   kernels in the in-process suite (Fuzz.CorrectHostKernelsPassEveryProperty).
excluded='^(Cli_report_usage\.SamplesBeyondTheProcesssMemoryAreRefusedBeforeAllocating'
excluded+='|Cli_fuzz\.DefaultRunPassesEveryCorrectKernel)$'
ctest --test-dir "$build" --output-on-failure --parallel "$(nproc)" -E "$excluded" "$@"
if [ "${FUZZ_SECONDS:-60}" != 0 ]; then
  scripts/run-fuzzers.sh "${FUZZ_SECONDS:-60}" "$build"
fi
