// Bad input: each names the file, the line, the key and what was expected,
// with the closest valid names where there are some. Nothing is guessed.
#include <gtest/gtest.h>

#include <cmath>

#include "budget_test_support.hpp"
#include "record/ledger.hpp"
#include "record/sample_record.hpp"

namespace {

using joule::DataError;
using joule::budget::BudgetError;
using joule::budget::compute_budget;
using joule::budget::testing::examples_dir;
using joule::budget::testing::isolated;
using joule::budget::testing::minimal_scenario;
using joule::budget::testing::ScenarioDir;

// The DataError of computing `text`, which must be one.
DataError error_of(const ScenarioDir& dir, const std::string& text,
                   const joule::budget::BudgetOptions& options = isolated()) {
  const auto path = dir.write("bad.toml", text);
  try {
    compute_budget(path, options);
  } catch (const DataError& e) {
    EXPECT_EQ(e.origin(), path.string());
    return e;
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return DataError("", 0, 0, "");
}

void expect_message(const DataError& e, std::size_t line, const std::vector<std::string>& parts) {
  EXPECT_EQ(e.line(), line) << e.what();
  for (const auto& part : parts) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << part << "\n" << e.what();
  }
}

TEST(BudgetErrors, UnknownKeyNamesTheClosest) {
  ScenarioDir dir;
  auto e = error_of(dir, "horizon_yeras = 2\n" + minimal_scenario());
  expect_message(e, 1, {"horizon_yeras: unknown key", "did you mean horizon_years?"});
  e = error_of(dir, minimal_scenario("", "replica = 2\n"));
  expect_message(e, 11, {"deployment[1].replica", "did you mean replicas?"});
}

TEST(BudgetErrors, UnknownDeviceRegionAndModel) {
  ScenarioDir dir;
  std::string text = minimal_scenario();
  text.replace(text.find("server-cpu"), 10, "server-cpuu");
  expect_message(
      error_of(dir, text), 10,
      {"unknown device class 'server-cpuu'", "did you mean server-cpu?", "data/devices.csv"});

  text = minimal_scenario();
  text.replace(text.find("\"FR\""), 4, "\"FRR\"");
  expect_message(error_of(dir, text), 9, {"deployment[1].country", "FRR", "did you mean"});

  const std::string bench = "[bench]\nfile = \"" +
                            (examples_dir() / "bench-quick-results.json").string() +
                            "\"\nmodel = \"cnnn\"\ntier = 0.84\n";
  // The [bench] table follows the deployment's ten lines: model on line 13.
  expect_message(error_of(dir, minimal_scenario() + bench), 13,
                 {"bench.model: no model 'cnnn'", "did you mean cnn?", "logreg, mlp, cnn"});
}

TEST(BudgetErrors, ABenchModelThatNeverReachedTheTier) {
  ScenarioDir dir;
  const std::string bench = "[bench]\nfile = \"" +
                            (examples_dir() / "bench-quick-results.json").string() +
                            "\"\nmodel = \"vit\"\ntier = 0.84\n";
  expect_message(
      error_of(dir, minimal_scenario() + bench), 13,
      {"vit never reached the tier accuracy 0.84", "models that did: logreg, mlp, cnn, gru"});
}

TEST(BudgetErrors, NegativeOrNonFiniteCounts) {
  ScenarioDir dir;
  expect_message(error_of(dir, minimal_scenario("", "replicas = -2\n")), 11,
                 {"deployment[1].replicas", "expected a finite number at least 0", "-2"});
  std::string text = minimal_scenario();
  text.replace(text.find("1000"), 4, "inf");
  expect_message(error_of(dir, text), 6, {"inference.requests_per_day", "finite"});
  expect_message(error_of(dir, minimal_scenario("", "utilisation = nan\n")), 11,
                 {"deployment[1].utilisation", "finite"});
  // A retraining every few seconds would be millions of steps: at least a day.
  expect_message(error_of(dir, minimal_scenario() +
                                   "[training]\nenergy = \"1kWh\"\nretrain_every_days = 0.001\n"),
                 13, {"training.retrain_every_days", "at least 1"});
}

// from_bench = "yes" read as false would leave the given energy in use
// without a word.
TEST(BudgetErrors, FromBenchTakesTrueOrFalseOnly) {
  ScenarioDir dir;
  expect_message(
      error_of(dir, minimal_scenario() + "[training]\nenergy = \"1kWh\"\nfrom_bench = \"yes\"\n"),
      13, {"training.from_bench", "expected true or false"});
}

TEST(BudgetErrors, SharesMustSumToOne) {
  ScenarioDir dir;
  std::string text = minimal_scenario("", "share = 0.5\n") +
                     "\n[[deployment]]\nname = \"b\"\nshare = 0.4\ncountry = \"SE\"\n"
                     "device = \"server-cpu\"\n";
  expect_message(error_of(dir, text), 8, {"the shares must sum to 1, they sum to 0.9"});
}

TEST(BudgetErrors, ARunThatIsNotInTheLedger) {
  ScenarioDir dir;
  const auto ledger_path = dir.path() / "ledger.sqlite";
  {
    joule::record::Ledger ledger(ledger_path);
    ledger.finish_run(joule::testing::sample_record("20240501-120000-aaaa0001"));
  }
  auto options = isolated();
  options.ledger = ledger_path;
  std::string text = minimal_scenario();
  text.replace(text.find("energy_per_request = \"1J\""), 25, "run = \"20240501-120000-aaaa0002\"");
  expect_message(error_of(dir, text, options), 5,
                 {"run '20240501-120000-aaaa0002' is not in the ledger",
                  "did you mean 20240501-120000-aaaa0001?"});
}

TEST(BudgetErrors, ABadWhatIfSaysWhatWasExpected) {
  ScenarioDir dir;
  const auto path = dir.write("ok.toml", minimal_scenario());
  auto message = [&](const std::string& change) {
    try {
      compute_budget(path, isolated({change}));
    } catch (const BudgetError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("regoin=FR").find("did you mean region?"), std::string::npos);
  EXPECT_NE(message("region=FRR").find("did you mean"), std::string::npos);
  EXPECT_NE(message("model=mlp").find("serves no bench model"), std::string::npos);
  EXPECT_NE(message("device=gpu").find("expected one of phone-soc"), std::string::npos);
  EXPECT_NE(message("device=dc-gpu-t4").find("FLOPs per request"), std::string::npos);
  EXPECT_NE(message("utilisation=1.5").find("at most 1"), std::string::npos);
  EXPECT_NE(message("horizon").find("KEY=VALUE"), std::string::npos);
}

}  // namespace
