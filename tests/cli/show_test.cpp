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

TEST(ShowCommand, SummaryByUniquePrefix) {
  CliLedger ledger;
  ledger.fill();
  auto r = run_joule({"show", "20240502"}, ledger.env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "joule run 20240502-120000-bbbb0002  finished")) << r.out;
  EXPECT_TRUE(has(r.out, "Energy")) << r.out;
  EXPECT_TRUE(has(r.out, "Carbon")) << r.out;
  EXPECT_TRUE(has(r.out, "--model bert")) << r.out;
}

TEST(ShowCommand, JsonIsTheRecord) {
  CliLedger ledger;
  ledger.fill();
  auto r = run_joule({"show", "20240501-120000-aaaa0001", "--json"}, ledger.env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema_version"], "1.2");
  EXPECT_EQ(j["id"], "20240501-120000-aaaa0001");
  EXPECT_EQ(j["tags"]["model"], "resnet");
}

TEST(ShowCommand, AmbiguousAndUnknownIds) {
  CliLedger ledger;
  ledger.fill();
  auto ambiguous = run_joule({"show", "2024"}, ledger.env());
  EXPECT_NE(ambiguous.exit_code, 0);
  EXPECT_TRUE(has(ambiguous.err, "matches several runs")) << ambiguous.err;
  auto unknown = run_joule({"show", "1999"}, ledger.env());
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_TRUE(has(unknown.err, "no run 1999")) << unknown.err;
}

}  // namespace
