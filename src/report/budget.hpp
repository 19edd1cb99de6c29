#pragma once
// The budget (`joule budget`) for people: a terminal page and a Markdown
// page, both from the plain result of joule/budget.hpp. JSON is the budget
// layer's own (joule::budget::to_json_text).
#include <string>
#include <vector>

#include "joule/budget.hpp"

namespace joule::report {

// Totals per part with ranges and shares, the years, per request, the
// breakeven, what dominates, the equivalents, the ranked what-ifs, the
// deployments and every input with its source.
std::string budget_terminal(const budget::BudgetResult& result);
std::string budget_markdown(const budget::BudgetResult& result);

// The terminal page's tables as cells, so that the HTML page (budget_page.cpp)
// shows exactly the same text: totals per part, CO2e by year, the ranked
// what-ifs, the deployments.
struct BudgetTable {
  std::vector<std::vector<std::string>> rows;  // the first is the header
  std::vector<bool> right_aligned;
  std::string text() const;  // as the terminal prints it
};
BudgetTable budget_parts_table(const budget::BudgetResult& result);
BudgetTable budget_years_table(const budget::BudgetResult& result);
BudgetTable budget_what_if_table(const budget::BudgetResult& result);
BudgetTable budget_deployments_table(const budget::BudgetResult& result);

// A self-contained HTML page (html.hpp): a provenance banner, the headline
// figures, the life-cycle bars per year with ranges, the breakeven chart, the
// what-if ranking, per request and per useful insight, and every input.
std::string budget_report_html(const budget::BudgetResult& result);

// Shared by both pages: "1.23 t [0.98 t – 1.50 t]".
std::string mass_range(const budget::Estimate& grams);
std::string energy_range(const budget::Estimate& joules);
// "day 41.3 [30.2 – 55.0]", or why there is none.
std::string breakeven_text(const budget::Breakeven& breakeven);
// "12.3 k km driven by ..." with three significant digits.
std::string equivalent_text(const budget::Equivalent& equivalent);
// An input's value in its unit, with its range when it has one.
std::string input_value(const budget::InputTerm& input);

}  // namespace joule::report
