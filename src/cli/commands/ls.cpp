// `joule ls`: the runs in the ledger, oldest first, filtered by tag, command
// and start date. Runs whose joule process died show as interrupted.
#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/job_summary.hpp"
#include "cli/ledger_options.hpp"
#include "report/format.hpp"

namespace joule::cli {
namespace {

struct LsOptions {
  LedgerOptions ledger;
  RunFilterOptions filter;
  std::string job;  // --job: only this distributed job's runs, and their sum
};

std::string energy_cell(const record::RunRecord& r) {
  // The attributed figure is what the command is charged (and what carbon is
  // computed from); without attribution the machine's is all there is.
  if (!r.attribution.method.empty()) return fmt::format("{}", Joules{r.totals.attributed_energy_j});
  return fmt::format("{} (machine)", Joules{r.totals.machine_energy_j});
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
  auto runs = ledger->list(filter, &warnings);
  for (const auto& w : warnings) fmt::print(stderr, "joule: warning: {}\n", w);
  if (!options.job.empty()) {
    std::erase_if(runs, [&](const auto& r) { return r.job_id != options.job; });
  }
  if (runs.empty()) {
    fmt::print("no matching runs in {}\n", path.string());
    return;
  }
  std::vector<std::vector<std::string>> rows = {
      {"id", "start (UTC)", "status", "duration", "energy", "CO2e", "command"}};
  for (const auto& r : runs) {
    std::string command;
    for (const auto& arg : r.command) command += (command.empty() ? "" : " ") + arg;
    if (command.size() > 60) command = command.substr(0, 59) + "…";
    std::string start = r.started_at.size() >= 19 ? r.started_at.substr(0, 19) : r.started_at;
    if (start.size() == 19) start[10] = ' ';
    rows.push_back({r.id, start, std::string(record::to_string(r.status)),
                    fmt::format("{}", Seconds{r.duration_s}), energy_cell(r),
                    r.carbon ? fmt::format("{}", GramsCO2e{r.carbon->total_co2e_g.central}) : "-",
                    command});
  }
  fmt::print("{}", report::render_table(rows, {false, false, false, true, true, true, false}, ""));
  if (!options.job.empty())
    fmt::print("{}", render_job_summary(record::sum_job(runs, options.job)));
}

const CommandRegistrar registrar{
    "ls", [](CLI::App& app) {
      auto options = std::make_shared<LsOptions>();
      auto* cmd = app.add_subcommand("ls", "List the runs recorded in the ledger");
      add_ledger_option(*cmd, options->ledger);
      add_filter_options(*cmd, options->filter);
      cmd->add_option("--job", options->job, "Only this distributed job's runs, summed");
      cmd->callback([options] { run_ls(*options); });
    }};

}  // namespace
}  // namespace joule::cli
