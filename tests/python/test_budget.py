"""joule.budget(): the life-cycle budget from Python, as plain dicts."""
import os
import tempfile
import unittest

import joule

EXAMPLES = os.path.join(os.environ.get("JOULE_SOURCE_DIR", "../.."), "examples", "budget")


def run(name, **kwargs):
    return joule.budget(os.path.join(EXAMPLES, name), read_config_files=False,
                        guess_from_time_zone=False, **kwargs)


class BudgetTest(unittest.TestCase):
    def test_example_gives_parts_ranges_and_sources(self):
        b = run("cctv.toml")
        names = [p["name"] for p in b["parts"]]
        self.assertEqual(names, ["training", "inference active", "inference idle", "embodied"])
        total = b["co2e_g"]
        self.assertLessEqual(total["low"], total["central"])
        self.assertLessEqual(total["central"], total["high"])
        self.assertAlmostEqual(sum(p["co2e_g"]["central"] for p in b["parts"]), total["central"],
                               delta=1e-6 * total["central"])
        self.assertEqual(len(b["co2e_g_per_year"]), 5)
        self.assertTrue(all(i["provenance"] and i["source"] for i in b["inputs"]))
        self.assertIn("saves", b["what_if_sentence"])

    def test_what_ifs_apply_together(self):
        b = run("from-bench.toml", what_if=["model=mlp", "batch=256"], rank_what_ifs=False)
        self.assertEqual(b["applied_what_ifs"], ["model=mlp", "batch=256"])
        self.assertEqual(b["what_ifs"], [])
        per_request = [i for i in b["inputs"] if i["name"] == "energy per request"][0]
        self.assertAlmostEqual(per_request["value"]["central"], 0.0496 / 1000, places=12)
        self.assertIn("mlp J/1000 at batch 256", per_request["source"])

    def test_bad_input_raises_with_file_and_line(self):
        with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
            f.write("horizon_years = -1\n")
        try:
            with self.assertRaises(joule.DataError) as raised:
                joule.budget(f.name)
            self.assertIn(f.name + ":1:", str(raised.exception))
        finally:
            os.unlink(f.name)
        with self.assertRaises(joule.BudgetError):
            run("cctv.toml", what_if=["region=Atlantis"])


if __name__ == "__main__":
    unittest.main()
