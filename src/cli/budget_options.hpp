#pragma once
// The options `joule budget` and `joule report --budget` share, so that the
// page computes exactly what the terminal prints: the what-ifs applied first,
// and whether to read joule.toml or guess from the time zone. The what-ifs
// themselves are parsed by budget::compute_budget, in one place for both.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "cli/ledger_options.hpp"
#include "joule/budget.hpp"

namespace joule::cli {

struct BudgetOptionValues {
  std::vector<std::string> what_ifs;  // "region=FR", as given
  bool no_rank = false;
  bool no_config = false;
  bool no_tz_guess = false;
};

// --what-if (repeatable), --no-rank, --no-config, --no-tz-guess. The
// command adds --ledger itself (`joule report` reads runs from it too).
void add_budget_options(CLI::App& command, BudgetOptionValues& values);

// Whether any of them was given: they mean nothing without a scenario.
bool any_given(const BudgetOptionValues& values);

budget::BudgetOptions to_budget_options(const BudgetOptionValues& values,
                                        const LedgerOptions& ledger);

}  // namespace joule::cli
