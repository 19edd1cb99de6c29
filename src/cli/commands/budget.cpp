// `joule budget SCENARIO.toml`: a model's whole life, from one training run
// to a fleet of replicas over years, with the what-ifs that save most.
#include <fmt/format.h>

#include <memory>

#include "cli/command.hpp"
#include "cli/ledger_options.hpp"
#include "joule/budget.hpp"
#include "report/budget.hpp"
#include "support/files.hpp"

namespace joule::cli {
namespace {

struct BudgetArgs {
  std::string scenario;
  std::vector<std::string> what_ifs;
  std::string json;
  std::string markdown;
  LedgerOptions ledger;
  bool no_rank = false;
  bool no_config = false;
  bool no_tz_guess = false;
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
  budget::BudgetOptions options;
  options.what_ifs = a.what_ifs;
  if (!a.ledger.path.empty()) options.ledger = a.ledger.path;
  options.rank_what_ifs = !a.no_rank;
  options.read_config_files = !a.no_config;
  options.guess_from_time_zone = !a.no_tz_guess;
  const budget::BudgetResult result = budget::compute_budget(a.scenario, options);
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
  cmd->add_option("--what-if", args->what_ifs,
                  "apply a change first, KEY=VALUE (repeatable): region, device, model, batch, "
                  "utilisation, horizon");
  cmd->add_option("--json", args->json, "write the result as JSON to FILE (- for stdout)");
  cmd->add_option("--markdown", args->markdown, "write a Markdown page to FILE (- for stdout)");
  add_ledger_option(*cmd, args->ledger);
  cmd->add_flag("--no-rank", args->no_rank, "skip the ranked table of single what-ifs");
  cmd->add_flag("--no-config", args->no_config,
                "do not read joule.toml for deployments that state no place");
  cmd->add_flag("--no-tz-guess", args->no_tz_guess, "do not guess a place from the time zone");
  cmd->callback([args] { run_budget(*args); });
});

}  // namespace
}  // namespace joule::cli
