#!/usr/bin/env bash
# Installs ./build into a scratch prefix and uses it as a kernel repository would: configures,
# builds and tests examples/downstream against the installed CMake package, imports the
# installed Python package, and looks for the man page. Everything it writes stays under
# build/install-check/ (ignored by git), rebuilt from scratch on every run so that nothing
# left from an earlier install can stand in for a missing file. Run by scripts/run-tests.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$PWD/build/install-check"
prefix="$work/prefix"
rm -rf "$work"
mkdir -p "$work"

echo "check-install: installing build/ into $prefix"
cmake --install build --prefix "$prefix" >"$work/install.log" || { cat "$work/install.log"; exit 1; }

echo "check-install: examples/downstream against it"
cmake -S examples/downstream -B "$work/downstream" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/downstream"
ctest --test-dir "$work/downstream" --output-on-failure

python_dir="$prefix/lib/python3/dist-packages"
if [ -d "$python_dir/ulpcheck" ]; then
  echo "check-install: the Python package finds the installed library by its layout alone"
  # From / and without ULPCHECK_LIBRARY, so that neither the source tree nor the environment
  # can provide the library.
  (cd / && env -u ULPCHECK_LIBRARY PYTHONPATH="$python_dir" python3 - "$prefix" <<'PY'
import pathlib, sys
import ulpcheck
from ulpcheck import _capi
prefix = pathlib.Path(sys.argv[1]).resolve()
loaded = pathlib.Path(_capi.library()._name).resolve()
if prefix not in loaded.parents:
    sys.exit(f"check-install: the installed package loaded {loaded}, outside {prefix}")
print(f"check-install: {ulpcheck.version()} from {loaded}")
PY
  )
fi

man_page="$prefix/share/man/man1/ulpcheck.1"
if ! grep -q 'ulpcheck golden check' "$man_page"; then
  echo "check-install: $man_page is missing or lacks the subcommands' sections" >&2
  exit 1
fi
echo "check-install: passed"
