"""The training example, alone and under `joule run` (a few hundred samples)."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

SOURCE = os.environ.get("JOULE_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLE = os.path.join(SOURCE, "examples", "python", "train_fashion_mnist.py")
JOULE = os.environ.get("JOULE_EXECUTABLE", "")
ARGS = ["--samples", "300", "--test-samples", "200", "--epochs", "2", "--threads", "2"]


def estimator_env():
    env = dict(os.environ, JOULE_TRACE="", JOULE_SENSORS="estimator", JOULE_CONTROL="")
    return env


class TrainingExampleTest(unittest.TestCase):
    def test_alone_it_measures_each_epoch(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "results.json")
            done = subprocess.run([sys.executable, EXAMPLE, *ARGS, "--json", path],
                                  env=estimator_env(), capture_output=True, text=True,
                                  timeout=180)
            self.assertEqual(done.returncode, 0, done.stderr)
            with open(path) as f:
                results = json.load(f)
        self.assertIn("joule in local mode", done.stdout)
        self.assertRegex(done.stdout, r"epoch 1: [0-9.]+ J over [0-9.]+ s \(modelled")
        self.assertRegex(done.stdout, r"mg CO2e/sample")
        self.assertRegex(done.stdout, r"training: .* mJ/sample")
        self.assertRegex(done.stdout, r"evaluate: .* mJ/inference")
        training = results["training"]
        self.assertEqual([p["name"] for p in training["phases"]], ["epoch 1", "epoch 2"])
        self.assertEqual([p["units"] for p in training["phases"]],
                         [{"sample": 300}, {"sample": 300}])
        self.assertEqual(training["units"], {"sample": 600})
        for result in (training, *training["phases"], results["evaluate"]):
            self.assertGreater(result["energy_j"], 0, result["name"])
            self.assertEqual(result["provenance"], "modelled")
            self.assertGreater(result["carbon"]["sci_g_per_unit"]["central"], 0)
        self.assertLessEqual(sum(p["energy_j"] for p in training["phases"]),
                             training["energy_j"])
        self.assertEqual(results["evaluate"]["units"], {"inference": 200})

    @unittest.skipUnless(os.path.exists(JOULE), "the joule executable is not built")
    def test_under_joule_run_phases_and_units_reach_the_record(self):
        checker = os.path.join(os.path.dirname(__file__), "check_joule_run.py")
        done = subprocess.run(
            # A phase inside the tracked block is the run's phase while it
            # lasts; then the block's phase resumes (the print between epochs).
            [sys.executable, checker, "--joule", JOULE, "--phases",
             "training,epoch 1,training,epoch 2,training,evaluate",
             "--units", "sample=600,inference=200", "--", sys.executable, EXAMPLE, *ARGS],
            env=estimator_env(), capture_output=True, text=True, timeout=240)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn("joule in control mode", done.stdout)
        self.assertIn("energy in the joule run record", done.stdout)


if __name__ == "__main__":
    unittest.main()
