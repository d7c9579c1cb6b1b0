#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs the fast CPU suite.
# Extra arguments go to ctest (e.g. -L slow for the exhaustive runs, -R Oracle to filter).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
if [ $# -eq 0 ]; then set -- -L cpu; fi
ctest --test-dir build --output-on-failure --parallel "$(nproc)" "$@"
