// compute_budget: the scenario, the --what-if changes applied together, the
// arithmetic, then the ranked single changes.
#include <fmt/format.h>

#include "budget/model.hpp"
#include "joule/budget.hpp"

namespace joule::budget {

BudgetResult compute_budget(const std::filesystem::path& scenario_path,
                            const BudgetOptions& options) {
  Scenario scenario = load_scenario(scenario_path);
  Sources sources(scenario, options);
  apply_what_ifs(scenario, sources, options.what_ifs);
  BudgetResult result = compute(scenario, sources);
  result.applied_what_ifs = options.what_ifs;
  if (options.rank_what_ifs) rank_what_ifs(scenario, sources, result);
  return result;
}

}  // namespace joule::budget
