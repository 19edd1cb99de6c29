// `joule show ID`: a recorded run's summary again (or its JSON record). A
// unique prefix of the id is enough.
#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/job_summary.hpp"
#include "cli/ledger_options.hpp"
#include "record/json_io.hpp"
#include "report/summary.hpp"

namespace joule::cli {
namespace {

struct ShowOptions {
  LedgerOptions ledger;
  std::string id;
  std::string job;  // --job: the distributed job's records, summed
  bool json = false;
};

void run_show(const ShowOptions& options) {
  auto path = resolve_ledger_path(options.ledger);
  auto ledger = open_ledger_for_reading(path);
  if (!ledger) {
    throw record::LedgerError(
        record::LedgerError::Kind::not_found,
        fmt::format("no run {}: no ledger at {} yet", options.id, path.string()));
  }
  if (!options.job.empty()) {
    const auto runs = ledger->list();
    fmt::print("{}", render_job_summary(record::sum_job(runs, options.job)));
    return;
  }
  auto run = ledger->get(options.id);
  if (options.json) {
    fmt::print("{}", record::to_json_text(run));
  } else {
    fmt::print("{}", report::render_summary(run));
  }
}

const CommandRegistrar registrar{
    "show", [](CLI::App& app) {
      auto options = std::make_shared<ShowOptions>();
      auto* cmd = app.add_subcommand("show", "Show a recorded run's summary");
      auto* id = cmd->add_option("id", options->id, "Run id (a unique prefix is enough)");
      auto* job = cmd->add_option("--job", options->job,
                                  "Sum a distributed job's records (one per node) instead");
      id->excludes(job);
      cmd->add_flag("--json", options->json, "Print the run record as JSON (docs/record.md)");
      add_ledger_option(*cmd, options->ledger);
      cmd->callback([options] {
        if (options->id.empty() && options->job.empty()) {
          throw CLI::RequiredError("a run id or --job ID");
        }
        run_show(*options);
      });
    }};

}  // namespace
}  // namespace joule::cli
