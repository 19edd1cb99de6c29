// `joule export --csv|--json`: the ledger's runs (filtered like `ls`) in the
// record's own formats, for dashboards and notebooks, streamed.
#include <fmt/format.h>

#include <cstdio>

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

// Writes each run as it is read: memory stays flat however many runs match.
class RunWriter {
 public:
  RunWriter(std::FILE* out, bool csv) : out_(out), csv_(csv) {
    if (csv_) fmt::print(out_, "{}", record::csv_header());
  }
  void add_csv_line(std::string_view line) { std::fwrite(line.data(), 1, line.size(), out_); }
  void add(const record::RunRecord& r) {
    // The layout of nlohmann::json::dump(2) of the whole array.
    std::string element = record::to_json(r).dump(2);
    std::string indented = "  ";
    indented.reserve(element.size() + element.size() / 8);
    for (char c : element) {
      indented += c;
      if (c == '\n') indented += "  ";
    }
    fmt::print(out_, "{}{}", count_ == 0 ? "[\n" : ",\n", indented);
    ++count_;
  }
  void close() {
    if (!csv_) fmt::print(out_, "{}", count_ == 0 ? "[]\n" : "\n]\n");
  }

 private:
  std::FILE* out_;
  bool csv_;
  std::size_t count_ = 0;
};

std::size_t write_runs(const ExportOptions& options, std::FILE* out) {
  auto path = resolve_ledger_path(options.ledger);
  auto filter = to_ledger_filter(options.filter);
  RunWriter writer(out, options.csv);
  std::size_t written = 0;
  if (auto ledger = open_ledger_for_reading(path)) {
    std::vector<std::string> warnings;
    // CSV lines come stored with most runs: no record to parse.
    written =
        options.csv
            ? ledger->for_each_csv_line(
                  filter, [&](std::string_view line) { writer.add_csv_line(line); }, &warnings)
            : ledger->for_each(
                  filter, [&](const record::RunRecord& r) { writer.add(r); }, &warnings);
    for (const auto& w : warnings) fmt::print(stderr, "joule: warning: {}\n", w);
  } else {
    fmt::print(stderr, "joule: warning: no ledger at {} yet; exporting no runs\n", path.string());
  }
  writer.close();
  return written;
}

void run_export(const ExportOptions& options) {
  if (options.out.empty() || options.out == "-") {
    write_runs(options, stdout);
    return;
  }
  // Beside the target and renamed, so an interrupted export never leaves a
  // half file where a dashboard expects a whole one.
  std::size_t written = 0;
  support::write_file_atomically(options.out,
                                 [&](std::FILE* file) { written = write_runs(options, file); });
  fmt::print(stderr, "joule: exported {} run{} to {}\n", written, written == 1 ? "" : "s",
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
