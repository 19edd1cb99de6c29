// The budget as a terminal page.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "report/budget.hpp"
#include "report/format.hpp"

namespace joule::report {

namespace {

using budget::BudgetResult;
using budget::Estimate;

// Three significant digits without an exponent in the range people read
// (45,900 rather than 4.59e+04).
std::string significant(double v) {
  if (v == 0 || !std::isfinite(v)) return fmt::format("{}", v);
  const double magnitude = std::fabs(v);
  if (magnitude >= 1e9 || magnitude < 1e-3) return fmt::format("{:.3g}", v);
  const int digits = static_cast<int>(std::floor(std::log10(magnitude)));
  const double unit = std::pow(10, digits - 2);
  const double rounded = std::round(v / unit) * unit;
  return fmt::format("{:.{}f}", rounded, std::max(0, 2 - digits));
}

// A figure in its unit: the quantity formatters for J and W.
std::string in_unit(double v, const std::string& unit) {
  if (unit == "J") return fmt::format("{}", Joules{v});
  if (unit == "W") return fmt::format("{}", Watts{v});
  return fmt::format("{:.4g} {}", v, unit);
}

bool exact(const Estimate& e) {
  return e.low == e.central && e.high == e.central;
}

}  // namespace

BudgetTable budget_parts_table(const BudgetResult& r) {
  std::vector<std::vector<std::string>> rows{{"part", "energy (IT)", "CO2e", "range", "share"}};
  for (const auto& p : r.parts) {
    const bool has_energy = p.energy_j.central > 0 || p.name != "embodied";
    rows.push_back(
        {p.name, has_energy ? fmt::format("{:Wh}", Joules{p.energy_j.central}) : "-",
         fmt::format("{}", GramsCO2e{p.co2e_g.central}),
         fmt::format("{} – {}", GramsCO2e{p.co2e_g.low}, GramsCO2e{p.co2e_g.high}),
         r.co2e_g.central > 0 ? format_percent(p.co2e_g.central / r.co2e_g.central) : "-"});
  }
  rows.push_back({"total", fmt::format("{:Wh}", Joules{r.energy_j.central}),
                  fmt::format("{}", GramsCO2e{r.co2e_g.central}),
                  fmt::format("{} – {}", GramsCO2e{r.co2e_g.low}, GramsCO2e{r.co2e_g.high}),
                  "100.0%"});
  return {rows, {false, true, true, true, true}};
}

BudgetTable budget_years_table(const BudgetResult& r) {
  std::vector<std::string> header{"CO2e by year"};
  for (int y = 0; y < r.years; ++y) header.push_back(fmt::format("year {}", y + 1));
  std::vector<std::vector<std::string>> rows{header};
  for (const auto& p : r.parts) {
    std::vector<std::string> row{p.name};
    for (const auto& e : p.co2e_g_per_year) row.push_back(fmt::format("{}", GramsCO2e{e.central}));
    rows.push_back(row);
  }
  std::vector<std::string> total{"total"};
  for (const auto& e : r.co2e_g_per_year) total.push_back(fmt::format("{}", GramsCO2e{e.central}));
  rows.push_back(total);
  std::vector<bool> right(header.size(), true);
  right[0] = false;
  return {rows, right};
}

BudgetTable budget_what_if_table(const BudgetResult& r) {
  std::vector<std::vector<std::string>> rows{{"#", "change", "life-cycle CO2e", "saves", "note"}};
  for (std::size_t i = 0; i < r.what_ifs.size(); ++i) {
    const auto& w = r.what_ifs[i];
    rows.push_back({std::to_string(i + 1), fmt::format("{}={}: {}", w.key, w.value, w.description),
                    mass_range(w.co2e_g), format_percent(w.saving_fraction), w.note});
  }
  return {rows, {true, false, true, true, false}};
}

BudgetTable budget_deployments_table(const BudgetResult& r) {
  std::vector<std::vector<std::string>> rows{
      {"deployment", "share", "place", "intensity", "PUE", "device", "replicas", "utilisation"}};
  for (const auto& d : r.deployments) {
    rows.push_back({d.name, format_percent(d.share), d.location,
                    fmt::format("{} gCO2e/kWh", significant(d.intensity_g_per_kwh.central)),
                    significant(d.pue.central), d.device, format_count(d.replicas),
                    format_percent(d.utilisation)});
  }
  return {rows, {false, true, false, true, true, false, true, true}};
}

std::string BudgetTable::text() const {
  return render_table(rows, right_aligned);
}

std::string mass_range(const Estimate& grams) {
  if (exact(grams)) return fmt::format("{}", GramsCO2e{grams.central});
  return fmt::format("{} [{} – {}]", GramsCO2e{grams.central}, GramsCO2e{grams.low},
                     GramsCO2e{grams.high});
}

std::string energy_range(const Estimate& joules) {
  if (exact(joules)) return fmt::format("{}", Joules{joules.central});
  return fmt::format("{} [{} – {}]", Joules{joules.central}, Joules{joules.low},
                     Joules{joules.high});
}

std::string breakeven_text(const budget::Breakeven& b) {
  if (!b.day_central) return b.note;
  auto day = [](const std::optional<double>& d) {
    if (!d) return std::string("beyond the horizon");
    return *d < 10 ? fmt::format("{:.3g}", *d) : fmt::format("{:.1f}", *d);
  };
  return fmt::format("day {} [{} – {}]: cumulative inference carbon passes training's",
                     day(b.day_central), day(b.day_low), day(b.day_high));
}

std::string equivalent_text(const budget::Equivalent& e) {
  return fmt::format("{} {} [{} – {}]", significant(e.amount.central), e.unit,
                     significant(e.amount.low), significant(e.amount.high));
}

std::string input_value(const budget::InputTerm& i) {
  if (exact(i.value)) return in_unit(i.value.central, i.unit);
  return fmt::format("{} [{} – {}]", in_unit(i.value.central, i.unit), in_unit(i.value.low, i.unit),
                     in_unit(i.value.high, i.unit));
}

std::string budget_terminal(const BudgetResult& r) {
  std::string out = fmt::format("joule budget · {} · {:g} years\n  scenario: {}\n", r.name,
                                r.horizon_years, r.scenario_file);
  if (!r.applied_what_ifs.empty()) {
    out += fmt::format("  with: {}\n", fmt::join(r.applied_what_ifs, ", "));
  }
  out += "\nLife-cycle totals (energy is IT energy, before PUE; ranges low – high)\n";
  out += budget_parts_table(r).text();
  out += "\n" + budget_years_table(r).text();
  const auto& p = r.per_request;
  out += fmt::format("\nPer request ({} requests over the horizon)\n", format_count(p.requests));
  out += fmt::format("  SCI per request          {}   energy {}\n",
                     mass_range(p.co2e_g_per_request), energy_range(p.energy_j_per_request));
  out += fmt::format("  SCI per useful insight   {}   energy {}   ({} of inferences used)\n",
                     mass_range(p.co2e_g_per_useful), energy_range(p.energy_j_per_useful),
                     format_percent(p.useful_fraction));
  out += fmt::format("\nBreakeven: {}\n", breakeven_text(r.breakeven));
  out += fmt::format("What dominates: {}\n", r.dominant);
  out += "\nIn everyday terms\n";
  for (const auto& e : r.equivalents) {
    out += fmt::format("  {}\n    source: {}\n", equivalent_text(e), e.source);
  }
  if (!r.what_ifs.empty()) {
    out += "\nWhat-ifs (one change each, biggest saving first)\n" + budget_what_if_table(r).text();
    out += fmt::format("  {}\n", r.what_if_sentence);
  }
  out += "\nDeployments\n" + budget_deployments_table(r).text();
  out += "\nInputs and their sources\n";
  for (const auto& i : r.inputs) {
    out += fmt::format("  {}: {}  ({})\n    source: {}\n", i.name, input_value(i), i.provenance,
                       i.source);
  }
  if (!r.warnings.empty()) {
    out += "\nNotes\n";
    for (const auto& w : r.warnings) out += fmt::format("  ! {}\n", w);
  }
  return out;
}

}  // namespace joule::report
