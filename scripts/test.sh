#!/usr/bin/env bash
# The whole test suite from a fresh clone: install dependencies, configure,
# build, run every test with ctest; then the fuzz targets (a second build with
# clang 14, tests/fuzz): each replays its seeds and kept regressions and
# fuzzes briefly. Without clang-14 that part is skipped, and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset default
cmake --build --preset default
ctest --preset default
if command -v clang++-14 >/dev/null; then
  cmake --preset fuzz
  cmake --build --preset fuzz
  ctest --preset fuzz
else
  echo "test.sh: clang++-14 not found: the fuzz targets were not built or run" >&2
fi
