"""The training example, alone and under `joule run` (a few hundred samples)."""
import os
import subprocess
import sys
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
        done = subprocess.run([sys.executable, EXAMPLE, *ARGS], env=estimator_env(),
                              capture_output=True, text=True, timeout=180)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("joule in local mode", done.stdout)
        self.assertRegex(done.stdout, r"epoch 1: [0-9.]+ J over [0-9.]+ s \(modelled")
        self.assertRegex(done.stdout, r"mg CO2e/sample")
        self.assertRegex(done.stdout, r"evaluate: .* mJ/inference")

    @unittest.skipUnless(os.path.exists(JOULE), "the joule executable is not built")
    def test_under_joule_run_phases_and_units_reach_the_record(self):
        checker = os.path.join(os.path.dirname(__file__), "check_joule_run.py")
        done = subprocess.run(
            [sys.executable, checker, "--joule", JOULE, "--phases", "epoch 1,epoch 2,evaluate",
             "--units", "sample=600,inference=200", "--", sys.executable, EXAMPLE, *ARGS],
            env=estimator_env(), capture_output=True, text=True, timeout=240)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn("joule in control mode", done.stdout)
        self.assertIn("energy in the joule run record", done.stdout)


if __name__ == "__main__":
    unittest.main()
