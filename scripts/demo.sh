#!/usr/bin/env bash
# The main job from a fresh clone: install, build, list the energy sensors this
# machine has, then measure a short workload with them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset default
cmake --build --preset default --target joule
./build/joule sensors
./build/joule demo --seconds 3
