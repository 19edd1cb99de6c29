// What `joule run` charges to the command: its whole process tree, even a
// grandchild that detached from it.
#include "run_support.hpp"

using namespace joule::testing;
using RunAttribution = RunFixture;

TEST_F(RunAttribution, ADetachedGrandchildBurningCpuIsCounted) {
  // Double fork + setsid: the subshell starts a new session and exits at
  // once, leaving its child orphaned and detached while it burns 0.4 s of CPU
  // time (CPU time, not wall time, so a loaded machine cannot starve it);
  // the command itself only waits for its file, then for the burner to exit.
  const std::string done = path("burnt").string();
  const std::string burn =
      "import pathlib, time\n"
      "while time.process_time() < 0.4: pass\n"
      "pathlib.Path('" +
      done + "').touch()\n";
  auto r = joule({"run", "--no-ledger", "--json", path("run.json").string(), "--", "sh", "-c",
                  "( setsid python3 -c \"" + burn + "\" & ); i=0; while [ ! -e '" + done +
                      "' ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; sleep 0.3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto json = read_json("run.json");
  // The waiting command alone uses next to no CPU; the burn must be there.
  EXPECT_GT(json["attribution"]["cpu_time_s"].get<double>(), 0.35) << json["attribution"].dump();
  EXPECT_GT(json["totals"]["attributed_energy_j"].get<double>(), 0.0);
  EXPECT_LE(json["totals"]["attributed_energy_j"].get<double>(),
            json["totals"]["machine_energy_j"].get<double>() + 1e-9);
}

TEST_F(RunAttribution, StatesTheMethodAndDomains) {
  auto r = joule({"run", "--no-ledger", "--json", path("run.json").string(), "--", "true"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto json = read_json("run.json");
  EXPECT_NE(json["attribution"]["method"].get<std::string>().find("CPU-time share"),
            std::string::npos);
  ASSERT_FALSE(json["domains"].empty());
  EXPECT_EQ(json["totals"]["provenance"], "modelled");  // the estimator
  EXPECT_GE(json["overhead_cpu_s"].get<double>(), 0.0);
}

TEST_F(RunAttribution, IdleBaselineIsReportedSeparately) {
  auto r = joule({"run", "--no-ledger", "--idle", "200ms", "--json", path("run.json").string(),
                  "--", "sleep", "0.2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto json = read_json("run.json");
  ASSERT_TRUE(json["idle"].is_object()) << json.dump();
  EXPECT_GT(json["idle"]["duration_s"].get<double>(), 0.15);
  EXPECT_GT(json["totals"]["idle_energy_j"].get<double>(), 0.0);
}
