// `joule run [options] -- COMMAND [ARGS...]`: measure a command's energy and
// carbon the way `time` measures its duration. The run itself is the run
// layer's (run::run_command); this file parses the options, shows the run on
// stderr (cli/run_live) and writes the files asked for (cli/run_outputs).
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/run_live.hpp"
#include "cli/run_options.hpp"
#include "cli/run_outputs.hpp"
#include "cli/validators.hpp"
#include "joule/format.hpp"
#include "joule/meter.hpp"
#include "record/job.hpp"
#include "report/summary.hpp"
#include "run/command_run.hpp"

namespace joule::cli {
namespace {

using Nanos = std::chrono::nanoseconds;

Nanos duration_option(const std::string& name, const std::string& text) {
  auto parsed = parse_duration(text);
  if (!parsed) {
    throw CLI::ValidationError(name,
                               "expected a duration such as 500ms, 2s or 1m, got '" + text + "'");
  }
  return *parsed;
}

// What `joule run` shows while the command runs: the live line, warnings
// and the prediction, on stderr.
class TerminalObserver final : public run::RunObserver {
 public:
  explicit TerminalObserver(bool quiet) : live_(quiet) {}

  void warning(const std::string& text) override {
    fmt::print(stderr, "joule: warning: {}\n", text);
  }
  void cannot_start(const std::string& error) override {
    fmt::print(stderr, "joule: cannot run {}\n", error);
  }
  void progress(Seconds elapsed, Watts power_now, Joules machine, Joules attributed) override {
    live_.update(elapsed, power_now, machine, attributed);
  }
  void command_ended() override { live_.clear(); }
  void prediction(const run::Prediction& p,
                  const std::optional<carbon::ResolvedContext>& place) override;

 private:
  LiveLine live_;
};

void TerminalObserver::prediction(const run::Prediction& p,
                                  const std::optional<carbon::ResolvedContext>& place) {
  if (!place) {
    fmt::print(stderr, "joule: after {} of {} phases, predicted for all {}: {} over {}\n",
               p.completed, p.expected, p.expected, p.total, p.duration);
    return;
  }
  carbon::EnergyInput energy;
  energy.energy = p.total;
  auto fp = carbon::footprint(*place, energy, std::nullopt, carbon::FunctionalUnit{});
  fmt::print(stderr,
             "joule: after {} of {} phases, predicted for all {}: {} over {}, {} CO2e "
             "[{} .. {}] ({})\n",
             p.completed, p.expected, p.expected, p.total, p.duration,
             GramsCO2e{fp.total_g.central}, GramsCO2e{fp.total_g.low}, GramsCO2e{fp.total_g.high},
             place->location_code);
}

// Malformed options fail here, before anything runs: durations, tags, and
// --pue/--context (resolving the place itself waits until the command has
// started).
run::RunSettings to_settings(const RunOptions& options) {
  if (options.command.empty()) throw CLI::ValidationError("COMMAND", "no command given after --");
  run::RunSettings settings;
  settings.command = options.command;
  if (!options.interval.empty()) {
    settings.interval = duration_option("--interval", options.interval);
    if (*settings.interval <= Nanos{}) {
      throw CLI::ValidationError("--interval", "must be more than 0");
    }
  }
  settings.checkpoint = duration_option("--checkpoint", options.checkpoint);
  // 0 would checkpoint the ledger row in a busy loop for the whole run.
  if (settings.checkpoint <= Nanos{}) {
    throw CLI::ValidationError("--checkpoint", "must be more than 0");
  }
  if (!options.idle.empty()) settings.idle = duration_option("--idle", options.idle);
  settings.tags = parse_tags(options.tags);
  settings.job_id = options.job.empty() ? record::job_id_from_environment() : options.job;
  settings.unit = options.unit;
  settings.predict_phases = options.predict_phases;
  settings.predict_after = options.predict_after;
  settings.place = to_context_options(options.place);
  settings.hardware = to_hardware_options(options.hardware);
  carbon::check_hardware(settings.hardware, settings.place.data_files);
  if (!options.no_ledger) settings.ledger = resolve_ledger_path(options.ledger);
  return settings;
}

int run(const RunOptions& options) {
  const run::RunSettings settings = to_settings(options);
  TerminalObserver observer(options.quiet);
  run::RunOutcome outcome = run::run_command(settings, observer);
  if (!outcome.record) return outcome.shell_status;
  record::RunRecord& record = *outcome.record;
  auto problems = write_outputs(record, options.json_path, options.csv_path);
  if (record.status == record::RunStatus::failed_to_start) return outcome.shell_status;
  for (const auto& p : problems) fmt::print(stderr, "joule: warning: {}\n", p);
  if (!options.quiet) fmt::print(stderr, "{}", report::render_summary(record));
  return outcome.shell_status;
}

const CommandRegistrar registrar{
    "run", [](CLI::App& app) {
      auto options = std::make_shared<RunOptions>();
      auto* cmd = app.add_subcommand(
          "run", "Run a command and measure its energy and carbon: joule run [options] -- COMMAND");
      cmd->add_option(
          "--interval", options->interval,
          "Sampling interval (default: 1s when every sensor is an energy counter, else 100ms)");
      cmd->add_option("--idle", options->idle,
                      "Measure the idle machine for this long before starting (e.g. 10s)");
      cmd->add_option("--checkpoint", options->checkpoint,
                      "How often the ledger row is updated while it runs (default 5s)");
      cmd->add_option("--json", options->json_path, "Write the run record as JSON to FILE");
      cmd->add_option("--csv", options->csv_path, "Append one CodeCarbon-compatible row to FILE");
      cmd->add_option("--tag", options->tags, "Tag the run KEY=VALUE (repeatable)");
      cmd->add_option("--job", options->job,
                      "The distributed job this run is part of (default: TORCHELASTIC_RUN_ID, "
                      "else SLURM_JOB_ID); `joule show --job` sums its nodes");
      cmd->add_flag("--no-ledger", options->no_ledger, "Do not record the run in the ledger");
      cmd->add_flag("-q,--quiet", options->quiet, "No live line and no summary");
      cmd->add_option("--unit", options->unit,
                      "Name of the functional unit `joule units N` counts (default run)");
      cmd->add_option("--predict", options->predict_phases,
                      "Expected number of phases (epochs): predict the total after the first ones")
          ->check(at_least(0));
      cmd->add_option("--predict-after", options->predict_after,
                      "Phases to complete before predicting (default 2)")
          ->check(at_least(1));
      add_place_options(*cmd, options->place);
      add_hardware_options(*cmd, options->hardware,
                           "GPU model for M, exact (joule carbon --list-gpus); default: the GPUs "
                           "NVML finds");
      add_ledger_option(*cmd, options->ledger);
      // Everything from the first non-option on is the command, even words that
      // look like joule options (`joule run python -q train.py`), and a "--"
      // inside it is the command's own. CLI11 may also hand back the leading
      // "--" as an unused extra (remaining()); it is not part of the command.
      cmd->add_option("command", options->command, "The command and its arguments (after --)");
      cmd->positionals_at_end();
      cmd->callback([options] { exit_status() = run(*options); });
    }};

}  // namespace
}  // namespace joule::cli
