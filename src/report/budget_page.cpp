// The budget as a self-contained HTML page. Every figure is a cell of the
// terminal page (budget_text.cpp) or one of its shared formatters, so that
// the two never disagree.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

#include "budget/model.hpp"
#include "report/budget.hpp"
#include "report/chart.hpp"
#include "report/format.hpp"
#include "report/html.hpp"

namespace joule::report {
namespace {

using budget::BudgetResult;

// Anything not measured (given, from a table, modelled, assumed) makes the
// page a modelled one.
bool modelled(const BudgetResult& r) {
  return std::any_of(r.inputs.begin(), r.inputs.end(),
                     [](const budget::InputTerm& i) { return i.provenance != "measured"; });
}

std::string table(const BudgetTable& t) {
  return html::table(t.rows, t.right_aligned);
}

// "1.23 t [0.98 t – 1.50 t]" as a figure's value and its range.
html::Figure ranged_figure(const std::string& name, const std::string& text, bool is_modelled) {
  const auto bracket = text.find(" [");
  if (bracket == std::string::npos) return {name, text, "", is_modelled};
  return {name, text.substr(0, bracket), text.substr(bracket + 1), is_modelled};
}

html::Banner budget_banner(const BudgetResult& r) {
  html::Banner banner;
  banner.modelled = modelled(r);
  banner.headline =
      banner.modelled
          ? fmt::format(
                "Modelled, not measured: a projection over {:g} years from given, table "
                "and modelled figures",
                r.horizon_years)
          : fmt::format("A projection over {:g} years from measured figures", r.horizon_years);
  std::map<std::string, int> by_provenance;
  for (const auto& i : r.inputs) ++by_provenance[i.provenance];
  std::vector<std::string> counts;
  counts.reserve(by_provenance.size());
  for (const auto& [provenance, count] : by_provenance) {
    counts.push_back(fmt::format("{} {}", count, provenance));
  }
  banner.lines.push_back(
      fmt::format("Inputs: {}; each with its source under \"Inputs\".", fmt::join(counts, ", ")));
  banner.lines.push_back("Scenario: " + r.scenario_file);
  if (!r.applied_what_ifs.empty()) {
    banner.lines.push_back(fmt::format("With: {}", fmt::join(r.applied_what_ifs, ", ")));
  }
  for (const auto& d : r.deployments) {
    banner.lines.push_back(fmt::format("Deployment {}: {} ({}); intensity from {}; PUE from {}.",
                                       d.name, d.location, d.how_decided, d.intensity_source,
                                       d.pue_source));
  }
  banner.lines.push_back("Ranges are low – high. Energy is IT energy, before PUE.");
  return banner;
}

std::vector<html::Figure> headline(const BudgetResult& r, const BudgetTable& parts) {
  const bool is_modelled = modelled(r);
  const auto& total = parts.rows.back();  // "total", energy, CO2e, range, share
  std::vector<html::Figure> figures = {
      {"life-cycle CO2e", total[2], total[3], is_modelled},
      {"life-cycle energy (IT)", total[1], "", is_modelled},
      ranged_figure("SCI per request", mass_range(r.per_request.co2e_g_per_request), is_modelled),
      ranged_figure("SCI per useful insight", mass_range(r.per_request.co2e_g_per_useful),
                    is_modelled)};
  if (r.breakeven.day_central) {
    const std::string text = breakeven_text(r.breakeven);
    figures.push_back(ranged_figure("breakeven", text.substr(0, text.find(':')), is_modelled));
  }
  return figures;
}

chart::StackedBarChart life_cycle_chart(const BudgetResult& r) {
  chart::StackedBarChart c;
  c.title = "CO2e per year, by part";
  c.note = "Whiskers: each year's low – high range.";
  c.y_label = "CO2e";
  c.modelled = modelled(r);
  for (const auto& p : r.parts) c.segments.push_back(p.name);
  for (int y = 0; y < r.years; ++y) {
    chart::Stack stack;
    stack.name = fmt::format("year {}", y + 1);
    for (const auto& p : r.parts) {
      stack.values.push_back(
          y < static_cast<int>(p.co2e_g_per_year.size()) ? p.co2e_g_per_year[y].central : 0);
    }
    const auto& total = r.co2e_g_per_year[y];
    stack.low = total.low;
    stack.high = total.high;
    stack.text = fmt::format("{}", GramsCO2e{total.central});  // the years table's total cell
    c.stacks.push_back(std::move(stack));
  }
  return c;
}

// Cumulative central CO2e of inference (a constant rate within each year)
// and of training (steps), sampled at every step and year boundary.
chart::LineChart breakeven_chart(const BudgetResult& r) {
  const auto& b = r.breakeven;
  const double days_per_year = budget::kDaysPerYear;
  const double horizon = r.horizon_years * days_per_year;
  chart::LineChart c;
  c.title = "Cumulative CO2e";
  c.x = chart::Quantity::days;
  c.y = chart::Quantity::grams;
  c.x_label = "days from the first training";
  c.y_label = "cumulative CO2e";
  c.modelled = modelled(r);
  chart::Series inference{"inference (active + idle)", {0}, {0}};
  double sum = 0;
  for (std::size_t y = 0; y < b.inference_g_per_day.size(); ++y) {
    const double from = static_cast<double>(y) * days_per_year;
    const double to = std::min(from + days_per_year, horizon);
    if (to <= from) break;
    sum += b.inference_g_per_day[y].central * (to - from);
    inference.x.push_back(to);
    inference.y.push_back(sum);
  }
  chart::Series training{"training (retraining included)", {}, {}};
  double steps = 0;
  for (const auto& e : b.training_events) {
    training.x.push_back(e.day);
    training.y.push_back(steps);
    steps += e.grams.central;
    training.x.push_back(e.day);
    training.y.push_back(steps);
  }
  if (!training.x.empty()) {
    training.x.push_back(horizon);
    training.y.push_back(steps);
  }
  c.series = {inference, training};
  if (b.day_central) {
    const double low = b.day_low.value_or(*b.day_central);
    const double high = b.day_high.value_or(horizon);
    const std::string text = breakeven_text(b);
    c.bands.push_back({low, high, text.substr(0, text.find(':'))});
  }
  return c;
}

std::string life_cycle_part(const BudgetResult& r, const BudgetTable& parts) {
  return table(parts) + chart::stacked_bar_chart(life_cycle_chart(r)) +
         table(budget_years_table(r)) + html::paragraph("What dominates: " + r.dominant, "verdict");
}

std::string breakeven_part(const BudgetResult& r) {
  std::string out = html::paragraph("Breakeven: " + breakeven_text(r.breakeven), "verdict");
  if (r.breakeven.training_events.empty() && r.breakeven.inference_g_per_day.empty()) return out;
  out += chart::line_chart(breakeven_chart(r));
  if (!r.breakeven.day_central) return out;
  return out + html::paragraph(
                   "Central estimates; the shaded stretch is the breakeven day's range (inference "
                   "high and training low, to inference low and training high).",
                   "note");
}

std::string per_request_part(const BudgetResult& r) {
  const auto& p = r.per_request;
  html::Rows rows = {
      {"", "CO2e (SCI)", "energy"},
      {"per request", mass_range(p.co2e_g_per_request), energy_range(p.energy_j_per_request)},
      {"per useful insight", mass_range(p.co2e_g_per_useful), energy_range(p.energy_j_per_useful)}};
  return html::table(rows, {false, true, true}) +
         html::paragraph(fmt::format("{} requests over the horizon; {} of inferences used.",
                                     format_count(p.requests), format_percent(p.useful_fraction)),
                         "note");
}

std::string equivalents_part(const BudgetResult& r) {
  std::vector<std::string> lines;
  for (const auto& e : r.equivalents) {
    lines.push_back(fmt::format("{} (source: {})", equivalent_text(e), e.source));
  }
  return html::list(lines);
}

std::string what_if_part(const BudgetResult& r) {
  const BudgetTable what_ifs = budget_what_if_table(r);
  chart::BarChart bars{"Life-cycle CO2e with each change (central)", {}, ""};
  const bool is_modelled = modelled(r);
  bars.bars.push_back(
      {"as given", r.co2e_g.central, fmt::format("{}", GramsCO2e{r.co2e_g.central}), is_modelled});
  for (std::size_t i = 0; i < r.what_ifs.size(); ++i) {
    const auto& w = r.what_ifs[i];
    const auto& cells = what_ifs.rows[i + 1];  // #, change, life-cycle CO2e, saves, note
    bars.bars.push_back({fmt::format("{}={}", w.key, w.value), w.co2e_g.central,
                         fmt::format("{} ({})", cells[2].substr(0, cells[2].find(" [")), cells[3]),
                         is_modelled});
  }
  return table(what_ifs) + chart::bar_chart(bars) + html::paragraph(r.what_if_sentence, "verdict");
}

std::string inputs_part(const BudgetResult& r) {
  html::Rows rows = {{"input", "value", "provenance", "source"}};
  for (const auto& i : r.inputs) rows.push_back({i.name, input_value(i), i.provenance, i.source});
  return html::table(rows, {false, true, false, false});
}

}  // namespace

std::string budget_report_html(const BudgetResult& r) {
  const BudgetTable parts = budget_parts_table(r);
  std::string body = html::banner(budget_banner(r));
  body += html::figures(headline(r, parts));
  body += html::section("Life cycle", life_cycle_part(r, parts));
  body += html::section("Breakeven", breakeven_part(r));
  body += html::section("Per request and per useful insight", per_request_part(r));
  if (!r.equivalents.empty()) body += html::section("In everyday terms", equivalents_part(r));
  if (!r.what_ifs.empty()) {
    body += html::section("What-ifs (one change each, biggest saving first)", what_if_part(r));
  }
  body += html::section("Deployments", table(budget_deployments_table(r)));
  body += html::section("Inputs and their sources", inputs_part(r));
  if (!r.warnings.empty()) body += html::section("Notes", html::list(r.warnings));
  return html::page(fmt::format("joule budget: {}", r.name), body);
}

}  // namespace joule::report
