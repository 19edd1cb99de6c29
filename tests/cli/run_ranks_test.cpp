// A distributed job's ranks under one `joule run`: each rank's phases stay
// its own (concurrent, not serialised), a rank that never says goodbye is
// recorded as dead, conflicting job ids are an error in the record, and
// `joule show --job` / `joule ls --job` sum the job's records.
#include "run_support.hpp"

using namespace joule::testing;
using RunRanks = RunFixture;

namespace {

// Two ranks as datagrams on JOULE_CONTROL: rank 0 opens "train", rank 1
// opens "train" 0.3 s later, both end 0.3 s after that; only rank 0 says bye.
const char* const kTwoRanks = R"(
import os, socket, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
send = lambda text: s.sendto(text.encode(), os.environ["JOULE_CONTROL"])
send("rank=0 hello pid=%d job=J7 world=2\n" % os.getpid())
send("rank=1 hello pid=%d job=%s world=2\n" % (os.getpid() + 1, os.environ["RANK1_JOB"]))
send("rank=0 phase train\n")
time.sleep(0.3)
send("rank=1 phase train\n")
send("rank=1 units 4 sample\n")
time.sleep(0.3)
send("rank=0 end-phase\n")
send("rank=1 end-phase\n")
send("rank=0 units 4 sample\n")
send("rank=0 bye\n")
)";

bool has_warning(const nlohmann::json& record, const std::string& text) {
  for (const auto& w : record["warnings"]) {
    if (w.get<std::string>().find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_F(RunRanks, RanksPhasesRunSideBySideAndADeadRankIsRecorded) {
  auto env_with_job = env();
  env_with_job["RANK1_JOB"] = "J7";
  auto r = run_joule({"run", "--json", path("run.json").string(), "--", "python3", "-c", kTwoRanks},
                     env_with_job);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto record = read_json("run.json");
  EXPECT_EQ(record["job_id"], "J7");
  EXPECT_EQ(record["world_size"], 2);
  ASSERT_EQ(record["phases"].size(), 2u) << record["phases"].dump();
  std::map<int, nlohmann::json> by_rank;
  for (const auto& p : record["phases"]) by_rank[p["rank"].get<int>()] = p;
  ASSERT_EQ(by_rank.size(), 2u);
  // Rank 1's phase did not end rank 0's: both last about 0.3 s or more, and overlap.
  const auto duration = [](const nlohmann::json& p) {
    return p["end_offset_s"].get<double>() - p["start_offset_s"].get<double>();
  };
  EXPECT_GT(duration(by_rank[0]), 0.5);
  EXPECT_GT(duration(by_rank[1]), 0.25);
  EXPECT_LT(by_rank[1]["start_offset_s"].get<double>(), by_rank[0]["end_offset_s"].get<double>());
  EXPECT_GT(by_rank[0]["machine_energy_j"].get<double>(), 0);
  ASSERT_EQ(record["units"].size(), 1u);
  EXPECT_DOUBLE_EQ(record["units"][0]["count"].get<double>(), 8);
  ASSERT_EQ(record["ranks"].size(), 2u);
  EXPECT_TRUE(record["ranks"][0]["said_goodbye"].get<bool>());
  EXPECT_FALSE(record["ranks"][1]["said_goodbye"].get<bool>());
  EXPECT_TRUE(has_warning(record, "rank 1 (pid")) << record["warnings"].dump();

  auto show = run_joule({"show", "--job", "J7"}, env());
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("job J7: 1 record(s), 2 rank(s) of 2"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("rank 1 (run"), std::string::npos) << show.out;
  auto ls = run_joule({"ls", "--job", "J7"}, env());
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_NE(ls.out.find(record["id"].get<std::string>()), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find("total:"), std::string::npos) << ls.out;
  auto other = run_joule({"ls", "--job", "nope"}, env());
  EXPECT_EQ(other.out.find(record["id"].get<std::string>()), std::string::npos) << other.out;
}

// Two real ranks, each its own process: hello with its pid, a loop that
// burns 0.8 s of CPU (however long a loaded machine takes to give it), a
// pause long enough for a tick to see it, bye.
const char* const kBusyRanks = R"(
import os, socket, subprocess, sys, time
rank_code = '''
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
send = lambda text: s.sendto(text.encode(), os.environ["JOULE_CONTROL"])
r = sys.argv[1]
send("rank=%s hello pid=%d job=J9 world=2\\n" % (r, os.getpid()))
while time.process_time() < 0.8:
    pass
time.sleep(2.0)
send("rank=%s bye\\n" % r)
'''
ranks = [subprocess.Popen([sys.executable, "-c", rank_code, str(r)]) for r in (0, 1)]
for p in ranks:
    p.wait()
)";

TEST_F(RunRanks, EachRankGetsItsShareAndTheSharesStayWithinTheWhole) {
  auto r = run_joule(
      {"run", "--json", path("run.json").string(), "--", "python3", "-c", kBusyRanks}, env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto record = read_json("run.json");
  ASSERT_EQ(record["ranks"].size(), 2u) << record["ranks"].dump();
  double ranked_j = 0;
  for (const auto& rank : record["ranks"]) {
    // Each rank's loop burned 0.8 s of CPU; a tick saw it.
    EXPECT_GT(rank["cpu_time_s"].get<double>(), 0.5) << rank.dump();
    EXPECT_GT(rank["cpu_energy_j"].get<double>(), 0) << rank.dump();
    EXPECT_DOUBLE_EQ(rank["energy_j"].get<double>(),
                     rank["cpu_energy_j"].get<double>() + rank["gpu_energy_j"].get<double>());
    ranked_j += rank["energy_j"].get<double>();
  }
  const double whole_j = record["totals"]["attributed_energy_j"].get<double>();
  EXPECT_LE(ranked_j, whole_j * (1 + 1e-9)) << record["attribution"].dump();
  EXPECT_GT(ranked_j, 0.5 * whole_j) << "the ranks did nearly all of the command's work";
  bool noted = false;
  for (const auto& n : record["attribution"]["notes"]) {
    noted = noted || n.get<std::string>().starts_with("ranks: 2 rank(s) take");
  }
  EXPECT_TRUE(noted) << record["attribution"].dump();

  auto show = run_joule({"show", "--job", "J9"}, env());
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("each rank's share of its record's attributed energy"), std::string::npos)
      << show.out;
}

TEST_F(RunRanks, ConflictingJobIdsAreAnError) {
  auto env_with_job = env();
  env_with_job["RANK1_JOB"] = "J8";
  auto r = run_joule(
      {"run", "--no-ledger", "--json", path("run.json").string(), "--", "python3", "-c", kTwoRanks},
      env_with_job);
  // The command succeeded, but the run cannot be filed under one job.
  EXPECT_EQ(r.exit_code, 65) << r.err;
  const auto record = read_json("run.json");
  EXPECT_EQ(record["job_id"], "J7");
  EXPECT_EQ(record["exit"]["exit_code"], 0);
  EXPECT_NE(record["exit"]["error"].get<std::string>().find(
                "conflicting job ids: rank 1 says job 'J8', but this run is job 'J7'"),
            std::string::npos)
      << record["exit"].dump();
  EXPECT_TRUE(has_warning(record, "error: conflicting job ids: rank 1 says job 'J8'"))
      << record["warnings"].dump();
}

TEST_F(RunRanks, AFailedCommandKeepsItsStatusDespiteAJobConflict) {
  auto env_with_job = env();
  env_with_job["RANK1_JOB"] = "J8";
  const std::string failing = std::string(kTwoRanks) + "raise SystemExit(3)\n";
  auto r = run_joule(
      {"run", "--no-ledger", "--json", path("run.json").string(), "--", "python3", "-c", failing},
      env_with_job);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_FALSE(read_json("run.json")["exit"]["error"].get<std::string>().empty());
}

TEST_F(RunRanks, JobOptionNamesTheJob) {
  auto r = run_joule({"run", "--no-ledger", "--job", "slurm-42", "--json",
                      path("run.json").string(), "--", "true"},
                     env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_json("run.json")["job_id"], "slurm-42");
}
