// `joule ls`: the latest runs in the ledger (20 unless -n N or --all), oldest
// of them first, filtered by tag, command and start date. Runs whose joule
// process died show as interrupted. Rows are printed as they are read, so
// neither time nor memory grows with the ledger.
#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/job_summary.hpp"
#include "cli/ledger_options.hpp"
#include "report/format.hpp"

namespace joule::cli {
namespace {

constexpr std::size_t kDefaultCount = 20;

struct LsOptions {
  LedgerOptions ledger;
  RunFilterOptions filter;
  std::size_t count = kDefaultCount;
  bool all = false;
  std::string job;  // --job: only this distributed job's runs, and their sum
};

const std::vector<std::string> kHeader = {"id",     "start (UTC)", "status", "duration",
                                          "energy", "CO2e",        "command"};
const std::vector<bool> kRightAligned = {false, false, false, true, true, true, false};
// --all prints before it has seen every row: widths that fit the usual cells.
const std::vector<std::size_t> kStreamWidths = {24, 19, 11, 9, 18, 10, 0};

std::string energy_cell(const record::RunRecord& r) {
  // The attributed figure is what the command is charged (and what carbon is
  // computed from); without attribution the machine's is all there is.
  if (!r.attribution.method.empty()) return fmt::format("{}", Joules{r.totals.attributed_energy_j});
  return fmt::format("{} (machine)", Joules{r.totals.machine_energy_j});
}

std::vector<std::string> cells(const record::RunRecord& r) {
  std::string command;
  for (const auto& arg : r.command) command += (command.empty() ? "" : " ") + arg;
  if (command.size() > 60) command = command.substr(0, 59) + "…";
  std::string start = r.started_at.size() >= 19 ? r.started_at.substr(0, 19) : r.started_at;
  if (start.size() == 19) start[10] = ' ';
  return {r.id,
          start,
          std::string(record::to_string(r.status)),
          fmt::format("{}", Seconds{r.duration_s}),
          energy_cell(r),
          r.carbon ? fmt::format("{}", GramsCO2e{r.carbon->total_co2e_g.central}) : "-",
          command};
}

std::size_t print_all(const record::Ledger& ledger, const record::LedgerFilter& filter,
                      std::vector<std::string>& warnings) {
  return ledger.for_each(
      filter,
      [&, first = true](const record::RunRecord& r) mutable {
        if (first)
          fmt::print("{}", report::render_table_row(kHeader, kStreamWidths, kRightAligned, ""));
        first = false;
        fmt::print("{}", report::render_table_row(cells(r), kStreamWidths, kRightAligned, ""));
      },
      &warnings);
}

std::size_t print_latest(const record::Ledger& ledger, const record::LedgerFilter& filter,
                         std::size_t count, std::vector<std::string>& warnings) {
  auto runs = ledger.latest(count, filter, &warnings);
  if (runs.empty()) return 0;
  std::vector<std::vector<std::string>> rows = {kHeader};
  for (const auto& r : runs) rows.push_back(cells(r));
  fmt::print("{}", report::render_table(rows, kRightAligned, ""));
  if (runs.size() == count) {
    fmt::print("(the latest {} run{}; -n N or --all for more)\n", count, count == 1 ? "" : "s");
  }
  return runs.size();
}

// A distributed job's records (one per node), then their sum: every match is
// needed for the sum, so they are gathered rather than streamed.
std::size_t print_job(const record::Ledger& ledger, const record::LedgerFilter& filter,
                      const std::string& job, std::vector<std::string>& warnings) {
  std::vector<record::RunRecord> runs;
  ledger.for_each(
      filter,
      [&](const record::RunRecord& r) {
        if (r.job_id == job) runs.push_back(r);
      },
      &warnings);
  if (runs.empty()) return 0;
  std::vector<std::vector<std::string>> rows = {kHeader};
  for (const auto& r : runs) rows.push_back(cells(r));
  fmt::print("{}", report::render_table(rows, kRightAligned, ""));
  fmt::print("{}", render_job_summary(record::sum_job(runs, job)));
  return runs.size();
}

void run_ls(const LsOptions& options) {
  auto path = resolve_ledger_path(options.ledger);
  auto filter = to_ledger_filter(options.filter);
  auto ledger = open_ledger_for_reading(path);
  if (!ledger) {
    fmt::print("no runs recorded yet (no ledger at {})\n", path.string());
    return;
  }
  std::vector<std::string> warnings;
  const std::size_t shown = !options.job.empty() ? print_job(*ledger, filter, options.job, warnings)
                            : options.all        ? print_all(*ledger, filter, warnings)
                                          : print_latest(*ledger, filter, options.count, warnings);
  for (const auto& w : warnings) fmt::print(stderr, "joule: warning: {}\n", w);
  if (shown == 0) fmt::print("no matching runs in {}\n", ledger->path().string());
}

const CommandRegistrar registrar{
    "ls", [](CLI::App& app) {
      auto options = std::make_shared<LsOptions>();
      auto* cmd = app.add_subcommand("ls", "List the latest runs recorded in the ledger");
      auto* count = cmd->add_option("-n,--count", options->count,
                                    "How many of the latest runs to list (default 20)")
                        ->check(CLI::PositiveNumber);
      cmd->add_flag("--all", options->all, "List every matching run, oldest first")
          ->excludes(count);
      add_ledger_option(*cmd, options->ledger);
      add_filter_options(*cmd, options->filter);
      cmd->add_option("--job", options->job, "Only this distributed job's runs, summed")
          ->excludes(count);
      cmd->callback([options] { run_ls(*options); });
    }};

}  // namespace
}  // namespace joule::cli
