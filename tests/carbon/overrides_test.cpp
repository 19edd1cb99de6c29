// Users' data files override or extend any table; malformed ones are rejected
// with file, line, column and what was expected.
#include <gtest/gtest.h>

#include "carbon/tables.hpp"
#include "refdata/csv.hpp"
#include "test_support.hpp"

using namespace joule::carbon;
using joule::DataError;
using joule::carbon::testing::isolated;
using joule::carbon::testing::resolve_isolated;
using joule::carbon::testing::TempDir;

TEST(Overrides, ReplaceAndExtendTheCountryTable) {
  TempDir dir;
  auto file = dir.write("mine.csv",
                        "# file: grid_intensity_country.csv\n# source: our utility bill 2025\n"
                        "code,iso2,name,central_g_per_kwh,central_source\n"
                        "FRA,FR,France,99,utility\nXKA,QZ,Atlantis,250,survey\n");
  auto o = isolated();
  o.data_files = {file};
  o.country = "FR";
  auto ctx = resolve_isolated(o);
  EXPECT_NEAR(ctx.intensity_g_per_kwh.central, 99, 1e-12);
  EXPECT_NE(ctx.intensity_source.find("mine.csv:4"), std::string::npos) << ctx.intensity_source;
  o.country = "QZ";
  EXPECT_NEAR(resolve_isolated(o).intensity_g_per_kwh.central, 250, 1e-12);
  o.country = "DE";  // untouched rows stay
  EXPECT_NEAR(resolve_isolated(o).intensity_g_per_kwh.central, 342.1, 1e-9);
}

TEST(Overrides, TableChosenByFileNameAndEmbodiedOverride) {
  TempDir dir;
  auto file = dir.write("embodied.csv",
                        "item,kg_co2e,lifetime_years,source\nOur GPU box,2000,5,vendor PCF\n");
  auto o = isolated();
  o.country = "FR";
  o.data_files = {file};
  auto ctx = resolve_isolated(o);
  EmbodiedInput in;
  in.device = "our gpu box";
  in.time_reserved = joule::Seconds{3600};
  EXPECT_NEAR(embodied(ctx, in).grams.central, 2000e3 / (5 * 8760), 1e-9);
}

TEST(Overrides, MalformedFilesNameFileLineColumnAndExpectation) {
  TempDir dir;
  auto o = isolated();
  o.country = "FR";
  auto expect_error = [&](const std::string& name, const std::string& text, std::size_t line,
                          std::size_t column, const std::string& expected) {
    SCOPED_TRACE(name);
    o.data_files = {dir.write(name, text)};
    try {
      (void)resolve_isolated(o);
      FAIL() << "expected DataError";
    } catch (const DataError& e) {
      EXPECT_EQ(e.line(), line) << e.what();
      if (column) EXPECT_EQ(e.column(), column) << e.what();
      std::string what = e.what();
      EXPECT_NE(what.find(name), std::string::npos) << what;
      EXPECT_NE(what.find(expected), std::string::npos) << what;
    }
  };
  const std::string head = "# file: grid_intensity_country.csv\ncode,iso2,name,central_g_per_kwh\n";
  expect_error("number.csv", head + "FRA,FR,France,5x6\n", 3, 15, "expected a number");
  expect_error("iso.csv", head + "FRA,F1,France,50\n", 3, 5, "ISO 3166-1 alpha-2");
  expect_error("range.csv", head + "FRA,FR,France,2000\n", 3, 0, "between 0 and 1500");
  expect_error("columns.csv", "# file: grid_intensity_country.csv\ncode,iso2,name\nFRA,FR,France\n",
               2, 1, "central_g_per_kwh");
  expect_error("what.csv", "a,b\n1,2\n", 1, 1, "which table");
  expect_error("quote.csv", head + "FRA,FR,\"France,50\n", 3, 0, "");
}

TEST(Overrides, MissingFileIsAnError) {
  auto o = isolated();
  o.data_files = {"/nonexistent/joule-table.csv"};
  EXPECT_THROW(resolve_isolated(o), DataError);
}

// Built-in tables load on first use; a user file is still checked when the
// data set is made, even for a table this run never looks at.
TEST(Overrides, ABadFileForATableTheRunDoesNotUseStillFailsUpFront) {
  TempDir dir;
  auto o = isolated();
  o.country = "FR";
  o.data_files = {dir.write("gpu_power.csv", "model,tdp_w\nOur card,9999\n")};
  try {
    (void)resolve_isolated(o);
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_EQ(e.line(), 2u) << e.what();
    EXPECT_NE(std::string(e.what()).find("between 0 and 5000"), std::string::npos) << e.what();
  }
  o.data_files = {dir.write("gpu_power.csv", "model,tdp_w\nOur card,450\n")};
  auto ctx = resolve_isolated(o);
  ASSERT_NE(ctx.data->gpu("our card"), nullptr);
  EXPECT_EQ(ctx.data->gpu("our card")->tdp_w, 450);
  EXPECT_NE(ctx.data->gpu("A100 PCIe 40GB"), nullptr);  // the built-in rows are still there
}

TEST(Overrides, ALaterRowWithTheSameKeyWins) {
  TempDir dir;
  auto o = isolated();
  o.country = "FR";
  o.data_files = {
      dir.write("grid_intensity_country.csv",
                "code,iso2,name,central_g_per_kwh\nFRA,FR,France,70\nFRA,FR,France,80\n")};
  auto ctx = resolve_isolated(o);
  EXPECT_NEAR(ctx.intensity_g_per_kwh.central, 80, 1e-12);
  EXPECT_NE(ctx.intensity_source.find("grid_intensity_country.csv:3"), std::string::npos)
      << ctx.intensity_source;
  std::size_t france_rows = 0;
  for (const auto& r : ctx.data->countries()) france_rows += r.code == "FRA";
  EXPECT_EQ(france_rows, 1u);
}
