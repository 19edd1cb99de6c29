#!/usr/bin/env bash
# Rebuilds the reference tables in data/ from pinned upstream snapshots, so a
# yearly update is one command and a review of `git diff data/`.
#
#   scripts/update-data.sh [--fetch] [--accept NAME] [--google-year YEAR]
#
#   --fetch        download every file named in scripts/refdata/upstream.lock
#                  into .cache/refdata/ (default: use what is cached there)
#   --accept NAME  record the checksum of NAME's newly fetched file in the lock
#                  (after changing its pinned URL); without it a checksum that
#                  differs from the lock stops the script
#   --google-year  the year of Google's region file to lay over
#                  cloud_regions.csv (default 2025: google_regions_2025)
#
# Steps it runs, each a script in scripts/refdata/ that rewrites only the
# columns it owns and keeps every other byte:
#   1. cloud_regions.csv: Google's regional figures and CFE for the year; the
#      figure replaced moves to provider_grid_prev_* (google_regions.py).
#   2. cpu_power_per_vcpu.csv: rows recomputed from SPECpower runs
#      (specpower_vcpu.py over data/cpu_specpower_rows.csv; pick the runs of a
#      new architecture from the specpower file by hand: the selection is a
#      judgement the script must not make).
#   3. the consistency check: tests/carbon/consistency_test.cpp, which must
#      pass before the diff is committed.
# Steps that remain manual (their sources are not machine-readable at a
# stable URL, or need a person's reading), each recorded in the table's
# header and in docs/methodology.md's data vintage table:
#   - grid_intensity_country.csv from Ember's yearly release (CO2.js
#     average-intensities.json is fetched for comparison) and OWID;
#   - grid_intensity_region.csv from EPA's eGRID workbook (eGRID2023 is the
#     next edition);
#   - grid_intensity_emaps.csv from CO2.js's electricity-maps yearly files;
#   - PUE figures (AWS, Google, Microsoft sustainability pages);
#   - a new cloud region: country, subdivision and the grid zone of the
#     utility serving the site (the consistency check lists unreviewed zones).
set -euo pipefail
cd "$(dirname "$0")/.."

fetch=0
accept=""
google_year=2025
while [[ $# -gt 0 ]]; do
  case "$1" in
    --fetch) fetch=1 ;;
    --accept) accept=$2; shift ;;
    --google-year) google_year=$2; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed 's/^# \{0,1\}//;$d'; exit 0 ;;
    *) echo "update-data: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

lock=scripts/refdata/upstream.lock
cache=.cache/refdata
mkdir -p "$cache"

# name -> "url sha256"
declare -A url sum
while read -r name u s; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  url[$name]=$u
  sum[$name]=$s
done < "$lock"

record_checksum() {  # name sha256
  local tmp
  tmp=$(mktemp)
  awk -v n="$1" -v s="$2" '$1 == n { $3 = s } { print }' "$lock" > "$tmp"
  mv "$tmp" "$lock"
}

for name in "${!url[@]}"; do
  file="$cache/$name"
  if [[ $fetch == 1 ]]; then
    curl -fsSL --retry 3 -o "$file.new" "${url[$name]}"
    mv "$file.new" "$file"
  fi
  if [[ ! -f "$file" ]]; then
    echo "update-data: $file missing; run with --fetch" >&2
    exit 1
  fi
  actual=$(sha256sum "$file" | cut -d' ' -f1)
  expected=${sum[$name]}
  if [[ "$expected" == "-" || "$name" == "$accept" ]]; then
    record_checksum "$name" "$actual"
    echo "update-data: recorded $name sha256 $actual"
  elif [[ "$actual" != "$expected" ]]; then
    echo "update-data: $name changed upstream: sha256 $actual, lock says $expected" >&2
    echo "  if the new file is intended, rerun with --accept $name and review the diff" >&2
    exit 1
  fi
done

python3 scripts/refdata/google_regions.py data/cloud_regions.csv \
  "$cache/google_regions_$google_year" "$google_year"
python3 scripts/refdata/specpower_vcpu.py data/cpu_specpower_rows.csv data/cpu_power_per_vcpu.csv

if [[ -x build/tests/joule_carbon_tests ]]; then
  cmake --build build --target joule_carbon_tests >/dev/null
  build/tests/joule_carbon_tests --gtest_filter='Consistency.*:CarbonData.*'
else
  echo "update-data: build joule_carbon_tests and run --gtest_filter='Consistency.*' before committing" >&2
fi
git --no-pager diff --stat -- data/
