// The ledger side of `joule run`: checkpoints survive a kill -9, concurrent
// runs all land, and a corrupt ledger is reported, left alone, and does not
// stop the command or its other outputs.
#include "run_support.hpp"

using namespace joule::testing;
using RunLedger = RunFixture;

namespace {

// The ids and statuses `joule ls` prints, one run per line after the header.
std::vector<std::pair<std::string, std::string>> listed(const CommandResult& ls) {
  std::vector<std::pair<std::string, std::string>> runs;
  std::istringstream lines(ls.out);
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string id, date, time, status;
    words >> id >> date >> time >> status;
    if (!id.empty()) runs.push_back({id, line});
  }
  return runs;
}

}  // namespace

TEST_F(RunLedger, KillNineLeavesAnInterruptedRunWithCheckpointedEnergy) {
  auto out = path("out.txt");
  BackgroundJoule joule_process(
      {"run", "--checkpoint", "100ms", "--", "sh", "-c", "echo ready; exec sleep 2"}, env(), out);
  ASSERT_TRUE(wait_for_text(out, "ready"));
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // several checkpoints
  ::kill(joule_process.pid(), SIGKILL);
  EXPECT_EQ(joule_process.wait(), 128 + SIGKILL);

  auto ls = joule({"ls"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  auto runs = listed(ls);
  ASSERT_EQ(runs.size(), 1u) << ls.out;
  EXPECT_NE(runs[0].second.find("interrupted"), std::string::npos) << ls.out;
  auto show = joule({"show", runs[0].first, "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  auto json = nlohmann::json::parse(show.out);
  EXPECT_EQ(json["status"], "interrupted");
  EXPECT_GT(json["totals"]["machine_energy_j"].get<double>(), 0.0);
  EXPECT_GT(json["duration_s"].get<double>(), 0.2);
}

TEST_F(RunLedger, EightConcurrentRunsAllLand) {
  std::vector<std::thread> runs;
  std::vector<int> codes(8, -1);
  for (int i = 0; i < 8; ++i) {
    runs.emplace_back([&, i] {
      codes[i] =
          joule({"run", "-q", "--tag", "n=" + std::to_string(i), "--", "sleep", "0.3"}).exit_code;
    });
  }
  for (auto& t : runs) t.join();
  for (int code : codes) EXPECT_EQ(code, 0);
  auto ls = joule({"ls"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  auto listed_runs = listed(ls);
  ASSERT_EQ(listed_runs.size(), 8u) << ls.out;
  for (const auto& [id, line] : listed_runs)
    EXPECT_NE(line.find("finished"), std::string::npos) << line;
}

TEST_F(RunLedger, CorruptLedgerIsReportedLeftAloneAndTheRunStillHappens) {
  const std::string garbage = "this is not a SQLite database, and joule must not touch it\n";
  std::ofstream(ledger()) << garbage;
  auto r = joule({"run", "--json", path("run.json").string(), "--", "sh", "-c",
                  "touch " + path("ran").string() + "; exit 4"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_TRUE(std::filesystem::exists(path("ran")));
  EXPECT_NE(r.err.find(ledger().string()), std::string::npos) << r.err;
  std::ifstream in(ledger());
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_EQ(content.str(), garbage);
  auto json = read_json("run.json");
  EXPECT_EQ(json["status"], "finished");
  bool warned = false;
  for (const auto& w : json["warnings"])
    warned |= w.get<std::string>().find("ledger") != std::string::npos;
  EXPECT_TRUE(warned) << json["warnings"].dump();
}
