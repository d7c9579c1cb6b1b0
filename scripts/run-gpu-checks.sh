#!/usr/bin/env bash
# Runs on the GPU machine from inside the bundle: the GPU test suite, exhaustive sweeps of
# every CUDA kernel (recorded, and compared with the committed record), every CUDA kernel
# against the committed golden files, a
# precision report of the default (CUDA) backend over every op and dtype, a fuzz campaign
# of every CUDA kernel, the Python package's tests on CUDA tensors, and the benchmarks. Results go to OUTDIR (default ./gpu-results).
#   GPU_TEST_FILTER   narrows the GPU tests (a gtest filter)
#   GOLDEN_DIR        the golden files (default: golden/data beside the bundle)
#   FUZZ_CASES        cases per property in the fuzz campaign (default 100, the command's default)
#   SECTIONS          the sections to run, of: tests exhaustive golden report fuzz python moe bench
#                     sanitize (default all but sanitize, which takes a call of its own)
#   SANITIZE_TOOLS    sanitize: compute-sanitizer's tools to run (default "memcheck racecheck")
#   SANITIZE_SHARDS   sanitize: processes per tool, each a gtest shard of the suites (default 12)
#   SANITIZE_TIMEOUT  sanitize: seconds a shard may run before it is stopped and counted as such
#                     (default 270, so that both tools fit one 10-minute call)
#   SANITIZE_FUZZ_CASES  sanitize: cases per property of CudaFuzz's campaign (default 10 of 40)
#   BENCH_SWEEPS      the benchmark's timed sweeps: one (default: one op per activation), all, none
#   BENCH_ARGS        more options of ulpcheck_bench (--sweeps-only: the sweeps without the kernel tables)
#   EXHAUSTIVE_COMPARE=0  records the sweeps without comparing them with the committed record
#                     (for a first recording, or one after a deliberate kernel change)
# Each section prints how long it took; the whole script fits one 10-minute call on an H200.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/gpu-results}"
mkdir -p "$out"
bin="$here/bin"
golden="${GOLDEN_DIR:-$here/../golden/data}"
section_start=$SECONDS
took() { echo "  ($((SECONDS - section_start)) s)"; section_start=$SECONDS; }
wants() { [[ " ${SECTIONS:-tests exhaustive golden report fuzz python moe bench} " == *" $1 "* ]]; }
gpu_rc=0 exhaustive_rc=0 golden_rc=0 report_rc=0 fuzz_rc=0 python_rc=0 moe_rc=0 sanitize_rc=0
echo "== machine"; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
"$bin/ulpcheck" list | grep '^GPU:'

if wants tests; then
echo "== GPU tests"
"$bin/device_cuda_test" --gtest_filter="${GPU_TEST_FILTER:-*}" > "$out/gpu_tests.log" 2>&1
gpu_rc=$?
grep -E '^\[ *(OK|FAILED|SKIPPED|PASSED) |^[a-z].*(ULP|differ|tokens|tanh.approx)' "$out/gpu_tests.log" | sed 's/^/  /'

else echo "== tests: skipped (SECTIONS)"; fi
took
if wants exhaustive; then
echo "== exhaustive sweeps of every CUDA kernel: every gated op's bf16/fp16 pairs at each checked limit, every"
echo "   fp32 input of the unary ops, every bf16/fp16 input of the unary ops"
echo "   recorded in $out/exhaustive.h5; compared with $golden/exhaustive.h5 where it has them"
cuda_kernels=$("$bin/ulpcheck" list | awk '/^  cuda\.[a-z_]*:/ && !/^  cuda\.(routing|combine)/ {sub(":", "", $1); print "--kernel", $1}')
exhaustive_rc=0
: > "$out/exhaustive.log"
mkdir -p "$out/exhaustive"
# The new records join the committed ones (the host kernels' 16-bit unary sweeps, which CI
# compares): the file written here is what golden/data/exhaustive.h5 becomes.
[ -f "$golden/exhaustive.h5" ] && cp "$golden/exhaustive.h5" "$out/exhaustive.h5"
for spec in "silu_and_mul bf16" "silu_and_mul fp16" "silu_and_mul_clamp bf16" "silu_and_mul_clamp fp16" \
            "gelu_and_mul bf16" "gelu_and_mul fp16" "gelu_tanh_and_mul bf16" "gelu_tanh_and_mul fp16" \
            "silu fp32" "gelu fp32" "gelu_tanh fp32" "silu bf16" "silu fp16" "gelu bf16" "gelu fp16" \
            "gelu_tanh bf16" "gelu_tanh fp16"; do
  set -- $spec
  against=()
  [ -f "$golden/exhaustive.h5" ] && [ "${EXHAUSTIVE_COMPARE:-1}" = 1 ] && against=(--against "$golden/exhaustive.h5")
  "$bin/ulpcheck" exhaustive --op "$1" --dtype "$2" $cuda_kernels --golden "$out/exhaustive.h5" "${against[@]}" \
    --format json -o "$out/exhaustive/$1.$2.json" >> "$out/exhaustive.log" 2>&1 || exhaustive_rc=$?
done
grep -E '^  [0-9]+ elements|DIFFERS|error' "$out/exhaustive.log" | sed 's/^/  /' | head -150
grep -c 'matches the record' "$out/exhaustive.log" | sed 's/^/  sweeps matching the committed record: /'

else echo "== exhaustive: skipped (SECTIONS)"; fi
took
if wants golden; then
echo "== every CUDA kernel against the golden files in $golden"
golden_rc=0
if [ -d "$golden" ]; then
  "$bin/ulpcheck" golden check --dir "$golden" $("$bin/ulpcheck" list | awk '/^  cuda\.[a-z_]*:/ {sub(":", "", $1); print "--kernel", $1}') \
    > "$out/golden_check.log" 2>&1
  golden_rc=$?
  grep -E 'groups passed|FAIL|first failure' "$out/golden_check.log" | sed 's/^/  /'
else
  echo "  no golden directory at $golden"
fi

else echo "== golden: skipped (SECTIONS)"; fi
took
if wants report; then
echo "== precision report of the CUDA backend, every op and dtype"
"$bin/ulpcheck" report --dtype all --format json -o "$out/report_gpu.json" 2> "$out/report.err"
report_rc=$?
"$bin/ulpcheck" report --dtype all --format html -o "$out/report_gpu.html" 2>> "$out/report.err"
tail -1 "$out/report.err" | sed 's/^/  /'
python3 - "$out/report_gpu.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"  {'op':18} {'params':10} {'dtype':5} {'kernel':32} {'max ULP':>10} {'> floor':>9} {'corr. rnd.':>10} {'breaches':>8}")
for c in d["cases"]:
    print(f"  {c['op']:18} {c.get('params_label', '') or '-':10} {c['dtype']:5} {c['kernel']:32} {c['max_ulp']:10.4g} "
          f"{c['max_ulp_above_floor']:9.4g} {100*c['fraction_correctly_rounded']:9.4f}% {c['budget_breaches']:8d} "
          f"{'PASS' if c['pass'] else 'FAIL'}")
PY

else echo "== report: skipped (SECTIONS)"; fi
took
if wants fuzz; then
echo "== fuzz campaign of every CUDA kernel (${FUZZ_CASES:-100} cases per property)"
"$bin/ulpcheck" fuzz $("$bin/ulpcheck" list | awk '/^  cuda\.[a-z_]*:/ {sub(":", "", $1); print "--kernel", $1}') \
  --cases "${FUZZ_CASES:-100}" --seed 20261123 --no-corpus --junit "$out/fuzz_gpu.xml" > "$out/fuzz_gpu.log" 2>&1
fuzz_rc=$?
grep -v "cases passed" "$out/fuzz_gpu.log" | sed 's/^/  /'

else echo "== fuzz: skipped (SECTIONS)"; fi
took
if wants python; then
echo "== the Python package on CPU and CUDA tensors (tests/python, this machine's python3 and torch)"
python_rc=0
if python3 -c "import pytest, torch" 2> /dev/null; then
  ULPCHECK_LIBRARY="$here/lib/libulpcheck.so" PYTHONDONTWRITEBYTECODE=1 \
    python3 -m pytest -p no:cacheprovider -rs -q "$here/../tests/python" > "$out/python_tests.log" 2>&1
  python_rc=$?
  grep -E 'passed|failed|SKIPPED|FAILED|^E ' "$out/python_tests.log" | head -40 | sed 's/^/  /'
else
  echo "  skipped: python3 here has no pytest or no torch"
fi

else echo "== python: skipped (SECTIONS)"; fi
took
if wants moe; then
echo "== the combine and the MoE block in a report of the CUDA backend, every dtype"
"$bin/ulpcheck" report --op moe_combine --op moe_block --dtype all -o "$out/report_combine.md" 2> "$out/report_combine.err" ||
  moe_rc=$?
"$bin/ulpcheck" report --op moe_combine --op moe_block --dtype all --format json -o "$out/report_combine.json" \
  2>> "$out/report_combine.err" || moe_rc=$?
tail -1 "$out/report_combine.err" | sed 's/^/  /'
grep -E '^\| cuda\.combine|^\| (router|gate_up|activation|down|shared|combine)|^### MoE|^Ran on|^Every stage|^\*\*' \
  "$out/report_combine.md" | sed 's/^/  /'
echo "== the MoE block on the host and CUDA pipelines (cuBLAS opened at run time: libcublas.so.13 from the"
echo "   loader's path, the toolkit or an nvidia-cublas wheel, or \$ULPCHECK_CUBLAS)"
"$bin/device_cuda_moe_pipeline_test" > "$out/moe_tests.log" 2>&1 || moe_rc=$?
grep -E '^\[ *(OK|FAILED|SKIPPED|PASSED) |^cuda.gemm_cublas|skipped|Failure' "$out/moe_tests.log" | sed 's/^/  /'
for dtype in bf16 fp16 fp32; do
  "$bin/ulpcheck_moe_block" --dtype "$dtype" --json "$out/moe_block.$dtype.json" > "$out/moe_block.$dtype.md" 2>&1 ||
    moe_rc=$?
  sed 's/^/  /' "$out/moe_block.$dtype.md"
done

else echo "== moe: skipped (SECTIONS)"; fi
took
if wants bench; then
echo "== benchmarks"
"$bin/ulpcheck_bench" --sweeps "${BENCH_SWEEPS:-one}" ${BENCH_ARGS:-} 2>&1 | tee "$out/bench.log" | sed 's/^/  /'

else echo "== bench: skipped (SECTIONS)"; fi
took
if [[ " ${SECTIONS:-} " == *" sanitize "* ]]; then
# Both GPU suites under each tool, every test but three kinds, each suite split into gtest
# shards that run at once (their host-side oracles are the slow part under a tool, and the
# machine has the cores). Left out: the exhaustive suites and the shapes past 2^31 elements,
# which run kernels the other tests sanitize on all 2^32 inputs or on 8 GiB tensors (more
# than a tool's shadow memory and time allow), and CudaFaults, whose faults are planted.
sanitize_filter='-*Exhaustive*.*:*TwoToThe31*:CudaFaults.*'
echo "== compute-sanitizer over the GPU suites (all tests but $sanitize_filter), ${SANITIZE_SHARDS:-12} shards a tool"
shards=${SANITIZE_SHARDS:-12}
for tool in ${SANITIZE_TOOLS:-memcheck racecheck}; do
  tool_start=$SECONDS
  for suite in device_cuda_test device_cuda_moe_pipeline_test; do
    for ((k = 0; k < shards; k++)); do
      log="$out/sanitize.$tool.$suite.$k.log"
      (ULPCHECK_GPU_FUZZ_CASES=${SANITIZE_FUZZ_CASES:-10} GTEST_TOTAL_SHARDS=$shards GTEST_SHARD_INDEX=$k timeout "${SANITIZE_TIMEOUT:-270}" compute-sanitizer \
         --tool "$tool" --error-exitcode 99 "$bin/$suite" --gtest_filter="$sanitize_filter" > "$log" 2>&1
       echo "shard exit $?" >> "$log") &
    done
  done
  wait
  tests=$(cat "$out"/sanitize."$tool".*.log | grep -c '^\[       OK \]')
  failed=$(cat "$out"/sanitize."$tool".*.log | grep -c '^\[  FAILED  \] .* ([0-9]* ms)$')
  skipped=$(cat "$out"/sanitize."$tool".*.log | grep -c '^\[  SKIPPED \] .* ([0-9]* ms)$')
  reports=$(cat "$out"/sanitize."$tool".*.log | grep -E '^========= ERROR SUMMARY' | awk '{s += $4} END {print s + 0}')
  stopped=$(cat "$out"/sanitize."$tool".*.log | grep -c '^shard exit 124')
  # A shard's exit: 0 clean, 99 errors reported, 124 stopped at the timeout, anything else a
  # failed test; except a shard the sharding left without tests, which makes no CUDA call
  # and so ends as the tool's error "terminated before first instrumented API call".
  unclean=0
  for log in "$out"/sanitize."$tool".*.log; do
    grep -q '^shard exit 0$' "$log" || grep -q '^\[==========\] 0 tests from 0 test suites ran' "$log" ||
      unclean=$((unclean + 1))
  done
  echo "  $tool: $tests tests passed, $failed failed, $skipped skipped; $reports errors reported; $stopped of" \
       "$((2 * shards)) shards stopped at the timeout ($((SECONDS - tool_start)) s)"
  for log in $(grep -l '^shard exit 124' "$out"/sanitize."$tool".*.log); do
    grep '^\[ RUN' "$log" | tail -1 | sed "s|^|    stopped in $(basename "$log"): |"
  done
  echo "    slowest under $tool:"
  grep -h '^\[       OK \]' "$out"/sanitize."$tool".*.log | sed -E 's/.*\] (.*) \(([0-9]+) ms\)/\2 ms \1/' |
    sort -n -r | head -6 | sed 's/^/      /'
  grep -h -E '^========= (Invalid|Race|Error|Program hit|.*hazard)' "$out"/sanitize."$tool".*.log |
    grep -v 'before first instrumented API call' | sort | uniq -c | head -20 | sed 's/^/    /'
  if [ "$unclean" != 0 ] || [ "$reports" != 0 ]; then sanitize_rc=1; fi
done
cat "$out"/sanitize.*.log > "$out/sanitize.log"
else echo "== sanitize: skipped (SECTIONS has no sanitize)"; fi
took
echo "== exit: gpu tests $gpu_rc, exhaustive $exhaustive_rc, golden check $golden_rc, report $report_rc, fuzz $fuzz_rc, python $python_rc, moe $moe_rc, sanitize $sanitize_rc"
exit $(( gpu_rc | exhaustive_rc | golden_rc | report_rc | fuzz_rc | python_rc | moe_rc | sanitize_rc ))
