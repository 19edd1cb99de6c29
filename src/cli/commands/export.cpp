// `joule export --csv|--json`: the ledger's runs (filtered like `ls`) in the
// record's own formats, for dashboards and notebooks.
#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/ledger_options.hpp"
#include "record/csv_io.hpp"
#include "record/json_io.hpp"
#include "support/files.hpp"

namespace joule::cli {
namespace {

struct ExportOptions {
  LedgerOptions ledger;
  RunFilterOptions filter;
  bool csv = false;
  bool json = false;
  std::string out;
};

std::string render(const ExportOptions& options, const std::vector<record::RunRecord>& runs) {
  if (options.csv) {
    std::string text = record::csv_header();
    for (const auto& r : runs) text += record::csv_row(r);
    return text;
  }
  nlohmann::json array = nlohmann::json::array();
  for (const auto& r : runs) array.push_back(record::to_json(r));
  return array.dump(2) + "\n";
}

void run_export(const ExportOptions& options) {
  auto path = resolve_ledger_path(options.ledger);
  auto filter = to_ledger_filter(options.filter);
  std::vector<record::RunRecord> runs;
  if (auto ledger = open_ledger_for_reading(path)) {
    std::vector<std::string> warnings;
    runs = ledger->list(filter, &warnings);
    for (const auto& w : warnings) fmt::print(stderr, "joule: warning: {}\n", w);
  } else {
    fmt::print(stderr, "joule: warning: no ledger at {} yet; exporting no runs\n", path.string());
  }
  std::string text = render(options, runs);
  if (options.out.empty() || options.out == "-") {
    fmt::print("{}", text);
    return;
  }
  // Beside the target and renamed, so an interrupted export never leaves a
  // half file where a dashboard expects a whole one.
  support::write_file_atomically(options.out, text);
  fmt::print(stderr, "joule: exported {} run{} to {}\n", runs.size(), runs.size() == 1 ? "" : "s",
             options.out);
}

const CommandRegistrar registrar{
    "export", [](CLI::App& app) {
      auto options = std::make_shared<ExportOptions>();
      auto* cmd = app.add_subcommand("export", "Export recorded runs as CSV or JSON");
      auto* csv = cmd->add_flag("--csv", options->csv,
                                "CSV: CodeCarbon emissions.csv columns, then joule's");
      auto* json =
          cmd->add_flag("--json", options->json, "JSON: an array of run records (docs/record.md)");
      csv->excludes(json);
      cmd->add_option("--out", options->out, "Write to this file instead of standard output");
      add_ledger_option(*cmd, options->ledger);
      add_filter_options(*cmd, options->filter);
      cmd->callback([options] {
        if (!options->csv && !options->json)
          throw CLI::ValidationError("export", "give --csv or --json");
        run_export(*options);
      });
    }};

}  // namespace
}  // namespace joule::cli
