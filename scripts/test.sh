#!/usr/bin/env bash
# The whole test suite from a fresh clone: install dependencies, configure,
# build, run every test with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset default
cmake --build --preset default
ctest --preset default
