// `joule fleet --budget-section` writes the [inference] table that
// `joule budget` reads: a scenario made of it and a hand-written rest is
// accepted, and carries the fleet's figures.
#include <gtest/gtest.h>

#include "budget/budget_test_support.hpp"
#include "serve/fleet.hpp"

namespace joule::serve {
namespace {

// The energy per request the budget took in (its per_request figure adds idle
// energy and the hardware's share on top).
budget::InputTerm energy_per_request(const budget::BudgetResult& result) {
  for (const auto& input : result.inputs) {
    if (input.name == "energy per request") return input;
  }
  ADD_FAILURE() << "no energy per request among the inputs";
  return {};
}

FleetApplication application(std::string name, double units, double joules_per_unit) {
  FleetApplication a;
  a.application = std::move(name);
  a.unit = "request";
  a.units = units;
  a.energy = Joules{units * joules_per_unit};
  a.modelled_share = 0.25;
  a.energy_per_unit = Joules{joules_per_unit};
  a.co2e_per_unit_g = {0.0001, 0.0002, 0.0003};
  return a;
}

// Training, one deployment and the horizon: what the fleet cannot know.
constexpr const char* kRest = R"(
name = "chat, from the fleet"
horizon_years = 2

[training]
energy = "50kWh"
country = "FR"

[[deployment]]
name = "fleet"
country = "FR"
device = "server-cpu"
replicas = 2
)";

TEST(FleetBudgetSection, IsTheInferenceTableJouleBudgetReads) {
  FleetReport report;
  report.request.since = Seconds{86400};
  report.request.at_unix_s = 1.7e9;
  report.applications = {application("search", 1000, 5.0), application("chat", 48000, 2.5)};
  const std::string section = budget_section(report, "http://prometheus:9090");

  budget::testing::ScenarioDir dir;
  const auto scenario = dir.write("fleet.toml", kRest + std::string("\n") + section);
  const budget::BudgetResult result = budget::compute_budget(scenario, budget::testing::isolated());

  // The busiest application is the table; the other is there, commented out.
  const budget::InputTerm given = energy_per_request(result);
  EXPECT_DOUBLE_EQ(given.value.central, 2.5) << section;
  EXPECT_EQ(given.provenance, "given") << given.source;
  EXPECT_DOUBLE_EQ(result.per_request.requests, 48000 * 365.0 * 2)
      << section << "\n(a year of the budget has 365 days)";
  EXPECT_NE(section.find("# To budget search instead"), std::string::npos) << section;
  EXPECT_NE(section.find("# energy_per_request = \"5J\""), std::string::npos) << section;
}

TEST(FleetBudgetSection, TheOtherApplicationsTableIsAcceptedToo) {
  FleetReport report;
  report.request.since = Seconds{3600};
  report.applications = {application("chat", 4800, 2.5), application("search", 100, 0.125)};
  const std::string section = budget_section(report, "prom");
  // Uncomment the second table and drop the first, as the comment says.
  const auto alternative = section.find("# To budget search instead");
  ASSERT_NE(alternative, std::string::npos) << section;
  std::string second;
  for (std::size_t from = section.find('\n', alternative) + 1; from < section.size();) {
    const auto end = section.find('\n', from);
    std::string line = section.substr(from, end - from);
    if (line.starts_with("# [") || line.starts_with("# energy") || line.starts_with("# requests"))
      line = line.substr(2);
    second += line + "\n";
    from = end + 1;
  }
  budget::testing::ScenarioDir dir;
  const auto scenario = dir.write("search.toml", kRest + std::string("\n") + second);
  const auto result = budget::compute_budget(scenario, budget::testing::isolated());
  EXPECT_DOUBLE_EQ(energy_per_request(result).value.central, 0.125) << second;
  EXPECT_DOUBLE_EQ(result.per_request.requests, 100 * 24 * 365.0 * 2) << second;
}

}  // namespace
}  // namespace joule::serve
