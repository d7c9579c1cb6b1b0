#!/usr/bin/env bash
# Runs each libFuzzer harness of the file readers (tests/fuzz/, docs/fuzzing.md) for SECONDS
# (default 60) in BUILD (default build-asan, configured by scripts/run-sanitized-tests.sh
# with -DULPCHECK_FUZZ=ON), one worker each, one after the other; fails on the first
# finding (a crash, a sanitizer report, a leak, an input slower than 180 s or a runaway
# allocation), leaving the input that caused it in BUILD/fuzz/artifacts/. (A golden read
# that hangs in HDF5 is stopped after 30 s and named; an input goes through up to seven.)
#
# The seed corpora are written here by the build's own binary, so they follow the schema
# the readers read: small golden files of every layout (`golden regen` with few samples and
# tokens, and the committed exhaustive record and one unary file) and report documents of
# every family (`report --format json`, a failing planted kernel among them, and pairs of
# runs with other seeds for the diff). What the harness adds to its corpus stays in
# BUILD/fuzz/corpus/ for the next run. FUZZ_SEED (default 1) seeds libFuzzer, so that a run
# is repeated by the same command; FUZZ_SEED=0 draws one.
#
#   scripts/run-fuzzers.sh [SECONDS [BUILD]]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
build="${2:-build-asan}"
source scripts/sanitizer-env.sh
# A small quarantine: AddressSanitizer's default (256 MB of freed blocks held back) makes each
# input's fork of the golden readers copy page tables of that size; 8 MB keeps the harness at
# about 80 MB instead of 360 and runs about a fifth more inputs a second.
export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=8"
for f in golden_file_fuzz report_document_fuzz; do
  if [ ! -x "$build/tests/$f" ]; then
    echo "run-fuzzers: $build/tests/$f is missing; configure $build with -DULPCHECK_FUZZ=ON (scripts/run-sanitized-tests.sh does)" >&2
    exit 2
  fi
done
work="$build/fuzz"
seeds="$work/seeds"
rm -rf "$seeds"
mkdir -p "$seeds/golden" "$seeds/reports" "$work/corpus/golden" "$work/corpus/reports" "$work/artifacts"

# Golden files: every family's layout, small; regen writes nothing else in that directory.
"$build/ulpcheck" golden regen --dir "$seeds/golden" --samples 4 --tokens 1 \
  --op silu_and_mul --op biased_grouped_topk --op moe_combine >/dev/null 2>&1
cp golden/data/exhaustive.h5 golden/data/silu.h5 "$seeds/golden/"

# Report documents: one per family, a failing case, and old/new pairs (NUL between them)
# for the diff.
report() { "$build/ulpcheck" report --format json "$@" 2>/dev/null; }
r="$seeds/reports"
report --op silu_and_mul --dtype bf16 --samples 200 -o "$r/elementwise.json"
report --op silu_and_mul --dtype bf16 --samples 200 --seed 2 -o "$r/elementwise_seed2.json"
report --op gelu_tanh --op gelu --dtype fp16 -o "$r/approximation.json"
report --op biased_grouped_topk --samples 16 --bias deepseek_v3 --no-precision-study -o "$r/routing.json"
report --op biased_grouped_topk --samples 16 --seed 2 --bias deepseek_v3 --no-precision-study -o "$r/routing_seed2.json"
report --op moe_combine --op moe_block --tokens 2 --hidden 16 -o "$r/combine.json"
report --op moe_combine --tokens 2 --hidden 16 --seed 2 -o "$r/combine_seed2.json"
report --plugin "$build/tests/libulpcheck_planted_plugin.so" --kernel planted.clamp_after_activation \
  --op silu_and_mul_clamp --limit 7 --dtype bf16 --samples 100 -o "$r/planted.json" || true  # exit 1: it fails
for pair in elementwise routing combine; do
  { cat "$r/$pair.json"; printf '\0'; cat "$r/${pair}_seed2.json"; } > "$r/${pair}_diff.json"
done

# The golden readers run HDF5 in a child process first (golden/hdf5_io.hpp), so a crash or
# memory error there ends the child, not the harness: the read is then an error naming the
# file, as the commands answer it. The child's sanitizer report still reaches the log. One
# whose first frame past the sanitizer's own is in libhdf5 is HDF5's bug on a damaged file,
# contained; any other is ulpcheck's code failing in the child, a finding.
reports_outside_hdf5() {
  awk '
    /ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|runtime error:/ { open = 1; next }
    open && /^ *#[0-9]+ / {
      if ($0 ~ /__interceptor_|__asan_|__ubsan_|__sanitizer|libclang_rt/) next
      if ($0 !~ /libhdf5/) { print; outside++ }
      open = 0
    }
    END { exit outside ? 0 : 1 }' "$1"
}

status=0
run() {
  local harness="$1" corpus="$2" max_len="$3"
  echo "run-fuzzers: $harness for ${seconds} s"
  if ! "$build/tests/$harness" -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -max_len="$max_len" -timeout=180 \
      -rss_limit_mb=4096 -malloc_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/artifacts/$harness-" \
      "$work/corpus/$corpus" "$seeds/$corpus" > "$work/$harness.log" 2>&1; then
    echo "run-fuzzers: $harness found a problem; the input is in $work/artifacts/, its log:" >&2
    tail -n 60 "$work/$harness.log" >&2
    status=1
    return
  fi
  if reports_outside_hdf5 "$work/$harness.log" >&2; then
    echo "run-fuzzers: $harness: a sanitizer report in ulpcheck's code, in a child that read a golden file" \
      "(above: its first frame; the report is in $work/$harness.log)" >&2
    status=1
    return
  fi
  local contained
  contained=$(grep -cE 'ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|runtime error:' "$work/$harness.log" || true)
  [ "$contained" = 0 ] || echo "  $harness: $contained sanitizer report(s) inside libhdf5, each contained in a child (damaged input)"
  grep -E '^#[0-9]+[[:space:]]+DONE|^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' \
    "$work/$harness.log" | sed "s/^/  $harness: /"
}
# The largest seed is silu.h5, about 1 MB; the reports are under 200 KB.
run golden_file_fuzz golden 1100000
run report_document_fuzz reports 262144
exit $status
