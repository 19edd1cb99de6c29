#include <gtest/gtest.h>

#include "cli/ledger_cli_support.hpp"
#include "support/subprocess.hpp"

namespace {

using joule::testing::CliLedger;
using joule::testing::run_joule;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(LsCommand, ListsRunsWithColumns) {
  CliLedger ledger;
  ledger.fill();
  auto r = run_joule({"ls"}, ledger.env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* column :
       {"id", "start (UTC)", "status", "duration", "energy", "CO2e", "command"}) {
    EXPECT_TRUE(has(r.out, column)) << column << "\n" << r.out;
  }
  EXPECT_TRUE(has(r.out, "20240501-120000-aaaa0001")) << r.out;
  EXPECT_TRUE(has(r.out, "2024-05-01 12:00:00")) << r.out;
  EXPECT_TRUE(has(r.out, "finished")) << r.out;
  EXPECT_TRUE(has(r.out, "35.2 kJ")) << r.out;
  EXPECT_TRUE(has(r.out, "make bench")) << r.out;
  // Oldest first.
  EXPECT_LT(r.out.find("aaaa0001"), r.out.find("cccc0003"));
}

TEST(LsCommand, Filters) {
  CliLedger ledger;
  ledger.fill();
  auto by_tag = run_joule({"ls", "--tag", "model=bert"}, ledger.env());
  EXPECT_TRUE(has(by_tag.out, "bbbb0002")) << by_tag.out;
  EXPECT_FALSE(has(by_tag.out, "aaaa0001")) << by_tag.out;
  auto by_command = run_joule({"ls", "--command", "make"}, ledger.env());
  EXPECT_TRUE(has(by_command.out, "cccc0003"));
  EXPECT_FALSE(has(by_command.out, "bbbb0002"));
  auto by_date = run_joule({"ls", "--since", "2024-05-02", "--until", "2024-05-02"}, ledger.env());
  EXPECT_TRUE(has(by_date.out, "bbbb0002")) << by_date.out;
  EXPECT_FALSE(has(by_date.out, "aaaa0001"));
  EXPECT_FALSE(has(by_date.out, "cccc0003"));
  auto none = run_joule({"ls", "--tag", "model=gpt"}, ledger.env());
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_TRUE(has(none.out, "no matching runs"));
}

TEST(LsCommand, BadDateIsAUsageError) {
  CliLedger ledger;
  ledger.fill();
  auto r = run_joule({"ls", "--since", "last tuesday"}, ledger.env());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(has(r.err + r.out, "not a date")) << r.err;
}

TEST(LsCommand, DayNotOnTheCalendarIsAUsageError) {
  CliLedger ledger;
  ledger.fill();
  for (const char* day : {"2024-02-31", "2023-02-29"}) {
    auto r = run_joule({"ls", "--until", day}, ledger.env());
    EXPECT_NE(r.exit_code, 0) << day;
    EXPECT_TRUE(has(r.err + r.out, "not a date")) << r.err;
  }
  auto leap = run_joule({"ls", "--since", "2024-02-29"}, ledger.env());
  EXPECT_EQ(leap.exit_code, 0) << leap.err;
}

TEST(LsCommand, LedgerFlagBeatsEnvironment) {
  CliLedger ledger;
  ledger.fill();
  auto r = run_joule({"ls", "--ledger", ledger.path.string()},
                     {{"JOULE_LEDGER", (ledger.dir / "other.sqlite").string()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "aaaa0001"));
}

TEST(LsCommand, NoLedgerYet) {
  CliLedger ledger;
  auto r = run_joule({"ls"}, ledger.env());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "no runs recorded yet")) << r.out;
  EXPECT_FALSE(std::filesystem::exists(ledger.path));  // reading never creates it
}

TEST(LsCommand, DefaultLedgerUnderXdgDataHome) {
  CliLedger ledger;
  auto xdg = ledger.dir / "xdg";
  {
    joule::record::Ledger l(xdg / "joule" / "ledger.sqlite");
    l.finish_run(joule::testing::sample_record("20240509-000000-dddd0004"));
  }
  auto r = run_joule({"ls"}, {{"JOULE_LEDGER", "\x01unset"}, {"XDG_DATA_HOME", xdg.string()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "dddd0004")) << r.out;
}

}  // namespace
