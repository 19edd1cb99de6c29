#!/usr/bin/env bash
# clang-tidy, with the repository's .clang-tidy, on the C++ files changed
# since a base revision (default: the merge base with main), using the
# compile commands of an existing build.
#
#   scripts/lint.sh [BASE] [BUILD_DIR]      e.g. scripts/lint.sh HEAD~3
#   scripts/lint.sh --all [BUILD_DIR]       every source file
#
# A changed header is checked through the sources that include it
# (HeaderFilterRegex in .clang-tidy). Exits non-zero when clang-tidy reports
# a warning, so it can gate a commit.
set -euo pipefail
cd "$(dirname "$0")/.."

base=${1:-}
build=${2:-build}
if [[ ! -f "$build/compile_commands.json" ]]; then
  echo "lint: no $build/compile_commands.json; configure first (cmake --preset default)" >&2
  exit 2
fi
tidy=$(command -v clang-tidy || command -v clang-tidy-14 || true)
if [[ -z "$tidy" ]]; then
  echo "lint: clang-tidy not found (Debian package clang-tidy)" >&2
  exit 2
fi

if [[ "$base" == "--all" ]]; then
  mapfile -t files < <(git ls-files 'src/*.cpp' 'python/*.cpp')
else
  base=${base:-$(git merge-base HEAD main 2>/dev/null || echo HEAD)}
  mapfile -t changed < <(git diff --name-only --diff-filter=ACMR "$base" -- '*.cpp' '*.hpp' '*.h';
                         git ls-files --others --exclude-standard -- '*.cpp' '*.hpp')
  files=()
  for f in "${changed[@]}"; do
    case "$f" in
      *.cpp) files+=("$f") ;;
      # A header: the sources that include it by its path under src/ or include/.
      *) key=${f#src/}; key=${key#include/}
         mapfile -t users < <(git grep -l --fixed-strings "\"$key\"" -- 'src/*.cpp' || true)
         files+=("${users[@]}") ;;
    esac
  done
fi
mapfile -t files < <(printf '%s\n' "${files[@]}" | sort -u | grep -v '^$' || true)
# Only what the build compiles has compile commands (LibTorch code may be off).
checked=()
for f in "${files[@]}"; do
  [[ -f "$f" ]] && grep -q "\"file\": \".*/$f\"" "$build/compile_commands.json" && checked+=("$f")
done
if ((${#checked[@]} == 0)); then
  echo "lint: no changed source file to check"
  exit 0
fi
echo "lint: clang-tidy on ${#checked[@]} file(s)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$tidy" -p "$build" --quiet "${checked[@]}" 2>/dev/null | tee "$log"
if grep -q "warning:" "$log"; then
  echo "lint: $(grep -c 'warning:' "$log") warning(s)" >&2
  exit 1
fi
echo "lint: clean"
