"""A real torch.distributed job (gloo, CPU, 2 ranks) under one `joule run`:
one record with the ranks as children, their phases concurrent and tagged,
and a rank that dies recorded as dead."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def run_job(world, extra_env=None):
    with tempfile.TemporaryDirectory() as tmp:
        record_path = os.path.join(tmp, "run.json")
        env = dict(os.environ, TORCHELASTIC_RUN_ID="te-test", **(extra_env or {}))
        env.pop("JOULE_CONTROL", None)
        done = subprocess.run(
            [os.environ["JOULE_EXECUTABLE"], "run", "--no-ledger", "--quiet", "--json",
             record_path, "--unit", "sample", "--", sys.executable,
             os.path.join(HERE, "distributed_launch.py"), str(world)],
            env=env, capture_output=True, text=True, timeout=180)
        with open(record_path) as f:
            return done, json.load(f)


class DistributedTest(unittest.TestCase):
    def test_ranks_are_one_record_with_concurrent_phases(self):
        done, record = run_job(2)
        self.assertEqual(done.returncode, 0, done.stderr + done.stdout)
        self.assertEqual(record["job_id"], "te-test")
        self.assertEqual(record["world_size"], 2)
        self.assertEqual(sorted(r["rank"] for r in record["ranks"]), [0, 1])
        self.assertTrue(all(r["said_goodbye"] for r in record["ranks"]), record["ranks"])
        self.assertTrue(all(r["job_id"] == "te-test" for r in record["ranks"]))
        phases = {p["rank"]: p for p in record["phases"]}
        self.assertEqual(sorted(phases), [0, 1], record["phases"])
        for p in phases.values():
            self.assertEqual(p["name"], "train")
            self.assertGreater(p["end_offset_s"], p["start_offset_s"])
        # Each rank's phase spans the other's barrier: they overlap.
        self.assertLess(phases[1]["start_offset_s"], phases[0]["end_offset_s"])
        self.assertLess(phases[0]["start_offset_s"], phases[1]["end_offset_s"])
        self.assertEqual(record["units"], [{"name": "sample", "count": 2 * 5 * 16}])
        # One meter: the run's. Every domain once.
        ids = [d["id"] for d in record["domains"]]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertFalse([w for w in record["warnings"] if "control channel" in w],
                         record["warnings"])

    def test_a_rank_that_dies_is_recorded(self):
        done, record = run_job(2, {"JOULE_TEST_DIE_RANK": "1"})
        self.assertEqual(done.returncode, 3, done.stderr)
        goodbyes = {r["rank"]: r["said_goodbye"] for r in record["ranks"]}
        self.assertEqual(goodbyes, {0: True, 1: False})
        self.assertTrue(any(w.startswith("rank 1 (pid") for w in record["warnings"]),
                        record["warnings"])


if __name__ == "__main__":
    unittest.main()
