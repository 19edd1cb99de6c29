// `joule budget SCENARIO.toml`: a model's whole life, from one training run
// to a fleet of replicas over years, with the what-ifs that save most.
#include <fmt/format.h>

#include <memory>

#include "cli/budget_options.hpp"
#include "cli/command.hpp"
#include "cli/ledger_options.hpp"
#include "joule/budget.hpp"
#include "report/budget.hpp"
#include "support/files.hpp"

namespace joule::cli {
namespace {

struct BudgetArgs {
  std::string scenario;
  std::string json;
  std::string markdown;
  BudgetOptionValues options;
  LedgerOptions ledger;
};

// "-" is standard output; anything else a file written whole.
void emit(const std::string& target, const std::string& text) {
  if (target == "-") {
    fmt::print("{}", text);
  } else {
    support::write_file_atomically(target, text);
    fmt::print(stderr, "joule: wrote {}\n", target);
  }
}

void run_budget(const BudgetArgs& a) {
  const budget::BudgetResult result =
      budget::compute_budget(a.scenario, to_budget_options(a.options, a.ledger));
  if (a.json != "-" && a.markdown != "-") fmt::print("{}", report::budget_terminal(result));
  if (!a.json.empty()) emit(a.json, budget::to_json_text(result) + "\n");
  if (!a.markdown.empty()) emit(a.markdown, report::budget_markdown(result));
}

const CommandRegistrar registrar("budget", [](CLI::App& app) {
  auto args = std::make_shared<BudgetArgs>();
  auto* cmd = app.add_subcommand(
      "budget",
      "a model's life-cycle energy and carbon: training, inference, idle capacity, hardware, "
      "what-ifs (docs/budget.md)");
  cmd->add_option("scenario", args->scenario, "scenario file (TOML; see examples/budget/)")
      ->required();
  cmd->add_option("--json", args->json, "write the result as JSON to FILE (- for stdout)");
  cmd->add_option("--markdown", args->markdown, "write a Markdown page to FILE (- for stdout)");
  add_budget_options(*cmd, args->options);
  add_ledger_option(*cmd, args->ledger);
  cmd->callback([args] { run_budget(*args); });
});

}  // namespace
}  // namespace joule::cli
