#!/usr/bin/env bash
# Runs every libFuzzer target (tests/fuzz) for SECONDS each (default 600),
# JOBS at a time (default 1), from its seeds plus what earlier runs found.
#   scripts/fuzz.sh [SECONDS]            all targets
#   FUZZ_TARGETS="idx timezone" scripts/fuzz.sh 60
# Builds the fuzz preset first (clang-14, libclang-rt-14-dev). Corpus, logs
# and crashing inputs go under build-fuzz/tests/fuzz/{corpus,logs,artifacts};
# the last lines print each target's executions and coverage (cov, ft).
# A crash is kept as artifacts/<target>/crash-*: fix it, then copy it into
# tests/fuzz/regressions/<target>/ so that ctest -L fuzz replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
jobs="${JOBS:-1}"
build=build-fuzz
work="$build/tests/fuzz"

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
targets="${FUZZ_TARGETS:-$(cd "$work" && ls fuzz_* | sed 's/^fuzz_//')}"
mkdir -p "$work/logs"

run_one() {
  local target="$1"
  mkdir -p "$work/corpus/$target" "$work/artifacts/$target"
  "$work/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/$target/" \
    "$work/corpus/$target" "tests/fuzz/corpus/$target" >"$work/logs/$target.log" 2>&1
}

status=0
pids=()
names=()
for target in $targets; do
  run_one "$target" &
  pids+=($!)
  names+=("$target")
  if ((${#pids[@]} >= jobs)); then
    wait "${pids[0]}" || { echo "FAILED: ${names[0]} (see $work/logs/${names[0]}.log)"; status=1; }
    pids=("${pids[@]:1}")
    names=("${names[@]:1}")
  fi
done
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || { echo "FAILED: ${names[$i]} (see $work/logs/${names[$i]}.log)"; status=1; }
done

printf '%-18s %12s %8s %8s %8s\n' target executions seconds cov ft
for target in $targets; do
  log="$work/logs/$target.log"
  # A target that stopped on a crash has no totals: its line shows '-'.
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' || true)
  took=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | awk '{print $5}' || true)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(grep -o 'cov: [0-9]*' <<<"$last" | awk '{print $2}' || true)
  ft=$(grep -o 'ft: [0-9]*' <<<"$last" | awk '{print $2}' || true)
  printf '%-18s %12s %8s %8s %8s\n' "$target" "${runs:--}" "${took:--}" "${cov:--}" "${ft:--}"
done
exit "$status"
