#include "cli/budget_options.hpp"

namespace joule::cli {

void add_budget_options(CLI::App& command, BudgetOptionValues& values) {
  command.add_option("--what-if", values.what_ifs,
                     "apply a change first, KEY=VALUE (repeatable): region, device, model, batch, "
                     "utilisation, horizon");
  command.add_flag("--no-rank", values.no_rank, "skip the ranked table of single what-ifs");
  command.add_flag("--no-config", values.no_config,
                   "do not read joule.toml for deployments that state no place");
  command.add_flag("--no-tz-guess", values.no_tz_guess, "do not guess a place from the time zone");
}

bool any_given(const BudgetOptionValues& values) {
  return !values.what_ifs.empty() || values.no_rank || values.no_config || values.no_tz_guess;
}

budget::BudgetOptions to_budget_options(const BudgetOptionValues& values,
                                        const LedgerOptions& ledger) {
  budget::BudgetOptions options;
  options.what_ifs = values.what_ifs;
  if (!ledger.path.empty()) options.ledger = ledger.path;
  options.rank_what_ifs = !values.no_rank;
  options.read_config_files = !values.no_config;
  options.guess_from_time_zone = !values.no_tz_guess;
  return options;
}

}  // namespace joule::cli
