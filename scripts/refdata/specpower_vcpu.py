"""Recomputes per-vCPU rows of cpu_power_per_vcpu.csv from the SPECpower runs
in cpu_specpower_rows.csv: per run, wall watts / hardware threads at active
idle and at 100 % load (CCF's method); the row is the mean over the runs.

usage: specpower_vcpu.py data/cpu_specpower_rows.csv data/cpu_power_per_vcpu.csv"""
import sys
from collections import defaultdict

from refcsv import RefCsv


def main(runs_path, table_path):
    runs = RefCsv(runs_path)
    idle, full = defaultdict(list), defaultdict(list)
    for r in runs.rows:
        threads = float(r["threads"])
        idle[r["architecture"]].append(float(r["watts_active_idle"]) / threads)
        full[r["architecture"]].append(float(r["watts_100pct"]) / threads)
    table = RefCsv(table_path)
    for row in table.rows:
        arch = row["architecture"]
        if row["kind"] != "cpu" or arch not in idle:
            continue
        row["min_watts"] = f"{sum(idle[arch]) / len(idle[arch]):.3f}"
        row["max_watts"] = f"{sum(full[arch]) / len(full[arch]):.3f}"
        print(f"{row['dataset']} {row['provider']} {arch}: {row['min_watts']} / {row['max_watts']} W "
              f"from {len(idle[arch])} runs", file=sys.stderr)
    table.save()


if __name__ == "__main__":
    main(*sys.argv[1:3])
