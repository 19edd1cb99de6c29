// `joule ls -n/--all`, dates with zones, and `joule ledger check|prune` on a
// SQLite ledger (the PostgreSQL side: ledger_team_test.cpp).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>

#include "cli/ledger_cli_support.hpp"
#include "support/subprocess.hpp"

namespace {

using joule::testing::CliLedger;
using joule::testing::run_joule;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// 25 finished runs, one an hour from 2024-05-01T00:00Z.
void fill_hours(const CliLedger& ledger) {
  joule::record::Ledger l(ledger.path);
  for (int h = 0; h < 25; ++h) {
    auto r = joule::testing::sample_record(fmt::format("20240501-{:02}0000-0000{:04}", h, h));
    r.started_at = fmt::format("2024-05-{:02}T{:02}:00:00.000Z", 1 + h / 24, h % 24);
    l.finish_run(r);
  }
}

TEST(LedgerCommands, LsShowsTheLatestTwentyUnlessToldOtherwise) {
  CliLedger ledger;
  fill_hours(ledger);
  auto latest = run_joule({"ls"}, ledger.env());
  ASSERT_EQ(latest.exit_code, 0) << latest.err;
  EXPECT_FALSE(has(latest.out, "00000004")) << latest.out;
  EXPECT_TRUE(has(latest.out, "00000005")) << latest.out;
  EXPECT_LT(latest.out.find("00000005"), latest.out.find("00000024"));  // oldest of them first
  EXPECT_TRUE(has(latest.out, "the latest 20 runs; -n N or --all")) << latest.out;
  auto two = run_joule({"ls", "-n", "2"}, ledger.env());
  EXPECT_FALSE(has(two.out, "00000022")) << two.out;
  EXPECT_TRUE(has(two.out, "00000023") && has(two.out, "00000024")) << two.out;
  auto all = run_joule({"ls", "--all"}, ledger.env());
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_TRUE(has(all.out, "00000000") && has(all.out, "00000024")) << all.out;
  EXPECT_FALSE(has(all.out, "the latest")) << all.out;
  EXPECT_NE(run_joule({"ls", "-n", "0"}, ledger.env()).exit_code, 0);
  EXPECT_NE(run_joule({"ls", "-n", "3", "--all"}, ledger.env()).exit_code, 0);
}

TEST(LedgerCommands, SinceAndUntilTakeAZoneOrTheLocalOne) {
  CliLedger ledger;
  fill_hours(ledger);
  // 2024-05-01T12:00+02:00 is 10:00Z.
  auto offset = run_joule(
      {"ls", "--all", "--since", "2024-05-01T12:00+02:00", "--until", "2024-05-01T12:30+02:00"},
      ledger.env());
  ASSERT_EQ(offset.exit_code, 0) << offset.err;
  EXPECT_TRUE(has(offset.out, "20240501-100000")) << offset.out;
  EXPECT_FALSE(has(offset.out, "20240501-120000")) << offset.out;
  auto env = ledger.env();
  env["TZ"] = "Asia/Tokyo";  // +09:00
  auto local = run_joule(
      {"ls", "--all", "--local-time", "--since", "2024-05-01T18:00", "--until", "2024-05-01T18:59"},
      env);
  ASSERT_EQ(local.exit_code, 0) << local.err;
  EXPECT_TRUE(has(local.out, "20240501-090000")) << local.out;
  EXPECT_FALSE(has(local.out, "20240501-180000")) << local.out;
}

TEST(LedgerCommands, CheckSaysSoundOrNamesTheDamage) {
  CliLedger ledger;
  ledger.fill();
  auto sound = run_joule({"ledger", "check"}, ledger.env());
  EXPECT_EQ(sound.exit_code, 0) << sound.err;
  EXPECT_TRUE(has(sound.out, "sound")) << sound.out;
  {
    joule::record::Ledger l(ledger.path);
    for (int i = 0; i < 200; ++i) {
      auto r = joule::testing::sample_record(fmt::format("20240601-120000-{:08}", i));
      r.warnings.assign(20, std::string(100, 'x'));
      l.finish_run(r);
    }
  }
  {
    std::fstream f(ledger.path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(std::streamoff{3} * 4096);
    std::string scribble(std::size_t{4} * 4096, '\x5a');
    f.write(scribble.data(), static_cast<std::streamsize>(scribble.size()));
  }
  auto damaged = run_joule({"ledger", "check"}, ledger.env());
  EXPECT_NE(damaged.exit_code, 0);
  EXPECT_TRUE(has(damaged.out + damaged.err, "corrupt") || has(damaged.out, "problem"))
      << damaged.out << damaged.err;
}

TEST(LedgerCommands, PruneDeletesOrThinsOldRuns) {
  CliLedger ledger;
  fill_hours(ledger);
  auto thin =
      run_joule({"ledger", "prune", "--before", "2024-05-02", "--downsample"}, ledger.env());
  ASSERT_EQ(thin.exit_code, 0) << thin.err;
  EXPECT_TRUE(has(thin.out, "thinned the timelines of 0 runs")) << thin.out;  // short ones
  auto prune = run_joule({"ledger", "prune", "--before", "2024-05-01T12:00Z"}, ledger.env());
  ASSERT_EQ(prune.exit_code, 0) << prune.err;
  EXPECT_TRUE(has(prune.out, "deleted 12 runs")) << prune.out;
  auto all = run_joule({"ls", "--all"}, ledger.env());
  EXPECT_FALSE(has(all.out, "20240501-110000")) << all.out;
  EXPECT_TRUE(has(all.out, "20240501-120000")) << all.out;
  auto bad = run_joule({"ledger", "prune", "--before", "soon"}, ledger.env());
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_TRUE(has(bad.err, "not a date")) << bad.err;
}

TEST(LedgerCommands, ExportOfNothingIsAnEmptyArray) {
  CliLedger ledger;
  ledger.fill();
  auto r = run_joule({"export", "--json", "--tag", "model=none"}, ledger.env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "[]\n");
}

}  // namespace
