#!/usr/bin/env bash
# Installs, from Debian 12's archive only, what ulpcheck needs to build, test and cross-check.
# Safe to re-run: apt-get skips what is already installed.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  libeigen3-dev libboost-dev libmpfr-dev libgmp-dev
  librapidcheck-dev libgtest-dev libhdf5-dev libdlpack-dev help2man
  libcli11-dev libfmt-dev nlohmann-json3-dev
  python3 python3-mpmath python3-h5py python3-numpy python3-jsonschema python3-torch python3-pytest
  # The sanitized build and the fuzz harnesses (scripts/run-sanitized-tests.sh): Clang, its
  # sanitizer and libFuzzer run times, and llvm-symbolizer for the reports' stack traces.
  clang libclang-rt-14-dev llvm
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all ${#packages[@]} packages present"
fi
