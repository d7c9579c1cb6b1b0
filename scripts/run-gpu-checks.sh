#!/usr/bin/env bash
# Runs on the GPU machine from inside the bundle: the GPU test suite, the CPU suite as a
# sanity check of the bundle itself, precision reports of every CUDA kernel variant on
# 10^7 random (gate, up) pairs per dtype, and a fuzz campaign of the CUDA kernels. Results
# go to OUTDIR (default ./gpu-results). GPU_TEST_FILTER narrows the GPU tests (a gtest
# filter); SKIP_CPU_TESTS=1 leaves the CPU suite out.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/gpu-results}"
mkdir -p "$out"
bin="$here/bin"
echo "== machine"; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
"$bin/ulpcheck" list | grep '^GPU:'

echo "== GPU tests"
"$bin/device_cuda_test" --gtest_filter="${GPU_TEST_FILTER:-*}" 2>&1 | tee "$out/gpu_tests.log" | grep -E '^\[ *(OK|FAILED|SKIPPED|PASSED) ' | sed 's/^/  /'
gpu_rc=${PIPESTATUS[0]}

echo "== CPU tests from the bundle"
cpu_rc=0
: > "$out/cpu_tests.log"
[ "${SKIP_CPU_TESTS:-0}" = 1 ] && echo "  skipped (SKIP_CPU_TESTS=1)"
for t in "$bin"/*_test; do
  [ "${SKIP_CPU_TESTS:-0}" = 1 ] && break
  # These load plugins and the binary by their paths in the build tree; CI runs them.
  case "$(basename "$t")" in device_cuda_test | cli_test | cli_fuzz_test | cli_report_test | device_plugin_test) continue ;; esac
  "$t" --gtest_filter='-*Exhaustive*.*:*Campaign*.*' >> "$out/cpu_tests.log" 2>&1 || { cpu_rc=1; echo "  FAILED: $(basename "$t")"; }
done
grep -cE '^\[       OK \]' "$out/cpu_tests.log" | sed 's/^/  passed: /'

echo "== reports (10^7 random pairs each)"
: > "$out/reports.jsonl"
for k in cuda.single_rounding cuda.double_rounding cuda.single_rounding_fast_math cuda.double_rounding_fast_math; do
  for dt in bf16 fp16 fp32; do
    # Exit 1 (a breach) still prints the report; 2 or 3 means it did not run.
    "$bin/ulpcheck" report --op silu_and_mul --dtype "$dt" --kernel "$k" --samples 10000000 --format json \
      > "$out/report.json" 2> "$out/report.err"
    if [ $? -le 1 ]; then
      python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))))' "$out/report.json" >> "$out/reports.jsonl"
    else
      echo "  $k $dt did not run: $(tail -1 "$out/report.err")"
    fi
  done
done
python3 - "$out/reports.jsonl" <<'PY'
import json, sys
print(f"  {'kernel':32} {'dtype':5} {'max ULP':>10} {'above floor':>11} {'corr. rounded':>14} {'off>=1':>8} {'breaches':>8} verdict")
for line in open(sys.argv[1]):
  for d in json.loads(line)["cases"]:
    print(f"  {d['kernel']:32} {d['dtype']:5} {d['max_ulp']:10.4g} {d['max_ulp_above_floor']:11.4g} "
          f"{100*d['fraction_correctly_rounded']:13.4f}% {100*d['fraction_off_by_one_ulp']:7.4f}% {d['budget_breaches']:8d} "
          f"{'PASS' if d['pass'] else 'FAIL'}")
PY
rm -f "$out/report.json" "$out/report.err"

echo "== fuzz campaign of the CUDA kernels (200 cases per property)"
"$bin/ulpcheck" fuzz --kernel cuda.single_rounding --kernel cuda.double_rounding \
  --kernel cuda.single_rounding_fast_math --kernel cuda.double_rounding_fast_math \
  --cases 200 --seed 20261122 --junit "$out/fuzz_gpu.xml" > "$out/fuzz_gpu.log" 2>&1
fuzz_rc=$?
grep -v "cases passed" "$out/fuzz_gpu.log" | sed 's/^/  /'

echo "== exit: gpu tests $gpu_rc, cpu tests $cpu_rc, fuzz $fuzz_rc"
exit $(( gpu_rc | cpu_rc | fuzz_rc ))
