// The ledger's ordinary life: begin, checkpoint, finish, list, get, filters,
// retention and copies, on both stores (SQLite and PostgreSQL) alike.
#include <gtest/gtest.h>

#include "record/ledger.hpp"
#include "record/ledger_test_support.hpp"
#include "record/sample_record.hpp"

namespace joule::record {
namespace {

using joule::testing::LedgerDir;
using joule::testing::running_record;

class LedgerSemantics : public joule::testing::OnBothBackends {};
JOULE_ON_BOTH_BACKENDS(LedgerSemantics);

TEST(Ledger, CreatesFileAndDirectoryInWalMode) {
  LedgerDir dir;
  auto path = dir.path / "nested" / "deeper" / "ledger.sqlite";
  Ledger ledger(path);
  ledger.begin_run(running_record("20240501-120000-00000001", 10));
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_TRUE(std::filesystem::exists(path.string() + "-wal"));
}

TEST_P(LedgerSemantics, BeginCheckpointFinish) {
  Ledger ledger(location());
  auto run = running_record("20240501-120000-00000001", 10);
  ledger.begin_run(run);
  auto listed = ledger.list();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].status, RunStatus::running);  // we are alive: not interrupted

  run.totals.machine_energy_j = 250;
  run.timeline.domain_ids = {"cpu:package-0"};
  run.timeline.points = {{0, {0}}, {2.5, {250}}};
  ledger.checkpoint(run);
  auto got = ledger.get(run.id);
  EXPECT_DOUBLE_EQ(got.totals.machine_energy_j, 250);
  EXPECT_EQ(got.timeline.points.size(), 2u);

  run.status = RunStatus::finished;
  run.exit.exit_code = 3;
  run.totals.machine_energy_j = 300;
  ledger.finish_run(run);
  got = ledger.get(run.id);
  EXPECT_EQ(got.status, RunStatus::finished);
  EXPECT_EQ(got.exit.exit_code, 3);
  EXPECT_DOUBLE_EQ(got.totals.machine_energy_j, 300);
}

TEST_P(LedgerSemantics, LateCheckpointNeverRevertsAFinishedRun) {
  Ledger ledger(location());
  auto run = running_record("20240501-120000-00000001", 10);
  ledger.begin_run(run);
  run.status = RunStatus::finished;
  run.totals.machine_energy_j = 500;
  ledger.finish_run(run);
  auto stale = running_record("20240501-120000-00000001", 20);
  ledger.checkpoint(stale);
  auto got = ledger.get(run.id);
  EXPECT_EQ(got.status, RunStatus::finished);
  EXPECT_DOUBLE_EQ(got.totals.machine_energy_j, 500);
}

TEST_P(LedgerSemantics, CheckpointInsertsWhenBeginNeverLanded) {
  Ledger ledger(location());
  ledger.checkpoint(running_record("20240501-120000-00000009", 42));
  EXPECT_DOUBLE_EQ(ledger.get("20240501-120000-00000009").totals.machine_energy_j, 42);
}

TEST_P(LedgerSemantics, FinishStoresFullRecordAndTags) {
  Ledger ledger(location());
  auto sample = joule::testing::sample_record();
  ledger.finish_run(sample);
  auto got = ledger.get(sample.id);
  EXPECT_EQ(got.tags, sample.tags);
  ASSERT_TRUE(got.carbon);
  EXPECT_DOUBLE_EQ(got.carbon->total_co2e_g.central, sample.carbon->total_co2e_g.central);
  EXPECT_EQ(got.host.gpus.size(), 1u);
}

TEST_P(LedgerSemantics, GetByUniquePrefixAndErrors) {
  Ledger ledger(location());
  ledger.finish_run(joule::testing::sample_record("20240501-120000-aaaa0001"));
  ledger.finish_run(joule::testing::sample_record("20240501-120000-aaaa0002"));
  ledger.finish_run(joule::testing::sample_record("20240502-090000-bbbb0001"));
  EXPECT_EQ(ledger.get("20240502").id, "20240502-090000-bbbb0001");
  EXPECT_EQ(ledger.get("20240501-120000-aaaa0002").id, "20240501-120000-aaaa0002");
  try {
    ledger.get("20240501-120000-aaaa");
    FAIL();
  } catch (const LedgerError& e) {
    EXPECT_EQ(e.kind(), LedgerError::Kind::ambiguous);
    EXPECT_NE(std::string(e.what()).find("aaaa0001"), std::string::npos);
  }
  try {
    ledger.get("2023");
    FAIL();
  } catch (const LedgerError& e) {
    EXPECT_EQ(e.kind(), LedgerError::Kind::not_found);
  }
}

TEST_P(LedgerSemantics, Filters) {
  Ledger ledger(location());
  auto a = joule::testing::sample_record("20240501-120000-00000001");
  a.started_at = "2024-05-01T12:00:00.000Z";
  a.tags = {{"model", "resnet"}, {"team", "vision"}};
  a.command = {"python", "train.py"};
  auto b = joule::testing::sample_record("20240502-120000-00000002");
  b.started_at = "2024-05-02T12:00:00.000Z";
  b.tags = {{"model", "bert"}};
  b.command = {"python", "infer.py"};
  auto c = joule::testing::sample_record("20240503-120000-00000003");
  c.started_at = "2024-05-03T23:59:59.500Z";
  c.tags = {};
  c.command = {"make", "bench"};
  for (const auto& r : {c, a, b}) ledger.finish_run(r);

  auto ids = [&](const LedgerFilter& f) {
    std::vector<std::string> out;
    for (const auto& r : ledger.list(f)) out.push_back(r.id);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids({}), (V{a.id, b.id, c.id}));  // oldest first, whatever the insert order
  LedgerFilter f;
  f.tags = {{"model", "bert"}};
  EXPECT_EQ(ids(f), V{b.id});
  f.tags = {{"model", ""}};
  EXPECT_EQ(ids(f), (V{a.id, b.id}));
  f.tags = {{"model", "resnet"}, {"team", "vision"}};
  EXPECT_EQ(ids(f), V{a.id});
  f = {};
  f.command_contains = "python";
  EXPECT_EQ(ids(f), (V{a.id, b.id}));
  f.command_contains = "infer";
  EXPECT_EQ(ids(f), V{b.id});
  f = {};
  f.since = *date_bound("2024-05-02", false);
  EXPECT_EQ(ids(f), (V{b.id, c.id}));
  f.until = *date_bound("2024-05-03", true);  // a date covers its whole day
  EXPECT_EQ(ids(f), (V{b.id, c.id}));
  f.until = *date_bound("2024-05-02T12:00", true);
  EXPECT_EQ(ids(f), V{b.id});
  f = {};
  f.status = RunStatus::interrupted;
  EXPECT_TRUE(ids(f).empty());
}

TEST(Ledger, DateBounds) {
  EXPECT_EQ(date_bound("2024-05-01", false), "2024-05-01T00:00:00.000Z");
  EXPECT_EQ(date_bound("2024-05-01", true), "2024-05-01T23:59:59.999Z");
  EXPECT_EQ(date_bound("2024-05-01 12:30", true), "2024-05-01T12:30:59.999Z");
  EXPECT_EQ(date_bound("2024-05-01T12:30:15Z", false), "2024-05-01T12:30:15.000Z");
  EXPECT_FALSE(date_bound("yesterday", false));
  EXPECT_FALSE(date_bound("2024-99-01", false));
}

TEST(Ledger, DateBoundsRejectDaysNotOnTheCalendar) {
  EXPECT_FALSE(date_bound("2024-02-31", false));
  EXPECT_FALSE(date_bound("2024-02-31", true));
  EXPECT_FALSE(date_bound("2024-02-31T12:00", true));
  EXPECT_FALSE(date_bound("2023-02-29", false));
  EXPECT_FALSE(date_bound("2024-04-31 08:00:00", false));
  EXPECT_EQ(date_bound("2024-02-29", true), "2024-02-29T23:59:59.999Z");
}

TEST(Ledger, ReadOnlyOpenOfMissingLedgerSaysSo) {
  LedgerDir dir;
  try {
    Ledger ledger(dir.ledger(), Ledger::Mode::read_only);
    FAIL();
  } catch (const LedgerError& e) {
    EXPECT_EQ(e.kind(), LedgerError::Kind::missing);
  }
  EXPECT_FALSE(std::filesystem::exists(dir.ledger()));
}

TEST(Ledger, DefaultPathFollowsXdg) {
  const char* old_xdg = std::getenv("XDG_DATA_HOME");
  std::string saved = old_xdg ? old_xdg : "";
  setenv("XDG_DATA_HOME", "/data/xdg", 1);
  EXPECT_EQ(Ledger::default_path(), std::filesystem::path("/data/xdg/joule/ledger.sqlite"));
  setenv("XDG_DATA_HOME", "relative/ignored", 1);
  setenv("HOME", getenv("HOME") ? getenv("HOME") : "/root", 1);
  EXPECT_EQ(Ledger::default_path(),
            std::filesystem::path(getenv("HOME")) / ".local/share/joule/ledger.sqlite");
  if (old_xdg) {
    setenv("XDG_DATA_HOME", saved.c_str(), 1);
  } else {
    unsetenv("XDG_DATA_HOME");
  }
}

TEST(Ledger, ResolvedPathPrefersTheOptionThenJouleLedger) {
  const char* old_env = std::getenv("JOULE_LEDGER");
  const std::string saved = old_env ? old_env : "";
  setenv("JOULE_LEDGER", "/env/ledger.sqlite", 1);
  EXPECT_EQ(Ledger::resolve_path("/given.sqlite"), std::filesystem::path("/given.sqlite"));
  EXPECT_EQ(Ledger::resolve_path(""), std::filesystem::path("/env/ledger.sqlite"));
  setenv("JOULE_LEDGER", "", 1);  // set but empty: as if unset
  EXPECT_EQ(Ledger::resolve_path(""), Ledger::default_path());
  unsetenv("JOULE_LEDGER");
  EXPECT_EQ(Ledger::resolve_path(""), Ledger::default_path());
  if (old_env) setenv("JOULE_LEDGER", saved.c_str(), 1);
}

}  // namespace
}  // namespace joule::record
