"""The Python module on the stepped trace fixture (JOULE_TRACE set by ctest)."""
import gc
import os
import socket
import tempfile
import threading
import unittest

import joule

FIRST_SCOPE_J = 41.5  # rows 1 -> 2 of wrapping_counters.csv: package 40 J + DRAM 1.5 J


def trace_session(**kwargs):
    # Sampler slow enough that every snapshot in a test is ours.
    return joule.Session(mode="local", interval_s=3600, **kwargs)


class ScopeTest(unittest.TestCase):
    def test_with_block_measures_the_trace_exactly(self):
        with trace_session() as session:
            with session.scope("step", unit="sample") as s:
                self.assertTrue(s.open)
                s.add_units(10)
            self.assertFalse(s.open)
            r = s.result
            self.assertEqual(r.energy_j, FIRST_SCOPE_J)
            self.assertEqual(r.provenance, "measured")
            self.assertEqual(r.unit_count, 10)
            self.assertEqual([d.id for d in r.domains],
                             ["cpu:package-0", "cpu:core-0", "cpu:dram-0"])
            self.assertFalse(r.domains[1].in_total)
            fp = r.footprint()
            self.assertEqual(fp.unit, "sample")
            self.assertLessEqual(fp.total_g.low, fp.total_g.central)
            self.assertAlmostEqual(fp.sci_g_per_unit.central, fp.total_g.central / 10)
            self.assertEqual(session.location, "FR")

    def test_end_returns_the_result(self):
        session = trace_session()
        s = session.scope("explicit")
        r = s.end()
        self.assertEqual(r.name, "explicit")
        self.assertIn("41.5 J", repr(r))

    def test_estimator_results_say_modelled(self):
        session = joule.Session(mode="local", trace="", sensors=["estimator"])
        with session.scope("modelled") as s:
            sum(range(10000))
        self.assertEqual(s.result.provenance, "modelled")
        self.assertGreater(s.result.relative_uncertainty, 0)

    def test_track_decorator_and_default_session(self):
        calls = []

        @joule.track
        def plain(x):
            calls.append(x)
            return x * 2

        @joule.track("named", unit="inference", session=trace_session())
        def named():
            return "ok"

        self.assertEqual(plain(21), 42)
        self.assertEqual(named(), "ok")
        self.assertEqual(plain.__name__, "plain")
        self.assertEqual(joule.default_session().mode, "local")

    def test_threads(self):
        session = trace_session()
        errors = []

        def work():
            try:
                for _ in range(100):
                    with session.scope("t") as s:
                        s.add_units(1)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)
        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])


class TrackTest(unittest.TestCase):
    def test_with_block_yields_the_scope_and_counts_units(self):
        session = trace_session()
        with joule.track(unit="image", session=session) as t:
            self.assertTrue(t.open)
            t.add_units(8)
        self.assertFalse(t.open)
        self.assertEqual(t.name, "TrackTest.test_with_block_yields_the_scope_and_counts_units")
        self.assertEqual(t.result.energy_j, FIRST_SCOPE_J)
        self.assertEqual(t.result.unit, "image")
        self.assertEqual(t.result.unit_count, 8)
        self.assertEqual(t.phases, [])

    def test_named_with_block_and_the_default_session(self):
        with joule.track("named block", unit="sample") as t:
            t.add_units(3)
        self.assertEqual(t.result.name, "named block")
        self.assertEqual(t.result.units, {"sample": 3})

    def test_one_track_object_serves_several_blocks(self):
        tracker = joule.track("again", session=trace_session())
        with tracker as first:
            pass
        with tracker as second:
            with tracker as inner:
                pass
        self.assertIsNot(first, second)
        self.assertFalse(inner.open)
        self.assertFalse(second.open)

    def test_phases_are_nested_scopes_in_order(self):
        # The estimator: energy over any interval (the 6-row trace runs out).
        session = joule.Session(mode="local", trace="", sensors=["estimator"], interval_s=3600)
        with joule.track("training", unit="sample", session=session) as t:
            for epoch in (1, 2):
                with t.phase(f"epoch {epoch}") as p:
                    self.assertTrue(p.open)
                    t.add_units(10)
                    p.add_units(5)
            with t.phase("evaluate", unit="inference") as p:
                p.add_units(7)
        self.assertEqual([r.name for r in t.phases], ["epoch 1", "epoch 2", "evaluate"])
        self.assertEqual([r.units for r in t.phases],
                         [{"sample": 15}, {"sample": 15}, {"inference": 7}])
        self.assertEqual(t.result.units, {"sample": 30, "inference": 7})
        # Each phase is a measurement inside the block's.
        self.assertTrue(all(r.energy_j > 0 for r in t.phases))
        self.assertLessEqual(sum(r.energy_j for r in t.phases), t.result.energy_j)
        self.assertEqual(t.phases[0].provenance, "modelled")
        self.assertEqual(t.phases[2].footprint().unit, "inference")

    def test_a_phase_as_a_plain_statement_lasts_until_the_next(self):
        session = joule.Session(mode="local", trace="", sensors=["estimator"], interval_s=3600)
        with joule.track("training", unit="sample", session=session) as t:
            first = t.phase("epoch 1")
            self.assertTrue(first.open)
            t.add_units(10)
            second = t.phase("epoch 2")
            self.assertFalse(first.open)
            t.add_units(5)
            with t.phase("evaluate", unit="inference") as p:
                self.assertFalse(second.open)
                p.add_units(7)
            t.phase("epoch 3")
            t.add_units(1)
        self.assertEqual([r.name for r in t.phases],
                         ["epoch 1", "epoch 2", "evaluate", "epoch 3"])
        self.assertEqual([r.units for r in t.phases],
                         [{"sample": 10}, {"sample": 5}, {"inference": 7}, {"sample": 1}])
        self.assertTrue(all(r.energy_j > 0 for r in t.phases))

    def test_a_phase_marked_inside_a_with_phase_ends_with_it(self):
        with joule.track("nested", session=trace_session()) as t:
            with t.phase("outer"):
                inner = t.phase("inner")
            self.assertFalse(inner.open)
        self.assertEqual([r.name for r in t.phases], ["inner", "outer"])

    def test_a_phase_after_the_block_ended_is_misuse(self):
        with joule.track("short", session=trace_session()) as t:
            pass
        with self.assertRaisesRegex(joule.UsageError, "has ended"):
            with t.phase("late"):
                pass

    def test_an_exception_ends_block_and_phase(self):
        with self.assertRaises(KeyError):
            with joule.track("failing", session=trace_session()) as t:
                with t.phase("inner"):
                    raise KeyError("x")
        self.assertFalse(t.open)
        self.assertEqual([r.name for r in t.phases], ["inner"])


class ResultDictTest(unittest.TestCase):
    def test_dict_holds_what_the_attributes_say(self):
        with trace_session() as session:
            with session.scope("step", unit="sample") as s:
                s.add_units(10)
        r = s.result
        d = r.to_dict()
        for key in ("name", "unit", "units", "unit_count", "duration_s", "reported_to_run",
                    "provenance", "energy_j", "mean_power_w", "relative_uncertainty",
                    "warnings"):
            self.assertEqual(d[key], getattr(r, key), key)
        self.assertEqual(d["energy_j"], FIRST_SCOPE_J)
        self.assertEqual([x["id"] for x in d["domains"]], [x.id for x in r.domains])
        self.assertEqual(d["domains"][0]["provenance"], "measured")
        self.assertFalse(d["domains"][1]["in_total"])
        fp = r.footprint()
        self.assertEqual(d["carbon"]["sci_g_per_unit"],
                         {"low": fp.sci_g_per_unit.low, "central": fp.sci_g_per_unit.central,
                          "high": fp.sci_g_per_unit.high})
        self.assertEqual(d["carbon"]["total_g"]["central"], fp.total_g.central)
        self.assertEqual(d["carbon"]["unit_count"], 10)
        self.assertIsNone(d["carbon_note"])
        import json
        self.assertEqual(json.loads(json.dumps(d)), d)

    def test_no_carbon_says_why(self):
        session = joule.Session(mode="local", interval_s=3600, carbon=False)
        with session.scope("no carbon") as s:
            pass
        d = s.result.to_dict()
        self.assertIsNone(d["carbon"])
        self.assertTrue(d["carbon_note"])

    def test_tracked_dict_lists_its_phases(self):
        with joule.track("t", session=trace_session()) as t:
            with t.phase("a"):
                pass
        d = t.to_dict()
        self.assertEqual([p["name"] for p in d["phases"]], ["a"])
        self.assertEqual(d["name"], "t")


class HardwareTest(unittest.TestCase):
    """The embodied emissions M of the session's hardware: detected from a
    fixture /proc (no DMI, no NVML), or as given to the Session."""

    VARIABLES = ("JOULE_PROC_ROOT", "JOULE_SYSFS_ROOT", "JOULE_NVML_LIBRARY")

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        proc = os.path.join(self.dir.name, "proc")
        os.makedirs(proc)
        with open(os.path.join(proc, "cpuinfo"), "w") as f:
            f.write("processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz\n"
                    "physical id\t: 0\n")
        with open(os.path.join(proc, "meminfo"), "w") as f:
            f.write("MemTotal:        8388608 kB\n")
        self.saved = {k: os.environ.get(k) for k in self.VARIABLES}
        os.environ["JOULE_PROC_ROOT"] = proc
        os.environ["JOULE_SYSFS_ROOT"] = os.path.join(self.dir.name, "sys")
        os.environ["JOULE_NVML_LIBRARY"] = os.path.join(self.dir.name, "no-nvml.so")

    def tearDown(self):
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        self.dir.cleanup()

    def footprint(self, **hardware):
        with trace_session(**hardware) as session:
            with session.scope("step") as s:
                pass
            return s.result.footprint()

    def test_the_detected_machine_and_the_gpus_given(self):
        fp = self.footprint(gpu="H100 SXM5", gpus=2)
        self.assertGreater(fp.embodied_g.central, 0)
        self.assertGreater(fp.total_g.central, fp.operational_g.central)
        devices = fp.embodied
        self.assertEqual(len(devices), 2)
        self.assertIn("rack server", devices[0]["device"])
        self.assertEqual(devices[0]["provenance"], "modelled")
        self.assertTrue(any("Rack server baseline" in r for r in devices[0]["rows"]))
        self.assertEqual(devices[1]["device"], "NVIDIA H100 SXM5")
        self.assertEqual(devices[1]["count"], 2)
        self.assertIn("(joule.Session)", devices[1]["how_decided"])

    def test_embodied_none_leaves_m_out(self):
        fp = self.footprint(embodied="none")
        self.assertEqual(fp.embodied, [])
        self.assertEqual(fp.embodied_g.central, 0)
        self.assertTrue(any("left out" in w for w in fp.warnings))

    def test_a_gpu_family_is_refused_with_its_variants(self):
        with self.assertRaisesRegex(joule.CarbonError, "ambiguous.*A100 PCIe 40GB"):
            trace_session(gpu="A100")


class MisuseTest(unittest.TestCase):
    def test_ending_twice(self):
        s = trace_session().scope("epoch 3")
        s.end()
        with self.assertRaisesRegex(joule.UsageError, "'epoch 3' has already ended"):
            s.end()

    def test_ending_inside_the_with_block(self):
        session = trace_session()
        with self.assertRaisesRegex(joule.UsageError, "already ended inside its with-block"):
            with session.scope("twice") as s:
                s.end()

    def test_units_on_an_ended_scope(self):
        s = trace_session().scope("s")
        s.end()
        with self.assertRaisesRegex(joule.UsageError, "it has ended"):
            s.add_units(1)
        with self.assertRaises(joule.UsageError):
            trace_session().scope("s").add_units(-1)

    def test_result_while_open(self):
        with self.assertRaisesRegex(joule.UsageError, "still open"):
            trace_session().scope("s").result

    def test_session_after_shutdown(self):
        session = trace_session()
        open_scope = session.scope("open")
        session.shutdown()
        session.shutdown()
        self.assertTrue(session.is_shut_down)
        with self.assertRaisesRegex(joule.SessionShutDown, "shut down"):
            session.scope("late")
        with self.assertRaises(joule.UsageError):  # SessionShutDown is a UsageError
            open_scope.end()

    def test_scope_outliving_its_session(self):
        session = trace_session()
        s = session.scope("orphan")
        del session
        gc.collect()
        # The scope keeps the session's core alive, so this is not a crash;
        # the session object still exists until the scope goes.
        s.end()

    def test_bad_options(self):
        with self.assertRaisesRegex(ValueError, "mode"):
            joule.Session(mode="remote")
        with self.assertRaises(joule.CarbonError):
            joule.Session(mode="local", country="Atlantis")
        with self.assertRaisesRegex(RuntimeError, "joule run"):
            joule.Session(mode="control")


class ControlChannelTest(unittest.TestCase):
    """A datagram socket standing in for `joule run`."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "control")
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.server.bind(self.path)
        self.server.settimeout(5)

    def tearDown(self):
        self.server.close()
        self.dir.cleanup()

    def received(self, count):
        return [self.server.recv(8192).decode() for _ in range(count)]

    def test_scopes_become_phases_and_units_go_to_the_run(self):
        session = joule.Session(control_socket=self.path)
        self.assertEqual(session.mode, "control")
        self.assertTrue(session.reports_to_run)
        with session.scope("epoch 1", unit="sample") as s:
            s.add_units(32)
            s.add_units(0.5, "epoch")
        self.assertEqual(self.received(4), ["phase epoch 1\n", "units 32 sample\n",
                                            "units 0.5 epoch\n", "end-phase\n"])
        self.assertTrue(s.result.reported_to_run)
        self.assertEqual(s.result.provenance, "reported to joule run")
        with self.assertRaisesRegex(joule.UsageError, "run's record"):
            s.result.footprint()

    def test_tracked_phases_and_units_reach_the_run_once(self):
        session = joule.Session(control_socket=self.path)
        with joule.track("training", unit="sample", session=session) as t:
            with t.phase("epoch 1") as p:
                t.add_units(32)
                p.add_units(8)
        self.assertEqual(self.received(6), ["phase training\n", "phase epoch 1\n",
                                            "units 32 sample\n", "units 8 sample\n",
                                            "phase training\n", "end-phase\n"])
        self.assertEqual([r.name for r in t.phases], ["epoch 1"])
        self.assertTrue(t.phases[0].reported_to_run)
        self.assertEqual(t.to_dict()["carbon"], None)

    def test_plain_phases_reach_the_run_as_joule_mark_does(self):
        session = joule.Session(control_socket=self.path)
        with joule.track("training", unit="sample", session=session) as t:
            t.phase("epoch 1")
            t.phase("epoch 2")
        self.assertEqual(self.received(6), ["phase training\n", "phase epoch 1\n",
                                            "phase training\n", "phase epoch 2\n",
                                            "phase training\n", "end-phase\n"])

    def test_environment_selects_control_mode(self):
        os.environ["JOULE_CONTROL"] = self.path
        try:
            session = joule.Session()
        finally:
            os.environ["JOULE_CONTROL"] = ""
        self.assertEqual(session.mode, "control")


class VersionTest(unittest.TestCase):
    def test_version_is_the_one_the_cli_reports(self):
        self.assertRegex(joule.__version__, r"^\d+\.\d+\.\d+$")
        executable = os.environ.get("JOULE_EXECUTABLE", "")
        if not executable:
            self.skipTest("JOULE_EXECUTABLE is not set")
        import subprocess
        out = subprocess.run([executable, "--version"], capture_output=True, text=True, check=True)
        self.assertEqual(out.stdout.strip(), "joule " + joule.__version__)


class StubsTest(unittest.TestCase):
    def test_stubs_ship_next_to_the_module(self):
        package = os.path.dirname(joule.__file__)
        self.assertTrue(os.path.exists(os.path.join(package, "_joule.pyi")))
        self.assertTrue(os.path.exists(os.path.join(package, "py.typed")))
        import ast
        with open(os.path.join(package, "_joule.pyi")) as f:
            tree = ast.parse(f.read())
        stubbed = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
        from joule import _joule
        exported = {n for n in dir(_joule) if not n.startswith("_")}
        self.assertEqual(stubbed, exported)


if __name__ == "__main__":
    unittest.main()
