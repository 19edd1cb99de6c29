#!/usr/bin/env bash
# What `joule serve` costs the machine it watches (docs/performance.md):
#   1. its CPU at a 15 s scrape interval over MINUTES, beside a bare `sleep`
#      of the same span (the floor any process pays);
#   2. scrape latency (p50, p99, max) with 200 cgroups to attribute, from a
#      client on loopback with keep-alive, SCRAPES scrapes in a row;
#   3. its resident memory (VmRSS now, VmHWM peak) after both.
# Sensors: a fixture powercap tree (two RAPL counters, as a one-socket server
# shows), so the figures do not depend on this machine's hardware.
#
#   benchmarks/serve_overhead.sh [JOULE] [MINUTES] [SCRAPES] [CGROUPS]
# CGROUPS (default 200, at most 200) is how many cgroups the exporter
# attributes energy to, in both parts.
set -euo pipefail

joule=${1:-build/joule}
minutes=${2:-10}
scrapes=${3:-2000}
cgroups=${4:-200}
interval=15

work=$(mktemp -d /tmp/joule-serve-bench-XXXXXX)
serve_pid=""
sleep_pid=""
cleanup() {
  [[ -n "$serve_pid" ]] && kill "$serve_pid" 2>/dev/null || true
  [[ -n "$sleep_pid" ]] && kill "$sleep_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for zone in intel-rapl:0 intel-rapl:0:0; do
  mkdir -p "$work/sys/class/powercap/$zone"
  echo 262143328850 >"$work/sys/class/powercap/$zone/max_energy_range_uj"
  echo 1000000 >"$work/sys/class/powercap/$zone/energy_uj"
done
echo package-0 >"$work/sys/class/powercap/intel-rapl:0/name"
echo core >"$work/sys/class/powercap/intel-rapl:0:0/name"
# Services under 10 slices, each with a cgroup v2 cpu.stat.
mkdir -p "$work/cgroup"
for i in $(seq 1 "$cgroups"); do
  d="$work/cgroup/slice-$((i % 10)).slice/unit-$i.service"
  mkdir -p "$d"
  echo "usage_usec $((i * 1000))" >"$d/cpu.stat"
done

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
JOULE_SENSORS=rapl-powercap JOULE_SYSFS_ROOT="$work/sys" JOULE_SERVE="$work/serve.sock" \
  XDG_CONFIG_HOME="$work/config" JOULE_COUNTRY=FR \
  "$joule" serve --listen "127.0.0.1:$port" --cgroup-root "$work/cgroup" --coarsen off \
  >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/metrics" >/dev/null && break
  sleep 0.05
done

cpu_seconds() {  # utime + stime of a pid, in seconds
  awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"
}

echo "== CPU at a ${interval} s scrape interval over ${minutes} min, ${cgroups} cgroups"
sleep $((minutes * 60 + 120)) &  # outlives the loop; read, then killed
sleep_pid=$!
serve_before=$(cpu_seconds "$serve_pid")
start=$(date +%s.%N)
end=$(python3 -c "print($start + $minutes * 60)")
while python3 -c "import sys,time; sys.exit(0 if time.time() < $end else 1)"; do
  curl -sf "http://127.0.0.1:$port/metrics" >/dev/null
  sleep "$interval"
done
wall=$(python3 -c "import time; print(time.time() - $start)")
serve_cpu=$(python3 -c "print($(cpu_seconds "$serve_pid") - $serve_before)")
sleep_cpu=$(cpu_seconds "$sleep_pid")
python3 - "$serve_cpu" "$sleep_cpu" "$wall" <<'PY'
import sys
serve, sleep, wall = map(float, sys.argv[1:])
print(f"joule serve: {serve:.3f} CPU s over {wall:.0f} s = {100 * serve / wall:.4f} % of a core")
print(f"bare sleep:  {sleep:.3f} CPU s over the same span = {100 * sleep / wall:.4f} % of a core")
PY

echo "== scrape latency, ${cgroups} cgroups, ${scrapes} scrapes"
python3 - "$port" "$scrapes" <<'PY'
import http.client, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
conn = http.client.HTTPConnection("127.0.0.1", port)
times = []
for _ in range(n):
    t = time.perf_counter()
    conn.request("GET", "/metrics")
    body = conn.getresponse().read()
    times.append(time.perf_counter() - t)
times.sort()
cgroups = body.count(b"joule_cgroup_energy_joules_total{")
q = lambda p: times[min(len(times) - 1, int(p * len(times)))] * 1e3
print(f"{cgroups} cgroup series, {len(body)} bytes: p50 {q(0.5):.2f} ms, p99 {q(0.99):.2f} ms, "
      f"max {times[-1] * 1e3:.2f} ms")
PY

echo "== memory"
grep -E 'VmRSS|VmHWM' "/proc/$serve_pid/status"
