// `joule compare ID ID...`: runs side by side with ratios to the first.
#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/ledger_options.hpp"
#include "report/compare.hpp"

namespace joule::cli {
namespace {

struct CompareOptions {
  LedgerOptions ledger;
  std::vector<std::string> ids;
  bool json = false;
};

void run_compare(const CompareOptions& options) {
  auto path = resolve_ledger_path(options.ledger);
  auto ledger = open_ledger_for_reading(path);
  if (!ledger) {
    throw record::LedgerError(
        record::LedgerError::Kind::not_found,
        fmt::format("nothing to compare: no ledger at {} yet", path.string()));
  }
  std::vector<record::RunRecord> runs;
  for (const auto& id : options.ids) runs.push_back(ledger->get(id));
  if (options.json) {
    fmt::print("{}\n", report::compare_json(runs).dump(2));
  } else {
    fmt::print("{}", report::render_compare(runs));
  }
}

const CommandRegistrar registrar{
    "compare", [](CLI::App& app) {
      auto options = std::make_shared<CompareOptions>();
      auto* cmd = app.add_subcommand(
          "compare", "Compare recorded runs side by side (ratios against the first)");
      cmd->add_option("ids", options->ids,
                      "Run ids (unique prefixes are enough); the first is the baseline")
          ->required()
          ->expected(2, -1);
      cmd->add_flag("--json", options->json, "Print the comparison as JSON");
      add_ledger_option(*cmd, options->ledger);
      cmd->callback([options] { run_compare(*options); });
    }};

}  // namespace
}  // namespace joule::cli
