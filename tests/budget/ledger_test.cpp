// Measured inputs from the ledger: training runs summed, and the energy per
// request of a run that counted its units.
#include <gtest/gtest.h>

#include <algorithm>

#include "budget_test_support.hpp"
#include "record/ledger.hpp"
#include "record/sample_record.hpp"

namespace {

using joule::budget::compute_budget;
using joule::budget::testing::isolated;
using joule::budget::testing::ScenarioDir;

TEST(BudgetLedger, RunsGiveMeasuredTrainingAndEnergyPerRequest) {
  ScenarioDir dir;
  const auto ledger_path = dir.path() / "ledger.sqlite";
  auto a = joule::testing::sample_record("20240501-120000-aaaa0001");
  auto b = joule::testing::sample_record("20240502-120000-bbbb0002");
  b.totals.attributed_energy_j = 2 * a.totals.attributed_energy_j;
  auto serve = joule::testing::sample_record("20240503-120000-cccc0003");
  serve.units = {{"request", 1000}};
  {
    joule::record::Ledger ledger(ledger_path);
    for (const auto& r : {a, b, serve}) ledger.finish_run(r);
  }
  const auto path = dir.write("measured.toml", R"(
horizon_years = 1
ledger = "ledger.sqlite"

[training]
runs = ["20240501-120000-aaaa0001", "20240502-120000-bbbb0002"]
country = "FR"
context = "own"

[inference]
run = "20240503-120000-cccc0003"
unit = "request"
requests_per_day = 100

[[deployment]]
country = "FR"
context = "own"
device = "server-cpu"
)");
  auto options = isolated();
  options.ledger.reset();  // the scenario's own ledger key
  options.rank_what_ifs = false;
  const auto r = compute_budget(path, options);
  const double run_j = a.totals.attributed_energy_j;
  ASSERT_EQ(r.inputs[0].name, "training energy per run");
  EXPECT_DOUBLE_EQ(r.inputs[0].value.central, 3 * run_j);
  EXPECT_EQ(r.inputs[0].provenance, "measured");
  EXPECT_NE(r.inputs[0].source.find("20240501-120000-aaaa0001, 20240502-120000-bbbb0002"),
            std::string::npos);
  const auto per_request = *std::find_if(r.inputs.begin(), r.inputs.end(), [](const auto& i) {
    return i.name == "energy per request";
  });
  EXPECT_DOUBLE_EQ(per_request.value.central, serve.totals.attributed_energy_j / 1000);
  EXPECT_EQ(per_request.provenance, "measured");
  EXPECT_LT(per_request.value.low, per_request.value.central);  // the run's own uncertainty
}

}  // namespace
