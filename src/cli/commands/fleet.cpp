// `joule fleet`: the fleet's energy and carbon as Prometheus holds them, from
// `joule serve` on every host (src/serve/fleet.*).
#include <chrono>
#include <fstream>

#include <fmt/format.h>

#include "carbon/quantity.hpp"
#include "cli/command.hpp"
#include "cli/run_options.hpp"
#include "joule/format.hpp"
#include "report/format.hpp"
#include "serve/fleet.hpp"
#include "support/files.hpp"
#include "support/iso8601.hpp"
#include "support/strings.hpp"

namespace joule::cli {
namespace {

struct FleetArgs {
  std::string prometheus;
  std::string since = "24h";
  std::string at;
  std::string by = "host";
  bool json = false;
  std::string budget_section;
  std::string user;
  std::string password_file;
};

double unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// --at: Unix seconds or ISO 8601; empty = now.
double window_end(const std::string& text) {
  if (text.empty()) return unix_seconds(std::chrono::system_clock::now());
  if (auto t = support::parse_iso8601(text)) return unix_seconds(*t);
  // A bare finite number: std::stod would take "nan" and "inf" as times.
  const auto seconds = carbon::parse_number(text);
  if (!seconds || !(*seconds > 0)) {
    throw CLI::ValidationError("--at", fmt::format("'{}': expected Unix seconds or ISO 8601 "
                                                   "(2026-01-31T12:00:00Z)",
                                                   text));
  }
  return *seconds;
}

std::string range_text(const carbon::Estimate& e) {
  return fmt::format("{} ({} to {})", GramsCO2e{e.central}, GramsCO2e{e.low}, GramsCO2e{e.high});
}

std::string to_text(const serve::FleetReport& r) {
  const char* by = serve::grouping_name(r.request.by);
  std::string out =
      fmt::format("Fleet over {} ending {}\n", r.request.since, serve::end_time(r.request));
  out += fmt::format("  energy        {} ({:Wh}), {} modelled\n", r.energy, r.energy,
                     report::format_percent(r.modelled_share));
  out += fmt::format("  operational   {} CO2e\n", range_text(r.operational_g));
  if (r.embodied_g) out += fmt::format("  embodied      {} CO2e\n", range_text(*r.embodied_g));
  if (!r.groups.empty()) {
    std::vector<std::vector<std::string>> rows = {{by, "energy", "modelled"}};
    for (const auto& g : r.groups) {
      rows.push_back({g.name, fmt::format("{}", g.energy),
                      g.modelled_share ? report::format_percent(*g.modelled_share) : "-"});
    }
    out += fmt::format("\nBy {}\n{}", by, report::render_table(rows, {false, true, true}));
  }
  if (!r.applications.empty()) {
    std::vector<std::vector<std::string>> rows = {
        {"application", "unit", "units", "energy/unit", "CO2e/unit (range)", "modelled"}};
    for (const auto& a : r.applications) {
      rows.push_back({a.application, a.unit, report::format_count(a.units),
                      fmt::format("{}", a.energy_per_unit), range_text(a.co2e_per_unit_g),
                      report::format_percent(a.modelled_share)});
    }
    out += "\nPer unit, per application\n" +
           report::render_table(rows, {false, false, true, true, true, true});
  }
  for (const auto& note : r.notes) out += "\nNote: " + note;
  if (!r.notes.empty()) out += "\n";
  return out;
}

std::string read_password(const std::string& file) {
  if (file.empty()) return {};
  auto text = support::read_file(file);
  if (!text) throw CLI::ValidationError("--password-file", fmt::format("cannot read {}", file));
  return std::string(support::trim(*text));
}

void run_fleet(const FleetArgs& a) {
  auto since = parse_duration(a.since);
  if (!since || *since < std::chrono::seconds(1)) {
    throw CLI::ValidationError(
        "--since", fmt::format("'{}': expected a duration such as 24h, 7d or 90m", a.since));
  }
  serve::FleetRequest request;
  request.since = Seconds{std::chrono::duration<double>(*since).count()};
  request.at_unix_s = window_end(a.at);
  request.by = serve::parse_grouping(a.by);
  const serve::PrometheusApi api(a.prometheus, a.user, read_password(a.password_file));
  const auto report = serve::read_fleet(
      [&api](const std::string& q, double at) { return api.query(q, at); }, request);
  if (a.json) {
    fmt::print("{}\n", serve::to_json(report).dump(2));
  } else {
    fmt::print("{}", to_text(report));
  }
  if (!a.budget_section.empty()) {
    std::ofstream out(a.budget_section);
    out << serve::budget_section(report, a.prometheus);
    if (!out) throw std::runtime_error(fmt::format("cannot write {}", a.budget_section));
  }
}

const CommandRegistrar registrar("fleet", [](CLI::App& app) {
  auto a = std::make_shared<FleetArgs>();
  auto* cmd = app.add_subcommand(
      "fleet",
      "A fleet's energy, carbon and J/gCO2e per unit, from the Prometheus scraping "
      "`joule serve`");
  cmd->add_option("--prometheus", a->prometheus, "Prometheus URL, e.g. http://localhost:9090")
      ->required();
  cmd->add_option("--since", a->since, "the window, ending now or at --at (default 24h)");
  cmd->add_option("--at", a->at, "the window's end: Unix seconds or ISO 8601 (default now)");
  cmd->add_option("--by", a->by, "app | host | cgroup (default host)");
  cmd->add_flag("--json", a->json, "print JSON");
  cmd->add_option("--budget-section", a->budget_section,
                  "write the inference part of a `joule budget` scenario (TOML) to FILE");
  cmd->add_option("--user", a->user, "basic auth user for Prometheus");
  cmd->add_option("--password-file", a->password_file, "file holding the basic auth password");
  cmd->callback([a] { run_fleet(*a); });
});

}  // namespace
}  // namespace joule::cli
