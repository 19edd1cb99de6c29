// The forms a fleet report takes: text for people, JSON, and the inference
// section of a `joule budget` scenario.
#include <algorithm>
#include <chrono>
#include <vector>

#include <fmt/format.h>

#include "joule/format.hpp"
#include "serve/fleet.hpp"
#include "support/iso8601.hpp"

namespace joule::serve {
namespace {

constexpr double kSecondsPerDay = 86400;

nlohmann::json estimate_json(const carbon::Estimate& e) {
  return {{"low", e.low}, {"central", e.central}, {"high", e.high}};
}

}  // namespace

std::string end_time(const FleetRequest& r) {
  const auto at = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::duration<double>(r.at_unix_s)));
  return support::format_iso8601_utc(at);
}

const char* grouping_name(FleetGrouping by) {
  switch (by) {
    case FleetGrouping::host:
      return "host";
    case FleetGrouping::cgroup:
      return "cgroup";
    case FleetGrouping::application:
      return "application";
  }
  return "host";
}

nlohmann::json to_json(const FleetReport& r) {
  nlohmann::json out{{"since_s", r.request.since.seconds},
                     {"end", end_time(r.request)},
                     {"by", grouping_name(r.request.by)},
                     {"energy_j", r.energy.joules},
                     {"modelled_share", r.modelled_share},
                     {"operational_co2e_g", estimate_json(r.operational_g)},
                     {"notes", r.notes}};
  out["embodied_co2e_g"] = r.embodied_g ? estimate_json(*r.embodied_g) : nlohmann::json(nullptr);
  out["groups"] = nlohmann::json::array();
  for (const auto& g : r.groups) {
    out["groups"].push_back({{"name", g.name},
                             {"energy_j", g.energy.joules},
                             {"modelled_share", g.modelled_share ? nlohmann::json(*g.modelled_share)
                                                                 : nlohmann::json(nullptr)}});
  }
  out["applications"] = nlohmann::json::array();
  for (const auto& a : r.applications) {
    out["applications"].push_back({{"application", a.application},
                                   {"unit", a.unit},
                                   {"units", a.units},
                                   {"energy_j", a.energy.joules},
                                   {"energy_per_unit_j", a.energy_per_unit.joules},
                                   {"co2e_per_unit_g", estimate_json(a.co2e_per_unit_g)},
                                   {"modelled_share", a.modelled_share}});
  }
  return out;
}

namespace {

// One application as the [inference] table src/budget/scenario.cpp reads:
// energy_per_request is an energy string ("2J"), requests_per_day a number.
// The fleet has no energy uncertainty of its own to give, so none is written
// (the budget then takes the figure as exact): the comment says so.
std::string inference_table(const FleetApplication& a, const FleetRequest& request,
                            const std::string& source) {
  const double days = request.since.seconds / kSecondsPerDay;
  return fmt::format(
      "# {}: {:g} {}s over the window; {:.0f}% of its hosts' energy modelled, the rest measured\n"
      "# (joule serve, read from {}); {} CO2e per {} [{} - {}] at the fleet's intensity.\n"
      "# Add energy_uncertainty = \"5%\" (your sensors' uncertainty) if you know it.\n"
      "[inference]\n"
      "energy_per_request = \"{}J\"\n"
      "requests_per_day = {}\n",
      a.application, a.units, a.unit, 100 * a.modelled_share, source,
      GramsCO2e{a.co2e_per_unit_g.central}, a.unit, GramsCO2e{a.co2e_per_unit_g.low},
      GramsCO2e{a.co2e_per_unit_g.high}, a.energy_per_unit.joules, days > 0 ? a.units / days : 0.0);
}

// Each line of `text` behind "# ".
std::string commented(const std::string& text) {
  std::string out;
  std::size_t from = 0;
  while (from < text.size()) {
    const std::size_t end = text.find('\n', from);
    const std::string line = text.substr(from, end - from);
    out += line.starts_with("#") ? line : "# " + line;
    out += "\n";
    if (end == std::string::npos) break;
    from = end + 1;
  }
  return out;
}

}  // namespace

std::string budget_section(const FleetReport& r, const std::string& source) {
  std::string out = fmt::format(
      "# The [inference] table of a joule budget scenario (docs/budget.md), as measured by\n"
      "# joule serve and read from {} over {} ending {} (joule fleet --budget-section).\n",
      source, r.request.since, end_time(r.request));
  if (r.applications.empty()) {
    return out +
           "# No application reported units over this window: nothing per request to write.\n";
  }
  // A scenario budgets one model: the busiest application is the table, the
  // others follow commented out, ready to take its place.
  std::vector<const FleetApplication*> order;
  for (const auto& a : r.applications) order.push_back(&a);
  std::stable_sort(order.begin(), order.end(),
                   [](const auto* x, const auto* y) { return x->units > y->units; });
  out += "\n" + inference_table(*order.front(), r.request, source);
  for (std::size_t i = 1; i < order.size(); ++i) {
    out += fmt::format("\n# To budget {} instead, use this table in place of the one above:\n",
                       order[i]->application);
    out += commented(inference_table(*order[i], r.request, source));
  }
  return out;
}

}  // namespace joule::serve
