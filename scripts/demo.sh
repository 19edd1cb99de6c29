#!/usr/bin/env bash
# The main job from a fresh clone: install, build, list the energy sensors this
# machine has, then run joule's flagship: `joule bench --quick`, every
# Fashion-MNIST model family trained and served on this machine, quality
# against joules (about 5 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset default
cmake --build --preset default --target joule joule-bench
./build/joule sensors
./build/joule bench --quick --out build/bench-quick --no-ledger
