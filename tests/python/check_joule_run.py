#!/usr/bin/python3
"""Runs a command under `joule run --json` and checks the phases and units
that the command reported through the control channel arrived in the record.

    check_joule_run.py --joule BIN --phases a,b --units sample=600 -- COMMAND...
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--joule", required=True)
    parser.add_argument("--phases", required=True, help="expected phase names, in order")
    parser.add_argument("--units", default="", help="name=count,... expected units")
    parser.add_argument("--unit", default="sample", help="the run's --unit")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    with tempfile.TemporaryDirectory() as tmp:
        record_path = os.path.join(tmp, "run.json")
        argv = [args.joule, "run", "--json", record_path, "--no-ledger", "--quiet",
                "--unit", args.unit, "--", *command]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
        sys.stdout.write(done.stdout)
        sys.stderr.write(done.stderr)
        if done.returncode != 0:
            print(f"FAIL: joule run exited {done.returncode}")
            return 1
        with open(record_path) as f:
            record = json.load(f)
    phases = [p["name"] for p in record["phases"]]
    units = {u["name"]: u["count"] for u in record["units"]}
    print(f"phases: {phases}\nunits: {units}")
    failures = []
    if phases != args.phases.split(","):
        failures.append(f"phases {phases}, expected {args.phases.split(',')}")
    for item in filter(None, args.units.split(",")):
        name, count = item.split("=")
        if units.get(name) != float(count):
            failures.append(f"units {name} = {units.get(name)}, expected {count}")
    for warning in record.get("warnings", []):
        if warning.startswith("control channel"):
            failures.append(f"record warns: {warning}")
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
