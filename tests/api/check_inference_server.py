#!/usr/bin/python3
"""Runs the inference server alone (its own meter) with --json and checks
that, for every block of requests, the sum of the per-request energies
agrees with the block's total within the total's stated uncertainty, and that
every per-request figure is positive.

    check_inference_server.py --expect-blocks 2 -- inference_server --requests 2000 ...

The server documents the combination: the per-request scopes and the block's
scope read the same sensors (or model), so their systematic error is shared;
what separates the sum from the total is the energy outside the request
scopes (never negative: the request scopes lie inside the block's), and it
must stay within relative_uncertainty x total. Consecutive request scopes
share their boundary snapshot (Scope::next), so only the block's first and
last boundary are outside them; the server prints that as "between scopes".
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--expect-blocks", type=int, required=True)
    parser.add_argument("--block-size", type=int, default=1000)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "blocks.json")
        done = subprocess.run([*command, "--json", path], capture_output=True, text=True,
                              timeout=300)
        sys.stdout.write(done.stdout)
        sys.stderr.write(done.stderr)
        if done.returncode != 0:
            print(f"FAIL: the server exited {done.returncode}")
            return 1
        with open(path) as f:
            blocks = json.load(f)["blocks"]
    failures = []
    if len(blocks) != args.expect_blocks:
        failures.append(f"{len(blocks)} blocks, expected {args.expect_blocks}")
    for block in blocks:
        name, requests = block["name"], block["request_j"]
        total, uncertainty = block["total_j"], block["uncertainty_j"]
        total_sum = sum(requests)
        print(f"{name}: {len(requests)} requests, sum {total_sum:.6f} J, total {total:.6f} J "
              f"+/- {uncertainty:.6f} J, between scopes {total - total_sum:.6f} J")
        if len(requests) != args.block_size:
            failures.append(f"{name}: {len(requests)} requests, expected {args.block_size}")
        if not total > 0 or not uncertainty > 0:
            failures.append(f"{name}: total {total} J +/- {uncertainty} J is not positive")
        bad = [j for j in requests if not j > 0]
        if bad:
            failures.append(f"{name}: {len(bad)} per-request figures are not positive")
        # The request scopes lie inside the block's, one after the other: on
        # cumulative counters their sum cannot exceed the block's total.
        if total_sum > total * (1 + 1e-9):
            failures.append(f"{name}: sum {total_sum} J exceeds the total {total} J")
        # Consecutive request scopes share their boundary (Scope::next): only
        # the block's first and last boundary lie outside them, microseconds
        # out of a block's ~0.1 s. 5 % leaves room for one estimator clock
        # tick (10 ms of CPU time) landing there.
        if total - total_sum > 0.05 * total:
            failures.append(f"{name}: {total - total_sum} J of {total} J fell between the "
                            f"request scopes (more than 5 %)")
        if not abs(total_sum - total) <= uncertainty:
            failures.append(f"{name}: |sum {total_sum} - total {total}| = "
                            f"{abs(total_sum - total)} J > {uncertainty} J")
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
