// The forms a fleet report takes: text for people, JSON, and the inference
// section of a `joule budget` scenario.
#include <chrono>

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

std::string budget_section(const FleetReport& r, const std::string& source) {
  const double days = r.request.since.seconds / kSecondsPerDay;
  std::string out = fmt::format(
      "# Inference, as measured by joule serve and read from {}\n"
      "# over {} ending {} (joule fleet --budget-section).\n",
      source, r.request.since, end_time(r.request));
  for (const auto& a : r.applications) {
    out += fmt::format(
        "\n[[inference.deployments]]\n"
        "name = \"{}\"\n"
        "unit = \"{}\"\n"
        "requests_per_day = {}\n"
        "energy_per_request_j = {}\n"
        "energy_per_request_source = \"measured: joule serve, {:.0f}% modelled, {} over {}\"\n"
        "co2e_per_request_g = {{ low = {}, central = {}, high = {} }}\n",
        a.application, a.unit, days > 0 ? a.units / days : 0.0, a.energy_per_unit.joules,
        100 * a.modelled_share, source, r.request.since, a.co2e_per_unit_g.low,
        a.co2e_per_unit_g.central, a.co2e_per_unit_g.high);
  }
  if (r.applications.empty()) {
    out += "# No application reported units over this window: nothing per request to write.\n";
  }
  return out;
}

}  // namespace joule::serve
