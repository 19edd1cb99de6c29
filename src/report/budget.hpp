#pragma once
// The budget (`joule budget`) for people: a terminal page and a Markdown
// page, both from the plain result of joule/budget.hpp. JSON is the budget
// layer's own (joule::budget::to_json_text).
#include <string>

#include "joule/budget.hpp"

namespace joule::report {

// Totals per part with ranges and shares, the years, per request, the
// breakeven, what dominates, the equivalents, the ranked what-ifs, the
// deployments and every input with its source.
std::string budget_terminal(const budget::BudgetResult& result);
std::string budget_markdown(const budget::BudgetResult& result);

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
