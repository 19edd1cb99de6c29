// A team's ledger on PostgreSQL, end to end: concurrent `joule run`s from
// several (simulated) hosts, kill -9, and push/pull between a laptop's SQLite
// file and the team's database. One server for the binary (postgres_server.hpp).
#include <set>

#include "run_support.hpp"
#include "support/postgres_server.hpp"

using namespace joule::testing;

namespace {

class TeamLedgerPostgreSQL : public RunFixture {
 protected:
  void SetUp() override {
    RunFixture::SetUp();
    PostgresServer* server = PostgresServer::shared();
    if (server == nullptr) GTEST_FAIL() << PostgresServer::why_unavailable();
    url_ = server->fresh_database_url();
  }
  std::map<std::string, std::string> env_on(int host) const {
    auto e = env();
    e["JOULE_LEDGER"] = url_;
    e["JOULE_HOST_NAME"] = "node-" + std::to_string(host);
    e["JOULE_BOOT_ID"] = "00000000-0000-4000-8000-00000000000" + std::to_string(host);
    return e;
  }
  std::string url_;
};

// id -> status, from `joule ls --all` (one run per line after the header).
std::map<std::string, std::string> statuses(const CommandResult& ls) {
  std::map<std::string, std::string> runs;
  std::istringstream lines(ls.out);
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string id, date, time, status;
    words >> id >> date >> time >> status;
    if (!id.empty()) runs[id] = status;
  }
  return runs;
}

// Waits (at most 20 s) until `joule ls` shows a running run with `command_part`.
bool row_appears(const std::map<std::string, std::string>& env, const std::string& tag,
                 const std::string& command_part) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < until) {
    std::istringstream lines(run_joule({"ls", "--all", "--tag", tag}, env).out);
    for (std::string line; std::getline(lines, line);) {
      if (line.find("running") != std::string::npos && line.find(command_part) != std::string::npos)
        return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST_F(TeamLedgerPostgreSQL, ThirtyTwoRunsFromFourHostsAndFourKilled) {
  constexpr int hosts = 4;
  constexpr int runs_per_host = 8;
  // One run per host is killed with kill -9 once it has checkpointed.
  std::vector<std::unique_ptr<BackgroundJoule>> doomed;
  for (int h = 0; h < hosts; ++h) {
    auto out = path("doomed-" + std::to_string(h) + ".txt");
    doomed.push_back(std::make_unique<BackgroundJoule>(
        std::vector<std::string>{"run", "--checkpoint", "100ms", "--tag",
                                 "host=" + std::to_string(h), "--", "sh", "-c",
                                 "echo ready; exec sleep 3"},
        env_on(h), out));
  }
  std::vector<std::thread> runs;
  std::vector<int> codes(static_cast<std::size_t>(hosts) * (runs_per_host - 1), -1);
  for (int h = 0; h < hosts; ++h) {
    for (int i = 0; i < runs_per_host - 1; ++i) {
      runs.emplace_back([&, h, i] {
        codes[h * (runs_per_host - 1) + i] =
            run_joule({"run", "-q", "--tag", "host=" + std::to_string(h), "--", "sleep", "0.2"},
                      env_on(h))
                .exit_code;
      });
    }
  }
  for (int h = 0; h < hosts; ++h) {
    ASSERT_TRUE(wait_for_text(path("doomed-" + std::to_string(h) + ".txt"), "ready"));
    // joule stores the run just after starting the command: wait for the row.
    ASSERT_TRUE(row_appears(env_on(h), "host=" + std::to_string(h), "sleep 3")) << h;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a few checkpoints
  for (auto& d : doomed) {
    ::kill(d->pid(), SIGKILL);
    EXPECT_EQ(d->wait(), 128 + SIGKILL);
  }
  for (auto& t : runs) t.join();
  for (int code : codes) EXPECT_EQ(code, 0);

  for (int h = 0; h < hosts; ++h) {
    auto ls = run_joule({"ls", "--all"}, env_on(h));
    ASSERT_EQ(ls.exit_code, 0) << ls.err;
    auto seen = statuses(ls);
    ASSERT_EQ(seen.size(), static_cast<std::size_t>(hosts * runs_per_host)) << ls.out;
    std::map<std::string, int> count;
    for (const auto& [id, status] : seen) ++count[status];
    EXPECT_EQ(count["finished"], hosts * (runs_per_host - 1)) << ls.out;
    // Its own killed run is interrupted; the other hosts' stay running, as
    // only their own hosts can tell.
    EXPECT_EQ(count["interrupted"], 1) << ls.out;
    EXPECT_EQ(count["running"], hosts - 1) << ls.out;
    auto mine = run_joule({"ls", "--all", "--tag", "host=" + std::to_string(h)}, env_on(h));
    EXPECT_EQ(statuses(mine).size(), static_cast<std::size_t>(runs_per_host));
    EXPECT_NE(mine.out.find("interrupted"), std::string::npos) << mine.out;
  }
}

TEST_F(TeamLedgerPostgreSQL, PushAndPullAreIdempotentAndMergeTakesAFile) {
  for (int i = 0; i < 3; ++i) {
    auto r = joule({"run", "-q", "--tag", "n=" + std::to_string(i), "--", "true"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  auto push = joule({"ledger", "push", url_});
  ASSERT_EQ(push.exit_code, 0) << push.err;
  EXPECT_NE(push.out.find("copied 3 runs"), std::string::npos) << push.out;
  auto again = joule({"ledger", "push", url_});
  EXPECT_NE(again.out.find("copied 0 runs"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("3 already there"), std::string::npos) << again.out;

  auto team = run_joule({"ls", "--all", "--tag", "n=1"}, {{"JOULE_LEDGER", url_}});
  EXPECT_EQ(statuses(team).size(), 1u) << team.out << team.err;

  auto other = path("other.sqlite").string();
  auto pull = run_joule({"ledger", "pull", url_, "--ledger", other}, env());
  ASSERT_EQ(pull.exit_code, 0) << pull.err;
  EXPECT_NE(pull.out.find("copied 3 runs"), std::string::npos) << pull.out;
  auto merge = joule({"ledger", "merge", other});
  ASSERT_EQ(merge.exit_code, 0) << merge.err;
  EXPECT_NE(merge.out.find("copied 0 runs"), std::string::npos) << merge.out;
  auto bad = joule({"ledger", "merge", url_});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("ledger pull"), std::string::npos) << bad.err;
}

TEST_F(TeamLedgerPostgreSQL, UnreachableDatabaseStillGivesTheRunsOutputs) {
  auto e = env();
  e["JOULE_LEDGER"] = "postgresql://joule@/joule?host=/nonexistent-joule-dir&port=5999";
  auto r = run_joule({"run", "--json", path("run.json").string(), "--", "true"}, e);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("cannot connect"), std::string::npos) << r.err;
  auto json = read_json("run.json");
  EXPECT_EQ(json["status"], "finished");
  auto scheme = run_joule({"ls"}, {{"JOULE_LEDGER", "mysql://db/joule"}});
  EXPECT_NE(scheme.exit_code, 0);
  EXPECT_NE(scheme.err.find("unknown scheme 'mysql'"), std::string::npos) << scheme.err;
}

}  // namespace
