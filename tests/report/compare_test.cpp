#include <gtest/gtest.h>

#include "record/sample_record.hpp"
#include "report/compare.hpp"

namespace joule::report {
namespace {

std::vector<record::RunRecord> two_runs() {
  auto a = joule::testing::sample_record("20240501-120000-0000000a");
  auto b = joule::testing::sample_record("20240501-130000-0000000b");
  b.totals.attributed_energy_j = a.totals.attributed_energy_j * 2;
  b.duration_s = a.duration_s / 2;
  b.carbon->total_co2e_g.central = a.carbon->total_co2e_g.central * 1.5;
  b.units = {{"sample", 100000}};
  return {a, b};
}

const CompareMetric& metric(const std::vector<CompareMetric>& metrics, const std::string& name) {
  for (const auto& m : metrics) {
    if (m.name == name) return m;
  }
  throw std::runtime_error("no metric " + name);
}

TEST(Compare, RatiosAgainstTheFirstRun) {
  auto metrics = compare_metrics(two_runs());
  EXPECT_DOUBLE_EQ(*metric(metrics, "attributed energy").ratios[1], 2.0);
  EXPECT_DOUBLE_EQ(*metric(metrics, "duration").ratios[1], 0.5);
  EXPECT_DOUBLE_EQ(*metric(metrics, "CO2e (central)").ratios[1], 1.5);
  // Twice the energy for twice the samples: the same energy per unit.
  EXPECT_DOUBLE_EQ(*metric(metrics, "attributed energy per unit").ratios[1], 1.0);
  EXPECT_DOUBLE_EQ(*metric(metrics, "attributed energy").ratios[0], 1.0);
}

TEST(Compare, MissingFiguresAreNotInvented) {
  auto runs = two_runs();
  runs[1].carbon.reset();
  runs[1].sci.reset();
  auto metrics = compare_metrics(runs);
  EXPECT_FALSE(metric(metrics, "CO2e (central)").values[1]);
  EXPECT_FALSE(metric(metrics, "CO2e (central)").ratios[1]);
  auto text = render_compare(runs);
  EXPECT_NE(text.find("-"), std::string::npos);
}

TEST(Compare, TableAndJson) {
  auto runs = two_runs();
  auto text = render_compare(runs);
  EXPECT_NE(text.find("20240501-120000-0000000a (baseline)"), std::string::npos) << text;
  EXPECT_NE(text.find("(×2.00)"), std::string::npos) << text;
  EXPECT_NE(text.find("attributed energy per unit"), std::string::npos) << text;
  auto j = compare_json(runs);
  EXPECT_EQ(j["baseline"], "20240501-120000-0000000a");
  EXPECT_EQ(j["runs"].size(), 2u);
  bool found = false;
  for (const auto& m : j["metrics"]) {
    if (m["name"] == "attributed energy") {
      EXPECT_DOUBLE_EQ(m["ratios"][1].get<double>(), 2.0);
      EXPECT_EQ(m["unit"], "J");
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace joule::report
