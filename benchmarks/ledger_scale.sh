#!/usr/bin/env bash
# The ledger's read path at a million runs, and `joule run`'s fixed cost on
# both ledgers (issue #17). Prints one line per figure.
#
#   benchmarks/ledger_scale.sh [JOULE]        (default build/joule)
#
# RUNS (default 1000000) runs are made from one real record of `joule run`
# (about 4.4 kB of JSON, as real ones are), one a minute from 2024-01-01, tagged
# project=p0..p9, each with the CSV line its own record gives (the template's
# line with its id, start time and tag put in), into $LEDGER (default /tmp/joule-ledger-RUNS.sqlite, ~4.5 GB
# for a million). The file is built once and reused while it has RUNS runs.
# The PostgreSQL figures use a throw-away server on a Unix socket in a
# temporary directory (run as nobody under root), stopped by its PID at exit.
set -euo pipefail

JOULE=$(realpath "${1:-build/joule}")
RUNS=${RUNS:-1000000}
LEDGER=${LEDGER:-/tmp/joule-ledger-$RUNS.sqlite}
REPEAT=${REPEAT:-3}
RUN_COST_REPEAT=${RUN_COST_REPEAT:-20}
JSON_EXPORT=${JSON_EXPORT:-1}  # 0: skip the (slow) export --json figure

export JOULE_SENSORS=estimator JOULE_COUNTRY=FR JOULE_LEDGER="$LEDGER"
work=$(mktemp -d)
chmod 755 "$work"
postmaster=""
cleanup() {
  if [[ -n "$postmaster" ]]; then
    kill -INT "$postmaster" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$postmaster" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT

build_ledger() {
  # A ledger of an older layout has no CSV lines: built again.
  if [[ -f "$LEDGER" ]] &&
     [[ $(sqlite3 "$LEDGER" "SELECT count(csv_row) FROM runs" 2>/dev/null) == "$RUNS" ]]; then
    echo "# reusing $LEDGER ($RUNS runs)"
    return
  fi
  echo "# building $LEDGER ($RUNS runs) ..."
  rm -f "$LEDGER" "$LEDGER-wal" "$LEDGER-shm"
  # The tag's value is a placeholder each copy replaces in its CSV line.
  "$JOULE" run -q --ledger "$work/template.sqlite" --tag project=pTAGx -- sleep 2
  "$JOULE" run -q --ledger "$LEDGER" -- true  # the current layout
  local start=$SECONDS
  sqlite3 "$LEDGER" <<SQL
PRAGMA synchronous=OFF;
ATTACH '$work/template.sqlite' AS t;
DELETE FROM runs;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $RUNS - 1),
made AS (
  SELECT i,
         strftime('%Y%m%d-%H%M%S', 1704067200 + i * 60, 'unixepoch') || printf('-%08x', i) AS id,
         strftime('%Y-%m-%dT%H:%M:%S.000Z', 1704067200 + i * 60, 'unixepoch') AS started
  FROM n)
INSERT INTO runs (id, started_at, ended_at, status, command, cwd, duration_s, machine_energy_j,
                  attributed_energy_j, co2e_g, owner_pid, owner_boot_id, owner_start_ticks,
                  checkpoint_at, record, owner_host, csv_row, csv_layout)
SELECT made.id, made.started, made.started, 'finished', r.command, r.cwd, r.duration_s,
       r.machine_energy_j, r.attributed_energy_j, r.co2e_g, r.owner_pid, r.owner_boot_id,
       r.owner_start_ticks, made.started,
       json_set(r.record, '\$.id', made.id, '\$.started_at', made.started,
                '\$.tags', json_object('project', 'p' || (made.i % 10))),
       r.owner_host,
       replace(replace(replace(r.csv_row, r.id, made.id), r.started_at, made.started),
               'pTAGx', 'p' || (made.i % 10)),
       r.csv_layout
FROM made, t.runs AS r;
INSERT INTO run_tags (run_id, key, value)
SELECT id, 'project', json_extract(record, '\$.tags.project') FROM runs;
COMMIT;
SQL
  echo "# built in $((SECONDS - start)) s, $(du -h "$LEDGER" | cut -f1)"
}

# Median wall and CPU (user + system) time (ms), and the largest RSS (MB), of
# REPEAT runs after a warm-up. CPU time is the steadier figure on a shared VM.
measure() {
  local label=$1
  shift
  "$@" >/dev/null 2>&1 || { echo "$label: FAILED: $*"; return; }
  local walls=() cpus=() rss=0
  for _ in $(seq "$REPEAT"); do
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/err"
    read -r secs user sys kb <"$work/time"
    walls+=("$secs")
    cpus+=("$(echo "$user + $sys" | bc)")
    ((kb > rss)) && rss=$kb
  done
  local middle=$(((REPEAT + 1) / 2)) wall cpu
  wall=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "${middle}p")
  cpu=$(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "${middle}p")
  printf '%-42s %8.0f ms wall %8.0f ms CPU %7.1f MB RSS\n' "$label" "$(echo "$wall * 1000" | bc)" \
    "$(echo "$cpu * 1000" | bc)" "$(echo "scale=1; $rss / 1024" | bc)"
  LAST_WALL_MS=$(echo "$wall * 1000" | bc)
  LAST_CPU_MS=$(echo "$cpu * 1000" | bc)
}

# Mean wall and CPU time (ms) of `joule run -q ... -- true` over
# RUN_COST_REPEAT runs (CPU: user + system of joule and its command).
run_cost() {
  local label=$1
  shift
  "$JOULE" run -q "$@" -- true
  local start end user sys
  start=$(date +%s%N)
  /usr/bin/time -f "%U %S" -o "$work/time" bash -c \
    'for _ in $(seq "$1"); do "$2" run -q "${@:3}" -- true; done' _ "$RUN_COST_REPEAT" "$JOULE" "$@"
  end=$(date +%s%N)
  read -r user sys <"$work/time"
  printf '%-42s %8.1f ms wall %8.1f ms CPU per run (mean of %d)\n' "$label" \
    "$(echo "scale=1; ($end - $start) / 1000000 / $RUN_COST_REPEAT" | bc)" \
    "$(echo "scale=1; ($user + $sys) * 1000 / $RUN_COST_REPEAT" | bc)" "$RUN_COST_REPEAT"
}

start_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [[ -x "$bin/pg_ctl" ]] || { echo "# no PostgreSQL server installed: skipping its figures"; return 1; }
  local as_server=()
  mkdir -p "$work/pg"
  if [[ $(id -u) -eq 0 ]]; then
    chown "$(id -u nobody):$(id -g nobody)" "$work/pg"
    as_server=(setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups --
               env -C "$work/pg")
  fi
  "${as_server[@]}" "$bin/initdb" -D "$work/pg/data" -U joule --auth=trust -E UTF8 --locale=C \
    --no-instructions >/dev/null
  "${as_server[@]}" "$bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
    -o "-k $work/pg -c listen_addresses=" start >/dev/null
  postmaster=$(head -1 "$work/pg/data/postmaster.pid")
}

build_ledger
some_id=$(sqlite3 "$LEDGER" "SELECT id FROM runs ORDER BY id LIMIT 1 OFFSET $((RUNS / 2))")
echo "# $("$JOULE" --version 2>/dev/null | head -1), $(nproc) CPUs, ledger $(du -h "$LEDGER" | cut -f1)"
measure "joule ls (latest 20)" "$JOULE" ls
measure "joule ls --tag project=p3 (latest 20)" "$JOULE" ls --tag project=p3
measure "joule ls --since 2025-06-01 -n 20" "$JOULE" ls --since 2025-06-01 -n 20
measure "joule show ID" "$JOULE" show "$some_id"
measure "joule show PREFIX (15 characters)" "$JOULE" show "${some_id:0:15}"
measure "joule export --csv (all runs)" "$JOULE" export --csv --out "$work/all.csv"
printf '%-42s %8.0f runs/s wall %6.0f runs/s CPU\n' "  export --csv throughput" \
  "$(echo "$RUNS * 1000 / $LAST_WALL_MS" | bc)" "$(echo "$RUNS * 1000 / $LAST_CPU_MS" | bc)"
# The stored lines are what reading each record gives: a few rows exported
# as stored, then with their lines disowned (read from the record), alike.
check_lines() {
  local since=2024-01-01T00:00 until=2024-01-01T00:30
  "$JOULE" export --csv --since "$since" --until "$until" --out "$work/stored.csv" 2>/dev/null
  sqlite3 "$LEDGER" "UPDATE runs SET csv_layout = 'disowned' WHERE started_at <= '2024-01-01T00:30:59'"
  "$JOULE" export --csv --since "$since" --until "$until" --out "$work/decoded.csv" 2>/dev/null
  sqlite3 "$LEDGER" "UPDATE runs SET csv_layout = (SELECT csv_layout FROM runs WHERE csv_layout <> 'disowned' LIMIT 1) WHERE csv_layout = 'disowned'"
  if cmp -s "$work/stored.csv" "$work/decoded.csv"; then
    echo "# stored CSV lines match the records ($(($(wc -l <"$work/stored.csv") - 1)) rows compared)"
  else
    echo "# STORED CSV LINES DIFFER from the records:"; diff "$work/stored.csv" "$work/decoded.csv" | head -5
  fi
}
check_lines
if [[ "$JSON_EXPORT" == 1 ]]; then
  measure "joule export --json (all runs)" "$JOULE" export --json --out "$work/all.json"
fi
if [[ -n "${CHECK:-}" ]]; then measure "joule ledger check" "$JOULE" ledger check; fi

run_cost "joule run -- true, --no-ledger" --no-ledger
run_cost "joule run -- true, SQLite ledger of $RUNS" --ledger "$LEDGER"
run_cost "joule run -- true, new SQLite ledger" --ledger "$work/small.sqlite"
if start_postgres; then
  url="postgresql://joule@/postgres?host=$work/pg"
  run_cost "joule run -- true, PostgreSQL (Unix socket)" --ledger "$url"
fi
