// Reads that do not grow with the ledger (the latest N, streaming), retention
// (prune, downsample), hosts sharing one ledger, and copies between ledgers:
// on both stores alike.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cstdlib>

#include "record/ledger.hpp"
#include "record/ledger_test_support.hpp"
#include "record/sample_record.hpp"

namespace joule::record {
namespace {

using joule::testing::running_record;
using joule::testing::sample_record;

class LedgerScaling : public joule::testing::OnBothBackends {};
JOULE_ON_BOTH_BACKENDS(LedgerScaling);

RunRecord finished_on(const std::string& id, int day, int hour = 12) {
  RunRecord r = sample_record(id);
  r.started_at = fmt::format("2024-05-{:02}T{:02}:00:00.000Z", day, hour);
  return r;
}

// Starts a run in a child process that then exits without finishing it, as
// joule does when killed; `host` replaces the host name when not empty.
void begin_in_dead_process(const std::string& location, const RunRecord& run,
                           const std::string& host = "") {
  pid_t pid = fork();
  if (pid == 0) {
    if (!host.empty()) setenv("JOULE_HOST_NAME", host.c_str(), 1);
    int code = 0;
    try {
      Ledger(location).begin_run(run);
    } catch (const std::exception& e) {
      fmt::print(stderr, "child: {}\n", e.what());
      code = 1;
    }
    _exit(code);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

std::vector<std::string> ids_of(const std::vector<RunRecord>& runs) {
  std::vector<std::string> ids;
  ids.reserve(runs.size());
  for (const auto& r : runs) ids.push_back(r.id);
  return ids;
}

TEST_P(LedgerScaling, LatestIsTheNewestRunsOldestFirst) {
  Ledger ledger(location());
  // Inserted out of order; two share a start time and are told apart by id.
  for (int day : {9, 3, 7, 1, 5, 2, 8, 4, 6}) {
    auto r = finished_on(fmt::format("202405{:02}-120000-0000000{}", day, day), day);
    r.tags = {{"even", day % 2 == 0 ? "yes" : "no"}};
    ledger.finish_run(r);
  }
  auto tie = finished_on("20240509-120000-00000000", 9);
  ledger.finish_run(tie);

  using V = std::vector<std::string>;
  EXPECT_EQ(ids_of(ledger.latest(3)), (V{"20240508-120000-00000008", "20240509-120000-00000000",
                                         "20240509-120000-00000009"}));
  LedgerFilter even;
  even.tags = {{"even", "yes"}};
  EXPECT_EQ(ids_of(ledger.latest(2, even)),
            (V{"20240506-120000-00000006", "20240508-120000-00000008"}));
  EXPECT_EQ(ledger.latest(100).size(), 10u);
  EXPECT_TRUE(ledger.latest(0).empty());

  std::vector<std::string> streamed;
  EXPECT_EQ(ledger.for_each({}, [&](const RunRecord& r) { streamed.push_back(r.id); }), 10u);
  EXPECT_EQ(streamed.front(), "20240501-120000-00000001");
  EXPECT_EQ(streamed.back(), "20240509-120000-00000009");
  EXPECT_TRUE(std::is_sorted(streamed.begin(), streamed.end()));
}

TEST_P(LedgerScaling, ARunningRowIsInterruptedOnlyForItsOwnHost) {
  { Ledger create(location()); }
  begin_in_dead_process(location(), running_record("20240501-120000-mine0001", 1));
  begin_in_dead_process(location(), running_record("20240501-120000-else0001", 1), "elsewhere");
  {
    Ledger here(location(), Ledger::Mode::read_only);
    EXPECT_EQ(here.get("20240501-120000-mine0001").status, RunStatus::interrupted);
    // Its pid is dead here too, but only its own host may say so.
    EXPECT_EQ(here.get("20240501-120000-else0001").status, RunStatus::running);
  }
  setenv("JOULE_HOST_NAME", "elsewhere", 1);
  Ledger there(location(), Ledger::Mode::read_only);
  unsetenv("JOULE_HOST_NAME");
  EXPECT_EQ(there.get("20240501-120000-else0001").status, RunStatus::interrupted);
  EXPECT_EQ(there.get("20240501-120000-mine0001").status, RunStatus::running);
}

TEST_P(LedgerScaling, PruneDeletesOldRunsButNeverARunningOne) {
  Ledger ledger(location());
  for (int day = 1; day <= 4; ++day)
    ledger.finish_run(finished_on(fmt::format("202405{:02}-120000-00000001", day), day));
  auto alive = running_record("20240501-130000-alive001", 5);  // owned by this process
  ledger.begin_run(alive);
  auto dead = running_record("20240501-140000-dead0001", 5);
  begin_in_dead_process(location(), dead);
  auto remote = running_record("20240501-150000-remote01", 5);
  begin_in_dead_process(location(), remote, "elsewhere");

  auto done = ledger.prune(*date_bound("2024-05-03", false), std::nullopt);
  EXPECT_EQ(done.removed, 3u);  // two finished, one interrupted here
  EXPECT_EQ(done.kept_running, 2u);
  using V = std::vector<std::string>;
  EXPECT_EQ(ids_of(ledger.list()), (V{"20240501-130000-alive001", "20240501-150000-remote01",
                                      "20240503-120000-00000001", "20240504-120000-00000001"}));
  // Checkpoints of the running run still land.
  alive.totals.machine_energy_j = 99;
  ledger.checkpoint(alive);
  EXPECT_DOUBLE_EQ(ledger.get(alive.id).totals.machine_energy_j, 99);
}

TEST_P(LedgerScaling, DownsampleThinsOldTimelinesAndKeepsTotals) {
  Ledger ledger(location());
  auto old_run = finished_on("20240501-120000-00000001", 1);
  old_run.timeline.domain_ids = {"cpu:package-0"};
  old_run.timeline.points.clear();
  for (int i = 0; i <= 1000; ++i) old_run.timeline.points.push_back({i * 0.5, {i * 2.0}});
  auto new_run = old_run;
  new_run.id = "20240510-120000-00000002";
  new_run.started_at = "2024-05-10T12:00:00.000Z";
  ledger.finish_run(old_run);
  ledger.finish_run(new_run);
  auto running = running_record("20240501-130000-alive001", 5);
  running.timeline = old_run.timeline;
  ledger.begin_run(running);

  auto done = ledger.prune(*date_bound("2024-05-05", false), 11);
  EXPECT_EQ(done.thinned, 1u);
  EXPECT_EQ(done.removed, 0u);
  EXPECT_EQ(done.kept_running, 1u);
  auto thinned = ledger.get(old_run.id);
  ASSERT_EQ(thinned.timeline.points.size(), 11u);
  EXPECT_DOUBLE_EQ(thinned.timeline.points.front().t_s, 0);
  EXPECT_DOUBLE_EQ(thinned.timeline.points.back().t_s, 500);
  EXPECT_DOUBLE_EQ(thinned.timeline.points[5].energy_j[0], 1000);  // cumulative: exact where kept
  EXPECT_DOUBLE_EQ(thinned.totals.machine_energy_j, old_run.totals.machine_energy_j);
  EXPECT_NE(thinned.warnings.back().find("thinned from 1001 to 11"), std::string::npos);
  EXPECT_EQ(ledger.get(new_run.id).timeline.points.size(), 1001u);
  EXPECT_EQ(ledger.get(running.id).timeline.points.size(), 1001u);
  // A second pass has nothing left to thin.
  EXPECT_EQ(ledger.prune(*date_bound("2024-05-05", false), 11).thinned, 0u);
}

TEST_P(LedgerScaling, CopiesBetweenLedgersAreIdempotent) {
  const std::string other = (dir_.path / "laptop.sqlite").string();
  Ledger laptop(other);
  auto a = finished_on("20240501-120000-aaaa0001", 1);
  a.tags = {{"team", "vision"}};
  laptop.finish_run(a);
  laptop.finish_run(finished_on("20240502-120000-bbbb0002", 2));
  auto running = running_record("20240503-120000-cccc0003", 5);
  laptop.begin_run(running);

  Ledger team(location());
  auto first = team.copy_from(laptop);
  EXPECT_EQ(first.copied, 3u);
  EXPECT_EQ(first.present, 0u);
  auto second = team.copy_from(laptop);
  EXPECT_EQ(second.copied, 0u);
  EXPECT_EQ(second.present, 3u);
  EXPECT_EQ(team.list().size(), 3u);
  LedgerFilter vision;
  vision.tags = {{"team", "vision"}};
  EXPECT_EQ(ids_of(team.list(vision)), std::vector<std::string>{a.id});
  // The copied running row keeps its owner: this live process.
  EXPECT_EQ(team.get(running.id).status, RunStatus::running);

  // Finished on the laptop since: the next copy completes it, and only it.
  running.status = RunStatus::finished;
  running.totals.machine_energy_j = 777;
  laptop.finish_run(running);
  auto third = team.copy_from(laptop);
  EXPECT_EQ(third.copied, 1u);
  EXPECT_EQ(team.get(running.id).status, RunStatus::finished);
  EXPECT_DOUBLE_EQ(team.get(running.id).totals.machine_energy_j, 777);

  // And back: the laptop already has everything.
  EXPECT_EQ(laptop.copy_from(team).copied, 0u);
}

}  // namespace
}  // namespace joule::record
