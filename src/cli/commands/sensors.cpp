// `joule sensors`: every energy domain this machine exposes, with provenance,
// unit, wrap range, uncertainty and source, and one line per backend that is
// absent or refused saying why and how to enable it.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include <nlohmann/json.hpp>
#include <thread>

#include "cli/command.hpp"
#include "cli/validators.hpp"
#include "joule/format.hpp"
#include "joule/meter.hpp"

namespace joule::cli {
namespace {

struct SensorsOptions {
  bool json = false;
  double sample_seconds = 0.5;
};

// Why a domain contains others, when its backend gave no reason of its own.
std::string_view containment_reason(const DomainInfo& d) {
  if (!d.containment_note.empty()) return d.containment_note;
  switch (d.component) {
    case Component::cpu_package:
      return "a package includes its cores and uncore";
    case Component::psys:
      return "psys covers the platform";
    case Component::system:
      return "a whole-system meter includes every other domain";
    case Component::battery:
      return "the battery supplies the whole machine";
    default:
      return "its backend reports it so";
  }
}

// The contained ids that this meter has: only those change a total.
std::vector<std::string> present_contains(const DomainInfo& d,
                                          const std::vector<DomainInfo>& domains) {
  std::vector<std::string> out;
  for (const auto& id : d.contains) {
    const bool present = std::any_of(domains.begin(), domains.end(),
                                     [&](const DomainInfo& other) { return other.id == id; });
    if (present) out.push_back(id);
  }
  return out;
}

std::string unit_of(const DomainInfo& d) {
  return d.kind == ReadingKind::energy_counter ? "J (counter)" : "W (power)";
}

nlohmann::json domain_json(const DomainInfo& d, const std::vector<DomainInfo>& domains,
                           const DomainEnergy* sampled) {
  nlohmann::json j = {
      {"id", d.id},
      {"label", d.label},
      {"component", to_string(d.component)},
      {"kind", to_string(d.kind)},
      {"provenance", to_string(d.provenance)},
      {"resolution", d.resolution},
      {"relative_uncertainty", d.relative_uncertainty},
      {"source", d.source},
      {"contains", d.contains},
  };
  j["containment_note"] =
      present_contains(d, domains).empty() ? std::string() : std::string(containment_reason(d));
  j["wrap_range_j"] = d.wrap_range ? nlohmann::json(d.wrap_range->joules) : nlohmann::json();
  if (sampled) {
    j["sampled_power_w"] = sampled->mean_power.watts;
    j["in_total"] = sampled->in_total;
  }
  return j;
}

// One line per domain that contains others: what a total leaves out, and why.
void print_containment(const std::vector<DomainInfo>& domains) {
  bool header = false;
  for (const auto& d : domains) {
    const auto inside = present_contains(d, domains);
    if (inside.empty()) continue;
    if (!header) fmt::print("\nCONTAINMENT (a domain inside another is not added to totals)\n");
    header = true;
    fmt::print("  {} contains {} ({})\n", d.id, fmt::join(inside, ", "), containment_reason(d));
  }
}

void print_text(const Meter& meter, const Measurement* sample, double sample_seconds) {
  const auto& domains = meter.domains();
  std::size_t active = 0;
  for (const auto& r : meter.backend_reports()) active += r.state == BackendState::active;
  fmt::print("{} energy domain{} from {} backend{}\n\n", domains.size(),
             domains.size() == 1 ? "" : "s", active, active == 1 ? "" : "s");
  if (!domains.empty()) {
    fmt::print("{:<18} {:<12} {:<11} {:<12} {:>7} {:>12} {:>10}  {}\n", "DOMAIN", "COMPONENT",
               "PROVENANCE", "UNIT", "±UNCERT", "WRAP RANGE",
               sample ? fmt::format("W ({}s)", sample_seconds) : "", "SOURCE");
    for (std::size_t i = 0; i < domains.size(); ++i) {
      const auto& d = domains[i];
      std::string power;
      if (sample) {
        const auto& s = sample->domains[i];
        power = fmt::format("{:.2f}{}", s.mean_power.watts, s.in_total ? "" : "*");
      }
      fmt::print(
          "{:<18} {:<12} {:<11} {:<12} {:>6.0f}% {:>12} {:>10}  {}\n", d.id, to_string(d.component),
          to_string(d.provenance), unit_of(d), d.relative_uncertainty * 100,
          d.wrap_range ? fmt::format("{}", *d.wrap_range) : std::string("-"), power, d.source);
      if (d.label != d.id) fmt::print("{:<18} {}\n", "", d.label);
    }
    print_containment(domains);
    if (sample) {
      fmt::print(
          "\n* inside another domain listed here (e.g. core inside package): not added to "
          "totals\n");
      fmt::print("total over disjoint domains: {:.2f} W, {}, ±{:.0f}%\n", sample->mean_power.watts,
                 to_string(sample->total_provenance), sample->total_relative_uncertainty * 100);
    }
  }
  fmt::print("\nBACKENDS\n");
  for (const auto& r : meter.backend_reports()) {
    fmt::print("  {:<14} {:<9} {}\n", r.backend, to_string(r.state), r.reason);
    if (!r.remedy.empty() && r.state != BackendState::active) {
      fmt::print("  {:<14} {:<9} to enable: {}\n", "", "", r.remedy);
    }
  }
  for (const auto& w : meter.warnings()) fmt::print("\nwarning: {}\n", w);
}

void run_sensors(const SensorsOptions& options) {
  auto meter = Meter::discover(SensorConfig::from_environment(), {.start_sampler = false});
  std::optional<Measurement> sample;
  if (options.sample_seconds > 0 && !meter->domains().empty()) {
    auto start = meter->start();
    std::this_thread::sleep_for(std::chrono::duration<double>(options.sample_seconds));
    sample = meter->stop(start);
  }
  if (options.json) {
    nlohmann::json out;
    out["domains"] = nlohmann::json::array();
    for (std::size_t i = 0; i < meter->domains().size(); ++i) {
      out["domains"].push_back(domain_json(meter->domains()[i], meter->domains(),
                                           sample ? &sample->domains[i] : nullptr));
    }
    out["backends"] = nlohmann::json::array();
    for (const auto& r : meter->backend_reports()) {
      out["backends"].push_back({{"backend", r.backend},
                                 {"state", to_string(r.state)},
                                 {"reason", r.reason},
                                 {"remedy", r.remedy}});
    }
    out["warnings"] = meter->warnings();
    if (sample) {
      out["sample"] = {{"duration_s", sample->duration.seconds},
                       {"total_power_w", sample->mean_power.watts},
                       {"provenance", to_string(sample->total_provenance)},
                       {"relative_uncertainty", sample->total_relative_uncertainty}};
    }
    fmt::print("{}\n", out.dump(2));
    return;
  }
  print_text(*meter, sample ? &*sample : nullptr, options.sample_seconds);
}

const CommandRegistrar registrar("sensors", [](CLI::App& app) {
  auto options = std::make_shared<SensorsOptions>();
  auto* cmd = app.add_subcommand("sensors", "List the energy sensors this machine exposes");
  cmd->add_flag("--json", options->json, "Print the same as JSON");
  cmd->add_option("--sample", options->sample_seconds,
                  "Seconds to sample each domain's power for (0: don't sample)")
      ->check(between(0, 60))
      ->capture_default_str();
  cmd->callback([options] { run_sensors(*options); });
});

}  // namespace
}  // namespace joule::cli
