#include "report/compare.hpp"

#include <fmt/format.h>

#include "report/format.hpp"

namespace joule::report {
namespace {

using record::RunRecord;

using Getter = std::optional<double> (*)(const RunRecord&);

struct MetricSpec {
  const char* name;
  const char* unit;
  Getter get;
  std::string (*format)(double);
};

// The metrics are bare doubles in their quantity's unit: print them as that quantity.
template <typename Quantity>
std::string as(double value) {
  return fmt::format("{}", Quantity{value});
}

std::optional<double> first_units(const RunRecord& r) {
  return record::total_units(r);
}

std::optional<double> per_unit(const RunRecord& r, double value) {
  auto units = record::total_units(r);
  if (!units || *units <= 0) return std::nullopt;
  return value / *units;
}

const MetricSpec kMetrics[] = {
    {"duration", "s", [](const RunRecord& r) -> std::optional<double> { return r.duration_s; },
     as<Seconds>},
    {"machine energy", "J",
     [](const RunRecord& r) -> std::optional<double> { return r.totals.machine_energy_j; },
     as<Joules>},
    {"attributed energy", "J",
     [](const RunRecord& r) -> std::optional<double> { return r.totals.attributed_energy_j; },
     as<Joules>},
    {"above-idle energy", "J",
     [](const RunRecord& r) -> std::optional<double> {
       if (!r.idle) return std::nullopt;
       return r.totals.above_idle_energy_j;
     },
     as<Joules>},
    {"mean machine power", "W",
     [](const RunRecord& r) -> std::optional<double> {
       if (r.duration_s <= 0) return std::nullopt;
       return r.totals.machine_energy_j / r.duration_s;
     },
     as<Watts>},
    {"CO2e (central)", "g",
     [](const RunRecord& r) -> std::optional<double> {
       if (!r.carbon) return std::nullopt;
       return r.carbon->total_co2e_g.central;
     },
     as<GramsCO2e>},
    {"CO2e (low)", "g",
     [](const RunRecord& r) -> std::optional<double> {
       if (!r.carbon) return std::nullopt;
       return r.carbon->total_co2e_g.low;
     },
     as<GramsCO2e>},
    {"CO2e (high)", "g",
     [](const RunRecord& r) -> std::optional<double> {
       if (!r.carbon) return std::nullopt;
       return r.carbon->total_co2e_g.high;
     },
     as<GramsCO2e>},
    {"functional units", "", first_units, format_count},
    {"attributed energy per unit", "J",
     [](const RunRecord& r) { return per_unit(r, r.totals.attributed_energy_j); }, as<Joules>},
    {"SCI per unit (central)", "g",
     [](const RunRecord& r) -> std::optional<double> {
       if (!r.sci) return std::nullopt;
       return r.sci->co2e_g_per_unit.central;
     },
     as<GramsCO2e>},
    {"joule overhead CPU", "s",
     [](const RunRecord& r) -> std::optional<double> { return r.overhead_cpu_s; }, as<Seconds>},
};

std::string short_command(const RunRecord& r) {
  std::string out;
  for (const auto& arg : r.command) out += (out.empty() ? "" : " ") + arg;
  if (out.size() > 28) out = out.substr(0, 27) + "…";
  return out;
}

}  // namespace

std::vector<CompareMetric> compare_metrics(const std::vector<RunRecord>& runs) {
  std::vector<CompareMetric> metrics;
  for (const auto& spec : kMetrics) {
    CompareMetric m{spec.name, spec.unit, {}, {}};
    bool any = false;
    for (const auto& run : runs) {
      m.values.push_back(spec.get(run));
      any = any || m.values.back().has_value();
    }
    if (!any) continue;  // e.g. no run counted units: no per-unit rows
    for (const auto& v : m.values) {
      const auto& base = m.values.front();
      if (v && base && *base != 0) {
        m.ratios.push_back(*v / *base);
      } else {
        m.ratios.push_back(std::nullopt);
      }
    }
    metrics.push_back(std::move(m));
  }
  return metrics;
}

std::vector<std::vector<std::string>> compare_rows(const std::vector<RunRecord>& runs) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {""};
  std::vector<std::string> command = {"command"};
  std::vector<std::string> status = {"status"};
  std::vector<std::string> provenance = {"energy provenance"};
  for (std::size_t i = 0; i < runs.size(); ++i) {
    header.push_back(i == 0 ? runs[i].id + " (baseline)" : runs[i].id);
    command.push_back(short_command(runs[i]));
    status.push_back(std::string(record::to_string(runs[i].status)));
    provenance.push_back(fmt::format("{} {}", joule::to_string(runs[i].totals.provenance),
                                     format_relative(runs[i].totals.relative_uncertainty)));
  }
  rows.push_back(header);
  rows.push_back(command);
  rows.push_back(status);
  rows.push_back(provenance);
  for (const auto& m : compare_metrics(runs)) {
    const MetricSpec* spec = nullptr;
    for (const auto& s : kMetrics) {
      if (m.name == s.name) spec = &s;
    }
    std::vector<std::string> row = {m.name};
    for (std::size_t i = 0; i < m.values.size(); ++i) {
      if (!m.values[i]) {
        row.push_back("-");
        continue;
      }
      std::string cell = spec->format(*m.values[i]);
      if (i > 0) cell += m.ratios[i] ? " (" + format_ratio(*m.ratios[i]) + ")" : " (n/a)";
      row.push_back(cell);
    }
    rows.push_back(row);
  }
  return rows;
}

std::string render_compare(const std::vector<RunRecord>& runs) {
  if (runs.empty()) return "no runs to compare\n";
  const auto rows = compare_rows(runs);
  std::vector<bool> right(rows.front().size(), true);
  right[0] = false;
  std::string out = render_table(rows, right);
  out += "  ratios (×) are against the baseline, the first run given\n";
  // Ranges overlap: the difference may be within the uncertainty.
  return out;
}

nlohmann::json compare_json(const std::vector<RunRecord>& runs) {
  nlohmann::json j;
  j["baseline"] = runs.empty() ? nlohmann::json(nullptr) : nlohmann::json(runs.front().id);
  j["runs"] = nlohmann::json::array();
  for (const auto& r : runs) {
    j["runs"].push_back({{"id", r.id},
                         {"command", r.command},
                         {"status", std::string(record::to_string(r.status))},
                         {"started_at", r.started_at}});
  }
  j["metrics"] = nlohmann::json::array();
  for (const auto& m : compare_metrics(runs)) {
    nlohmann::json values = nlohmann::json::array(), ratios = nlohmann::json::array();
    for (const auto& v : m.values)
      values.push_back(v ? nlohmann::json(*v) : nlohmann::json(nullptr));
    for (const auto& v : m.ratios)
      ratios.push_back(v ? nlohmann::json(*v) : nlohmann::json(nullptr));
    j["metrics"].push_back(
        {{"name", m.name}, {"unit", m.unit}, {"values", values}, {"ratios", ratios}});
  }
  return j;
}

}  // namespace joule::report
