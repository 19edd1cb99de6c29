// A scenario small enough to compute by hand: every total and the breakeven
// day are written out below and asserted to 1e-9 relative. Only central
// values are hand-checked; the ranges are checked for order.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "budget_test_support.hpp"

namespace {

using joule::budget::BudgetResult;
using joule::budget::compute_budget;
using joule::budget::Estimate;
using joule::budget::testing::isolated;
using joule::budget::testing::ScenarioDir;

constexpr const char* kScenario = R"(
name = "hand-checked"
horizon_years = 2
useful_fraction = 0.25
decarbonisation_per_year = 0.1
decarbonisation_source = "a round figure for the test"

[training]
energy = "100kWh"
trials = 3
failed_fraction = 0.5
retrain_every_days = 200
country = "FR"
context = "own"

[inference]
energy_per_request = "36J"
requests_per_day = 10000
growth_per_year = 1.0

[[deployment]]
name = "a"
share = 0.75
country = "FR"
context = "own"
device = "server-cpu"
replicas = 2
utilisation = 0.5
idle_power = "100W"
embodied = "1000kg"
lifetime_years = 4

[[deployment]]
name = "b"
share = 0.25
country = "SE"
context = "own"
device = "server-cpu"
replicas = 1
utilisation = 0.25
idle_power = "50W"
embodied = "500kg"
lifetime_years = 5

[[other]]
name = "storage"
energy_per_year = "100kWh"
country = "FR"
context = "own"
)";

// Grid intensity (Ember 2024, grid_intensity_country.csv) and the world
// T&D loss of 8 % (emission_factors.csv), which applies to both: grams of
// CO2e per kWh of IT energy with PUE 1 (context "own"):
//   cFR = 44.2 / (1 - 0.08),  cSE = 35.9 / (1 - 0.08)
constexpr double kFR = 44.2 / 0.92;
constexpr double kSE = 35.9 / 0.92;
// Year 2's intensity is 90 % of year 1's (decarbonisation 0.1).
constexpr double kYear2 = 0.9;
constexpr double kJoulesPerKwh = 3.6e6;

// Training, per run 100 kWh:
//   day 0:   100 x 3 trials x (1 + 0.5 failed) = 450 kWh
//   day 200, 400, 600 (< 730 = 2 x 365): one retraining each, 100 x 1.5 = 150 kWh
//   year 1 = 450 + 150 = 600 kWh; year 2 = 150 + 150 = 300 kWh
constexpr double kTrainY1 = 600, kTrainY2 = 300;
// Inference active, 36 J = 0.01 kWh/1000 a request, 10,000 a day, doubling in year 2:
//   a (75 %): 0.75 x 10,000 x 365 x 36 J = 98.55 MJ = 27.375 kWh; year 2: 54.75 kWh
//   b (25 %): 9.125 kWh; year 2: 18.25 kWh
constexpr double kActiveA1 = 27.375, kActiveB1 = 9.125;
// Inference idle, replicas x idle power x (1 - utilisation) x 8,760 h:
//   a: 2 x 100 W x 0.5 x 8,760 h = 876 kWh a year
//   b: 1 x 50 W x 0.75 x 8,760 h = 328.5 kWh a year
constexpr double kIdleA = 876, kIdleB = 328.5;
// Embodied, M = TE x replicas x (1 year / lifetime), a year:
//   a: 1,000 kg x 2 / 4 = 500 kg;  b: 500 kg x 1 / 5 = 100 kg;  600,000 g a year
constexpr double kEmbodiedPerYear = 600000;
// Storage: 100 kWh a year in France.
constexpr double kStorage = 100;

void expect_rel(double actual, double expected, const char* what) {
  EXPECT_NEAR(actual, expected, 1e-9 * std::fabs(expected)) << what;
}

void expect_ordered(const Estimate& e, const char* what) {
  EXPECT_LE(e.low, e.central) << what;
  EXPECT_LE(e.central, e.high) << what;
}

class HandChecked : public ::testing::Test {
 protected:
  void SetUp() override {
    auto options = isolated();
    options.rank_what_ifs = false;
    result = compute_budget(dir.write("hand.toml", kScenario), options);
  }
  const joule::budget::PartTotals& part(const std::string& name) const {
    for (const auto& p : result.parts) {
      if (p.name == name) return p;
    }
    throw std::runtime_error("no part " + name);
  }
  ScenarioDir dir;
  BudgetResult result;
};

TEST_F(HandChecked, Training) {
  const auto& p = part("training");
  expect_rel(p.energy_j_per_year[0].central, kTrainY1 * kJoulesPerKwh, "energy y1");
  expect_rel(p.energy_j_per_year[1].central, kTrainY2 * kJoulesPerKwh, "energy y2");
  expect_rel(p.energy_j.central, 900 * kJoulesPerKwh, "energy");
  expect_rel(p.co2e_g_per_year[0].central, kTrainY1 * kFR, "co2e y1");
  expect_rel(p.co2e_g_per_year[1].central, kTrainY2 * kFR * kYear2, "co2e y2");
  expect_rel(p.co2e_g.central, kTrainY1 * kFR + kTrainY2 * kFR * kYear2, "co2e");
  expect_ordered(p.co2e_g, "training");
}

TEST_F(HandChecked, InferenceActiveAndIdle) {
  const auto& active = part("inference active");
  expect_rel(active.energy_j_per_year[0].central, 36.5 * kJoulesPerKwh, "active y1");
  expect_rel(active.energy_j_per_year[1].central, 73 * kJoulesPerKwh, "active y2");
  expect_rel(active.energy_j.central, 109.5 * kJoulesPerKwh, "active");
  const double active_y1 = kActiveA1 * kFR + kActiveB1 * kSE;
  expect_rel(active.co2e_g_per_year[0].central, active_y1, "active co2e y1");
  expect_rel(active.co2e_g_per_year[1].central, 2 * active_y1 * kYear2, "active co2e y2");
  expect_rel(active.co2e_g.central, active_y1 * (1 + 2 * kYear2), "active co2e");

  const auto& idle = part("inference idle");
  expect_rel(idle.energy_j.central, 2 * (kIdleA + kIdleB) * kJoulesPerKwh, "idle");
  const double idle_y1 = kIdleA * kFR + kIdleB * kSE;
  expect_rel(idle.co2e_g_per_year[0].central, idle_y1, "idle co2e y1");
  expect_rel(idle.co2e_g.central, idle_y1 * (1 + kYear2), "idle co2e");
  expect_ordered(idle.co2e_g, "idle");
}

TEST_F(HandChecked, EmbodiedAndOther) {
  const auto& m = part("embodied");
  expect_rel(m.co2e_g_per_year[0].central, kEmbodiedPerYear, "embodied y1");
  expect_rel(m.co2e_g.central, 2 * kEmbodiedPerYear, "embodied");
  EXPECT_EQ(m.energy_j.central, 0);
  const auto& other = part("storage");
  expect_rel(other.energy_j.central, 2 * kStorage * kJoulesPerKwh, "storage energy");
  expect_rel(other.co2e_g.central, kStorage * kFR * (1 + kYear2), "storage co2e");
}

TEST_F(HandChecked, TotalsAndPerRequest) {
  const double y1 = kTrainY1 * kFR + kActiveA1 * kFR + kActiveB1 * kSE + kIdleA * kFR +
                    kIdleB * kSE + kEmbodiedPerYear + kStorage * kFR;
  const double y2 = (kTrainY2 * kFR + 2 * kActiveA1 * kFR + 2 * kActiveB1 * kSE + kIdleA * kFR +
                     kIdleB * kSE + kStorage * kFR) *
                        kYear2 +
                    kEmbodiedPerYear;
  ASSERT_EQ(result.years, 2);
  expect_rel(result.co2e_g_per_year[0].central, y1, "total y1");
  expect_rel(result.co2e_g_per_year[1].central, y2, "total y2");
  expect_rel(result.co2e_g.central, y1 + y2, "total");
  // Energy: 600 + 36.5 + 1,204.5 + 100 = 1,941 kWh; 300 + 73 + 1,204.5 + 100 = 1,677.5 kWh.
  expect_rel(result.energy_j_per_year[0].central, 1941 * kJoulesPerKwh, "energy y1");
  expect_rel(result.energy_j_per_year[1].central, 1677.5 * kJoulesPerKwh, "energy y2");
  expect_rel(result.energy_j.central, 3618.5 * kJoulesPerKwh, "energy");
  expect_ordered(result.co2e_g, "total");

  // 10,000 x 365 + 20,000 x 365 = 10,950,000 requests; a quarter are useful.
  const auto& p = result.per_request;
  expect_rel(p.requests, 10950000, "requests");
  expect_rel(p.co2e_g_per_request.central, (y1 + y2) / 10950000, "SCI per request");
  expect_rel(p.co2e_g_per_useful.central, (y1 + y2) / 10950000 / 0.25, "SCI per useful");
  expect_rel(p.energy_j_per_request.central, 3618.5 * kJoulesPerKwh / 10950000, "J per request");
}

TEST_F(HandChecked, BreakevenDay) {
  // Inference (active + idle) in year 1 emits, a day,
  //   ((27.375 + 876) cFR + (9.125 + 328.5) cSE) / 365
  // and training's first step is 450 kWh x cFR on day 0. The next step is on
  // day 200, so the crossing is in the first segment if it comes before it:
  //   day = 450 cFR / rate  (about 139.5)
  const double rate = ((kActiveA1 + kIdleA) * kFR + (kActiveB1 + kIdleB) * kSE) / 365;
  const double day = 450 * kFR / rate;
  ASSERT_LT(day, 200);
  ASSERT_TRUE(result.breakeven.day_central.has_value());
  expect_rel(*result.breakeven.day_central, day, "breakeven");
  ASSERT_TRUE(result.breakeven.day_low && result.breakeven.day_high);
  EXPECT_LE(*result.breakeven.day_low, day);
  EXPECT_GE(*result.breakeven.day_high, day);
}

TEST_F(HandChecked, EveryInputNamesItsProvenanceAndSource) {
  ASSERT_FALSE(result.inputs.empty());
  for (const auto& i : result.inputs) {
    EXPECT_FALSE(i.provenance.empty()) << i.name;
    EXPECT_FALSE(i.source.empty()) << i.name;
  }
  EXPECT_EQ(result.inputs.front().provenance, "given");
  // Embodied 1,200 kg against idle's (876 cFR + 328.5 cSE) x 1.9 = 104 kg.
  EXPECT_NE(result.dominant.find("Embodied dominates: 88% of the life-cycle carbon, 11.5x the next "
                                 "part (inference idle, 8%)"),
            std::string::npos)
      << result.dominant;
}

}  // namespace
