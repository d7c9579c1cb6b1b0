# Sourced by scripts/run-sanitized-tests.sh and scripts/run-fuzzers.sh: how the sanitizers
# of a build with ULPCHECK_SANITIZE=address,undefined report. Every report ends the process
# with an error (halt_on_error; -fno-sanitize-recover=undefined does so for UBSan in the
# code itself), so a test or a fuzz run fails on it. Leaks are checked at every exit, less
# the suppressions of tests/sanitizers/lsan.supp (each with its reason); the Python tests
# turn the leak check off (tests/CMakeLists.txt says why).
_ulpcheck_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# allocator_may_return_null: a request too large to satisfy returns NULL, as it does without
# the sanitizer, instead of aborting: HDF5 asks for what a damaged file's size fields say
# and handles NULL (the damaged-file tests and golden_file_fuzz feed it such files);
# operator new still throws std::bad_alloc.
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:strict_init_order=1:check_initialization_order=1:allocator_may_return_null=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$_ulpcheck_root/tests/sanitizers/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
unset _ulpcheck_root
