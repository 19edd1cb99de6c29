// The budget as a Markdown page (--markdown FILE).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "report/budget.hpp"
#include "report/format.hpp"

namespace joule::report {

namespace {

using budget::BudgetResult;

// A table cell: pipes would end the cell.
std::string cell(std::string text) {
  for (std::size_t at = text.find('|'); at != std::string::npos; at = text.find('|', at + 2)) {
    text.replace(at, 1, "\\|");
  }
  return text;
}

std::string totals(const BudgetResult& r) {
  std::string out = "| part | energy (IT) | CO2e [low – high] | share |\n|---|---:|---:|---:|\n";
  for (const auto& p : r.parts) {
    out += fmt::format(
        "| {} | {:Wh} | {} | {} |\n", p.name, Joules{p.energy_j.central}, mass_range(p.co2e_g),
        r.co2e_g.central > 0 ? format_percent(p.co2e_g.central / r.co2e_g.central) : "-");
  }
  out += fmt::format("| **total** | **{:Wh}** | **{}** | 100.0% |\n", Joules{r.energy_j.central},
                     mass_range(r.co2e_g));
  return out;
}

std::string years(const BudgetResult& r) {
  std::string out = "| CO2e by year |";
  std::string rule = "|---|";
  for (int y = 0; y < r.years; ++y) {
    out += fmt::format(" year {} |", y + 1);
    rule += "---:|";
  }
  out += "\n" + rule + "\n";
  for (const auto& p : r.parts) {
    out += fmt::format("| {} |", p.name);
    for (const auto& e : p.co2e_g_per_year) out += fmt::format(" {} |", GramsCO2e{e.central});
    out += "\n";
  }
  out += "| **total** |";
  for (const auto& e : r.co2e_g_per_year) out += fmt::format(" **{}** |", GramsCO2e{e.central});
  return out + "\n";
}

std::string what_ifs(const BudgetResult& r) {
  std::string out = "| # | change | life-cycle CO2e | saves | note |\n|---:|---|---:|---:|---|\n";
  for (std::size_t i = 0; i < r.what_ifs.size(); ++i) {
    const auto& w = r.what_ifs[i];
    out += fmt::format("| {} | `{}={}`: {} | {} | {} | {} |\n", i + 1, w.key, w.value,
                       cell(w.description), mass_range(w.co2e_g), format_percent(w.saving_fraction),
                       cell(w.note));
  }
  return out;
}

std::string inputs(const BudgetResult& r) {
  std::string out = "| input | value | provenance | source |\n|---|---:|---|---|\n";
  for (const auto& i : r.inputs) {
    out += fmt::format("| {} | {} | {} | {} |\n", cell(i.name), cell(input_value(i)), i.provenance,
                       cell(i.source));
  }
  return out;
}

}  // namespace

std::string budget_markdown(const BudgetResult& r) {
  std::string out = fmt::format("# Budget: {}\n\nScenario `{}`, horizon {} years", r.name,
                                r.scenario_file, r.horizon_years);
  if (!r.applied_what_ifs.empty()) {
    out += fmt::format(", with `{}`", fmt::join(r.applied_what_ifs, "`, `"));
  }
  out += ".\n\n**" + r.dominant + "**\n\n## Life-cycle totals\n\n" + totals(r);
  out += "\nEnergy is IT energy, before PUE. Ranges are low – high (docs/budget.md).\n\n";
  out += years(r);
  const auto& p = r.per_request;
  out += fmt::format(
      "\n## Per request\n\n- SCI per request: {} (energy {})\n- SCI per useful insight ({} "
      "used): {} (energy {})\n- Requests over the horizon: {}\n",
      mass_range(p.co2e_g_per_request), energy_range(p.energy_j_per_request),
      format_percent(p.useful_fraction), mass_range(p.co2e_g_per_useful),
      energy_range(p.energy_j_per_useful), format_count(p.requests));
  out +=
      fmt::format("\n**Breakeven:** {}.\n\n## In everyday terms\n\n", breakeven_text(r.breakeven));
  for (const auto& e : r.equivalents) {
    out += fmt::format("- {} (source: {})\n", equivalent_text(e), e.source);
  }
  if (!r.what_ifs.empty()) {
    out += "\n## What-ifs\n\n" + what_ifs(r) + "\n" + r.what_if_sentence + "\n";
  }
  out += "\n## Inputs and their sources\n\n" + inputs(r);
  if (!r.warnings.empty()) {
    out += "\n## Notes\n\n";
    for (const auto& w : r.warnings) out += fmt::format("- {}\n", w);
  }
  return out;
}

}  // namespace joule::report
