#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/ledger_cli_support.hpp"
#include "support/subprocess.hpp"

namespace {

using joule::testing::CliLedger;
using joule::testing::run_joule;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(CompareCommand, SideBySideWithRatios) {
  CliLedger ledger;
  ledger.fill();
  auto r = run_joule({"compare", "20240501", "20240502"}, ledger.env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "20240501-120000-aaaa0001 (baseline)")) << r.out;
  EXPECT_TRUE(has(r.out, "20240502-120000-bbbb0002")) << r.out;
  EXPECT_TRUE(has(r.out, "attributed energy")) << r.out;
  EXPECT_TRUE(has(r.out, "(×2.00)")) << r.out;
  EXPECT_TRUE(has(r.out, "CO2e (central)")) << r.out;
}

TEST(CompareCommand, Json) {
  CliLedger ledger;
  ledger.fill();
  auto r = run_joule({"compare", "20240501", "20240502", "20240503", "--json"}, ledger.env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["runs"].size(), 3u);
  EXPECT_EQ(j["baseline"], "20240501-120000-aaaa0001");
}

TEST(CompareCommand, NeedsTwoRuns) {
  CliLedger ledger;
  ledger.fill();
  EXPECT_NE(run_joule({"compare", "20240501"}, ledger.env()).exit_code, 0);
}

}  // namespace
