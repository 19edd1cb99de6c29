// Faults injected into whole `joule run`s: a sensor that vanishes, a counter
// reset after suspend, a ledger on a full file system. Each run must finish,
// keep what it could measure, and say what it lost.
#include <cstdlib>
#include <fstream>
#include <string>

#include "run_support.hpp"
#include "sensors/sysfs_fixture.hpp"

using namespace joule::testing;
using FaultInjection = RunFixture;
namespace sysfs_testing = joule::sysfs_testing;

namespace {

// A stepped trace (each read takes the next row) of a package counter beside
// a GPU's power, with `rows` appended as they are given.
std::string trace_with(const std::string& rows) {
  return "# joule trace v1\n"
         "# mode: stepped\n"
         "# domain: cpu:package-0,cpu-package,counter,measured,262143.32885,0.05,,package-0\n"
         "# domain: gpu:0,gpu,power,measured,,0.05,,NVIDIA A100\n"
         "time_s,cpu:package-0,gpu:0\n" +
         rows;
}

bool any_contains(const nlohmann::json& warnings, const std::string& a, const std::string& b) {
  for (const auto& w : warnings) {
    const std::string text = w.get<std::string>();
    if (text.find(a) != std::string::npos && text.find(b) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_F(FaultInjection, ASensorThatVanishesLeavesAPartialFigureAndAWarningWithTheTime) {
  std::ofstream(path("trace.csv")) << trace_with(
      "0,1000,100\n1,1050,100\n2,1100,100\n3,1150,gone\n4,1200,gone\n5,1250,gone\n"
      "6,1300,gone\n7,1350,gone\n8,1400,gone\n9,1450,gone\n10,1500,gone\n");
  auto environment = env();
  environment["JOULE_SENSORS"] = "\x01unset";
  environment["JOULE_TRACE"] = path("trace.csv").string();
  const auto r = run_joule({"run", "--no-ledger", "--interval", "100ms", "--json",
                            path("run.json").string(), "--", "sleep", "0.5"},
                           environment);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto record = read_json("run.json");
  EXPECT_EQ(record["status"], "finished");
  EXPECT_TRUE(any_contains(record["warnings"], "gpu:0 disappeared", "after measuring began"))
      << record["warnings"].dump(2);
  // The package kept counting, and the GPU's energy up to its last reading stays.
  EXPECT_GT(record["totals"]["machine_energy_j"].get<double>(), 50.0);
}

// The same through a real backend: a powercap zone removed under a running
// joule (its counter fails as a removed sysfs node does; sysfs_fixture.hpp)
// is gone, with the time, not a gap bridged in silence.
TEST_F(FaultInjection, ASysfsZoneRemovedMidRunLeavesAPartialFigureAndAWarningWithTheTime) {
  const auto sys = path("sys");
  for (const auto& [zone, name] :
       {std::pair{"intel-rapl:0", "package-0"}, {"intel-rapl:1", "package-1"}}) {
    const auto dir = sys / "class/powercap" / zone;
    sysfs_testing::FakeTree::write_at(dir / "name", name);
    sysfs_testing::FakeTree::write_at(dir / "energy_uj", "1000000");
    sysfs_testing::FakeTree::write_at(dir / "max_energy_range_uj", "262143328850");
    sysfs_testing::FakeTree::write_at(dir / "enabled", "1");
  }
  sysfs_testing::VanishingFile counter;
  counter.link_at(sys / "class/powercap/intel-rapl:1/energy_uj");
  auto environment = env();
  environment["JOULE_SENSORS"] = "rapl-powercap";
  environment["JOULE_SYSFS_ROOT"] = sys.string();
  const auto out = path("out.txt");
  BackgroundJoule joule_process(
      {"run", "--no-ledger", "--interval", "100ms", "--json", path("run.json").string(), "--", "sh",
       "-c", "echo ready; sleep 1"},
      environment, out);
  ASSERT_TRUE(wait_for_text(out, "ready"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  counter.vanish();
  ASSERT_EQ(joule_process.wait(), 0);

  const auto record = read_json("run.json");
  EXPECT_EQ(record["status"], "finished");
  EXPECT_TRUE(
      any_contains(record["warnings"], "cpu:package-1 disappeared", "after measuring began"))
      << record["warnings"].dump(2);
  EXPECT_TRUE(any_contains(record["warnings"], "intel-rapl:1/energy_uj", "counted up to its last"))
      << record["warnings"].dump(2);
  bool listed = false;
  for (const auto& d : record["domains"]) listed = listed || d["id"] == "cpu:package-1";
  EXPECT_TRUE(listed) << "a vanished domain keeps its line, with its energy so far";
}

TEST_F(FaultInjection, ACounterResetIsLeftOutNotReadAsAWrap) {
  // After row 2 the package counter restarts near zero (resume from suspend):
  // read as a wrap it would add 262 kJ in a tenth of a second.
  std::ofstream(path("trace.csv")) << trace_with(
      "0,1000,100\n1,1050,100\n2,1100,100\n3,5,100\n4,55,100\n5,105,100\n6,155,100\n"
      "7,205,100\n8,255,100\n9,305,100\n10,355,100\n");
  auto environment = env();
  environment["JOULE_SENSORS"] = "\x01unset";
  environment["JOULE_TRACE"] = path("trace.csv").string();
  const auto r = run_joule({"run", "--no-ledger", "--interval", "100ms", "--json",
                            path("run.json").string(), "--", "sleep", "0.5"},
                           environment);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto record = read_json("run.json");
  EXPECT_TRUE(any_contains(record["warnings"], "cpu:package-0", "not wrapped"))
      << record["warnings"].dump(2);
  EXPECT_TRUE(any_contains(record["warnings"], "cpu:package-0", "left out"));
  EXPECT_LT(record["totals"]["machine_energy_j"].get<double>(), 10000.0);
}

// The ledger lives on a 512 KiB tmpfs, mounted in a mount namespace of the
// test's own (unshare -m) so that it vanishes with the script, whatever
// happens; it is filled before the run.
TEST_F(FaultInjection, AFullLedgerFileSystemLosesOnlyTheLedgerRow) {
  if (std::system("unshare -m sh -c 'mount -t tmpfs -o size=64k tmpfs /mnt' 2>/dev/null") != 0) {
    GTEST_SKIP() << "mounting a tmpfs is not permitted here (needs root in a mount namespace)";
  }
  const auto fs = path("fs");
  std::filesystem::create_directories(fs);
  std::ofstream(path("fill.sh"))
      << "set -e\n"
         "mount -t tmpfs -o size=512k tmpfs \"$FS\"\n"
         "\"$JOULE\" run -q -- true\n"
         "\"$JOULE\" run -q -- true\n"
         "dd if=/dev/zero of=\"$FS/filler\" bs=4k 2>/dev/null || true\n"
         "set +e\n"
         "\"$JOULE\" run --json \"$OUT/run.json\" --csv \"$OUT/run.csv\" -- sh -c 'exit 3'\n"
         "echo \"status=$?\" > \"$OUT/status\"\n"
         "rm \"$FS/filler\"\n"
         "sqlite3 \"$FS/ledger.sqlite\" 'pragma integrity_check; select count(*) from runs;' "
         "> \"$OUT/ledger.txt\"\n";
  auto environment = env();
  environment["FS"] = fs.string();
  environment["OUT"] = dir_.string();
  environment["JOULE"] = joule_binary();
  environment["JOULE_LEDGER"] = (fs / "ledger.sqlite").string();
  const auto r =
      run_command({"/usr/bin/unshare", "-m", "/bin/sh", path("fill.sh").string()}, environment);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  std::ifstream status(path("status"));
  std::string status_line;
  std::getline(status, status_line);
  EXPECT_EQ(status_line, "status=3");  // the command's own status still passes through
  const auto record = read_json("run.json");
  EXPECT_EQ(record["status"], "finished");
  EXPECT_TRUE(any_contains(record["warnings"], "ledger not written", "disk full"))
      << record["warnings"].dump(2);
  EXPECT_TRUE(std::filesystem::file_size(path("run.csv")) > 0);
  std::ifstream ledger(path("ledger.txt"));
  std::string integrity, rows;
  std::getline(ledger, integrity);
  std::getline(ledger, rows);
  EXPECT_EQ(integrity, "ok");
  EXPECT_EQ(rows, "2");  // the runs from before are all there
}

// SIGINT and SIGTERM have their own tests (run_exit_test.cpp); a closed
// terminal's SIGHUP must reach the command as well.
TEST_F(FaultInjection, SighupToJouleReachesTheCommand) {
  const auto out = path("out.txt");
  const std::string script =
      "trap 'echo got-hup; exit 43' HUP; echo ready; i=0; while [ $i -lt 100 ]; do sleep 0.05; "
      "i=$((i+1)); done; exit 3";
  BackgroundJoule joule_process(
      {"run", "--no-ledger", "--json", path("run.json").string(), "--", "sh", "-c", script}, env(),
      out);
  ASSERT_GT(joule_process.pid(), 0);
  ASSERT_TRUE(wait_for_text(out, "ready"));
  ::kill(joule_process.pid(), SIGHUP);
  EXPECT_EQ(joule_process.wait(), 43);
  EXPECT_TRUE(wait_for_text(out, "got-hup", std::chrono::milliseconds(100)));
  EXPECT_EQ(read_json("run.json")["exit"]["ended_by_signal"], "SIGHUP");
}

// A command that catches SIGINT and carries on: a second SIGINT within a
// second ends joule too, without waiting for it. The record and the ledger
// row keep the energy measured so far, and say the run was interrupted.
TEST_F(FaultInjection, ASecondSigintWithinASecondEndsJouleWithTheRunInterrupted) {
  const auto out = path("out.txt");
  const std::string script =
      "trap 'echo got-int' INT; echo ready; i=0; while [ $i -lt 100 ]; do sleep 0.05; "
      "i=$((i+1)); done; echo outlived-joule";
  BackgroundJoule joule_process({"run", "--checkpoint", "100ms", "--json",
                                 path("run.json").string(), "--", "sh", "-c", script},
                                env(), out);
  ASSERT_GT(joule_process.pid(), 0);
  ASSERT_TRUE(wait_for_text(out, "ready"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a few ticks and checkpoints
  ::kill(joule_process.pid(), SIGINT);
  ASSERT_TRUE(wait_for_text(out, "got-int"));  // forwarded, and caught: the command goes on
  ::kill(joule_process.pid(), SIGINT);
  EXPECT_EQ(joule_process.wait(), 128 + SIGINT);

  const auto record = read_json("run.json");
  EXPECT_EQ(record["status"], "interrupted");
  EXPECT_TRUE(record["exit"]["exit_code"].is_null());
  EXPECT_EQ(record["exit"]["ended_by_signal"], "SIGINT");
  EXPECT_FALSE(record["ended_at"].get<std::string>().empty());
  EXPECT_GT(record["totals"]["machine_energy_j"].get<double>(), 0.0);
  EXPECT_TRUE(any_contains(record["warnings"], "second SIGINT", "without waiting"))
      << record["warnings"].dump(2);

  // The ledger's row is the same run, read back as interrupted now that
  // joule has gone, with the same energy.
  auto show = joule({"show", record["id"].get<std::string>(), "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  const auto stored = nlohmann::json::parse(show.out);
  EXPECT_EQ(stored["status"], "interrupted");
  EXPECT_EQ(stored["exit"]["ended_by_signal"], "SIGINT");
  EXPECT_DOUBLE_EQ(stored["totals"]["machine_energy_j"].get<double>(),
                   record["totals"]["machine_energy_j"].get<double>());

  // The command outlived joule, as asked; it is this test's to end.
  const std::string warnings = record["warnings"].dump();
  const auto pid_at = warnings.find("(pid ");
  ASSERT_NE(pid_at, std::string::npos);
  const pid_t command = std::atoi(warnings.c_str() + pid_at + 5);
  ASSERT_GT(command, 1);
  ::kill(-command, SIGKILL);
}
