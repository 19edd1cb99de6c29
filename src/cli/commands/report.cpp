// `joule report`: pages people read. ID [ID...] gives the run page (one run)
// or the runs side by side (several); --bench DIR the bench page; --budget
// SCENARIO the life-cycle budget page (as `joule budget` computes it, with
// its --what-if options); with
// --statement, the paragraph and table for papers instead (Markdown or
// LaTeX). HTML goes to -o FILE (written whole or not at all), else to
// standard output.
#include <fmt/format.h>

#include "bench/report_html.hpp"
#include "cli/budget_options.hpp"
#include "cli/command.hpp"
#include "cli/ledger_options.hpp"
#include "joule/budget.hpp"
#include "report/budget.hpp"
#include "report/run_page.hpp"
#include "report/statement.hpp"
#include "support/files.hpp"

namespace joule::cli {
namespace {

struct ReportOptions {
  LedgerOptions ledger;
  std::vector<std::string> ids;
  std::string bench;
  std::string budget;
  BudgetOptionValues budget_options;  // --what-if and the rest, as for joule budget
  std::string out;
  bool statement = false;
  std::string format = "markdown";
};

std::vector<record::RunRecord> read_runs(const ReportOptions& options) {
  const auto path = resolve_ledger_path(options.ledger);
  auto ledger = open_ledger_for_reading(path);
  if (!ledger) {
    throw record::LedgerError(
        record::LedgerError::Kind::not_found,
        fmt::format("no run {}: no ledger at {} yet", options.ids.front(), path.string()));
  }
  std::vector<record::RunRecord> runs;
  for (const auto& id : options.ids) runs.push_back(ledger->get(id));
  return runs;
}

std::string statement_text(const ReportOptions& options) {
  const auto format = report::parse_statement_format(options.format);
  if (!format) {
    throw CLI::ValidationError("--format",
                               fmt::format("'{}' is not markdown or latex", options.format));
  }
  if (!options.bench.empty()) {
    return report::render_statement(
        bench::bench_statement(bench::read_bench_results(options.bench)), *format);
  }
  if (options.ids.size() != 1) {
    throw CLI::ValidationError("--statement", "takes one run id, or --bench DIR");
  }
  return report::render_statement(report::run_statement(read_runs(options).front()), *format);
}

void write(const ReportOptions& options, const std::string& text, const char* what) {
  if (options.out.empty() || options.out == "-") {
    fmt::print("{}", text);
    return;
  }
  support::write_file_atomically(options.out, text);
  fmt::print(stderr, "joule: {} written to {}\n", what, options.out);
}

// The same computation as `joule budget SCENARIO` with the same options, so
// that the page and the terminal agree and a bad scenario or --what-if gets
// the same message.
std::string budget_page(const ReportOptions& options) {
  return report::budget_report_html(budget::compute_budget(
      options.budget, to_budget_options(options.budget_options, options.ledger)));
}

void run_report(const ReportOptions& options) {
  const int sources = (options.ids.empty() ? 0 : 1) + (options.bench.empty() ? 0 : 1) +
                      (options.budget.empty() ? 0 : 1);
  if (sources != 1) {
    throw CLI::ValidationError("joule report",
                               "give run ids, --bench DIR or --budget SCENARIO (one of the three)");
  }
  if (options.budget.empty() && any_given(options.budget_options)) {
    throw CLI::ValidationError("--what-if",
                               "--what-if, --no-rank, --no-config and --no-tz-guess go with "
                               "--budget SCENARIO");
  }
  if (!options.budget.empty()) {
    if (options.statement) {
      throw CLI::ValidationError("--statement", "takes one run id, or --bench DIR");
    }
    write(options, budget_page(options), "budget report");
  } else if (options.statement) {
    write(options, statement_text(options), "statement");
  } else if (!options.bench.empty()) {
    write(options, bench::bench_report_html(bench::read_bench_results(options.bench)),
          "bench report");
  } else {
    write(options, report::runs_report_html(read_runs(options)), "report");
  }
}

const CommandRegistrar registrar{
    "report", [](CLI::App& app) {
      auto options = std::make_shared<ReportOptions>();
      auto* cmd = app.add_subcommand(
          "report",
          "A self-contained HTML report of runs, a bench or a budget, or a statement for papers");
      cmd->add_option("ids", options->ids,
                      "Run ids (unique prefixes are enough); several are compared, the first is "
                      "the baseline");
      cmd->add_option("--bench", options->bench,
                      "A joule bench output directory (--out of joule bench)");
      cmd->add_option("--budget", options->budget,
                      "A joule budget scenario (TOML): the life-cycle budget page");
      add_budget_options(*cmd, options->budget_options);
      cmd->add_option("-o,--out", options->out, "Write to this file (default: standard output)");
      cmd->add_flag(
          "--statement", options->statement,
          "Print a paragraph and table for papers instead of HTML (one run id or --bench)");
      cmd->add_option("--format", options->format, "Statement format: markdown or latex")
          ->check(CLI::IsMember({"markdown", "latex"}));
      add_ledger_option(*cmd, options->ledger);
      cmd->callback([options] { run_report(*options); });
    }};

}  // namespace
}  // namespace joule::cli
