#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "cli/ledger_cli_support.hpp"
#include "record/csv_io.hpp"
#include "support/subprocess.hpp"

namespace {

using joule::testing::CliLedger;
using joule::testing::run_joule;

TEST(ExportCommand, CsvOpensWithTheExpectedHeader) {
  CliLedger ledger;
  ledger.fill();
  auto r = run_joule({"export", "--csv"}, ledger.env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string header;
  std::getline(lines, header);
  EXPECT_EQ(header.rfind("timestamp,project_name,run_id,experiment_id,duration,emissions,", 0), 0u);
  EXPECT_EQ(header + "\n", joule::record::csv_header());
  int rows = 0;
  for (std::string line; std::getline(lines, line);) ++rows;
  EXPECT_EQ(rows, 3);
}

TEST(ExportCommand, JsonWithFiltersToFile) {
  CliLedger ledger;
  ledger.fill();
  auto out = ledger.dir / "runs.json";
  auto r =
      run_joule({"export", "--json", "--tag", "model=resnet", "--out", out.string()}, ledger.env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(out);
  auto j = nlohmann::json::parse(in);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["id"], "20240501-120000-aaaa0001");
  EXPECT_EQ(j[0]["schema_version"], "1.2");
}

TEST(ExportCommand, NeedsAFormat) {
  CliLedger ledger;
  ledger.fill();
  EXPECT_NE(run_joule({"export"}, ledger.env()).exit_code, 0);
  EXPECT_NE(run_joule({"export", "--csv", "--json"}, ledger.env()).exit_code, 0);
}

}  // namespace
