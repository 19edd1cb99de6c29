#!/usr/bin/env python3
"""Compares joule binaries on one CPU-bound command, runs interleaved (docs/performance.md).

    benchmarks/run_overhead_ab.py OLD_JOULE NEW_JOULE [...]    (env: REPS=4, ITERS=150000000)

Interleaving matters on a shared VM, where the same command's CPU time drifts by half from
one minute to the next. For each run it prints joule's complete CPU time: the rusage of
`joule run` and all it waited for, minus the command's (attribution.cpu_time_s, from
wait4); the record's overhead_cpu_s; and the share of the command's CPU time. Then medians.
"""
import json, os, resource, shutil, statistics, subprocess, sys, tempfile
bins = sys.argv[1:]
work = tempfile.mkdtemp()
env = dict(os.environ, JOULE_COUNTRY="FR")
n = int(os.environ.get("ITERS", "150000000"))
cmd = ["awk", "-v", f"n={n}", 'BEGIN{for(i=0;i<n;i++)s+=i*i; print s > "/dev/null"}']
res = {b: [] for b in bins}
for rep in range(int(os.environ.get("REPS", "4"))):
    for b in bins:
        env["JOULE_LEDGER"] = os.path.join(work, f"ledger-{bins.index(b)}.sqlite")
        u = resource.getrusage(resource.RUSAGE_CHILDREN); c0 = u.ru_utime + u.ru_stime
        subprocess.run([b, "run", "-q", "--json", work + "/r.json", "--", *cmd], check=True, env=env)
        u = resource.getrusage(resource.RUSAGE_CHILDREN); c1 = u.ru_utime + u.ru_stime
        r = json.load(open(work + "/r.json"))
        c = r["attribution"]["cpu_time_s"]
        res[b].append(((c1 - c0 - c) * 1000, r["overhead_cpu_s"] * 1000, 100 * (c1 - c0 - c) / c))
        print(b, "complete %.1f ms, record %.1f ms, share %.3f%%, command %.2f s" % (*res[b][-1], c), flush=True)
for b in bins:
    print(b, "median complete %.1f ms, record %.1f ms, share %.3f%%" % tuple(statistics.median(x[i] for x in res[b]) for i in range(3)))
shutil.rmtree(work)
