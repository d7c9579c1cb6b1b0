#!/usr/bin/env bash
# Builds ulpcheck with its CUDA kernels for Hopper (sm_90 machine code plus PTX) and packs
# a self-contained directory, bundle/, that runs on an x86-64 machine with only the NVIDIA
# driver installed: the binaries look for their shared libraries in bundle/lib through an
# rpath of $ORIGIN/../lib, and the CUDA runtime is linked statically.
#
#   scripts/make-gpu-bundle.sh            # -> bundle/ (about 20 MB)
#   bundle/run-gpu-checks.sh OUTDIR       # on the GPU machine: tests and reports into OUTDIR
# CMAKE_ARGS adds configure options (e.g. a compiler launcher such as ccache).
set -euo pipefail
cd "$(dirname "$0")/.."
build=build-gpu
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DULPCHECK_CUDA=ON \
  -DCMAKE_CUDA_ARCHITECTURES="90-real;90-virtual" '-DCMAKE_BUILD_RPATH=$ORIGIN/../lib' ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build" --parallel "$(nproc)"

rm -rf bundle
mkdir -p bundle/bin bundle/lib
# The command, the benchmarks and the GPU tests. The CPU suites run in CI: each links the
# whole library with every kernel's device code, and with them the bundle would not fit the
# 64 MB a lent GPU machine takes.
binaries=("$build/ulpcheck" "$build/bench/ulpcheck_bench" "$build/tests/device_cuda_test"
          "$build/bench/ulpcheck_moe_block" "$build/tests/device_cuda_moe_pipeline_test")
cp "${binaries[@]}" bundle/bin/
strip --strip-unneeded bundle/bin/*
find "$build" -name '*.so' -path '*examples*' -exec cp {} bundle/lib/ \; 2>/dev/null || true
cp "$build/tests/plugins/libulpcheck_faulty_gpu_plugin.so" bundle/lib/  # faults_test.cpp's planted fault
# The C library, for the Python package (python/ulpcheck, pure Python: the GPU machine's own
# Python and torch load it with ctypes).
cp -L "$build/capi/libulpcheck.so" bundle/lib/libulpcheck.so
strip --strip-unneeded bundle/lib/libulpcheck.so

# Every shared library the binaries need except glibc's own, which every Linux has and
# which must match the kernel's loader.
glibc='^(linux-vdso|ld-linux|libc|libm|libdl|librt|libpthread|libresolv)\.so'
for b in bundle/bin/* bundle/lib/libulpcheck.so; do
  ldd "$b" | awk '/=> \// {print $1, $3}' | while read -r soname path; do
    [[ "$soname" =~ $glibc ]] && continue
    [ -e "bundle/lib/$soname" ] || cp -L "$path" "bundle/lib/$soname"
  done
done
for b in bundle/bin/*; do
  readelf -d "$b" | grep -q 'RUNPATH.*\$ORIGIN/../lib' || { echo "make-gpu-bundle: $b lacks the \$ORIGIN rpath" >&2; exit 1; }
done
cp scripts/run-gpu-checks.sh bundle/
echo "bundle: $(du -sh bundle | cut -f1) in bundle/ ($(ls bundle/bin | wc -l) binaries, $(ls bundle/lib | wc -l) libraries)"
