// `joule ledger check|prune|push|pull|merge`: looking after a ledger. The
// whole-file integrity check lives here rather than in every read, retention
// keeps a years-old ledger small, and push/pull/merge move runs between
// ledgers (a laptop's SQLite file and the team's PostgreSQL database).
#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/ledger_options.hpp"

namespace joule::cli {
namespace {

struct LedgerCommandOptions {
  LedgerOptions ledger;
  std::string before;
  bool downsample = false;
  std::size_t keep_points = 60;
  bool local_time = false;
  std::string other;  // push/pull URL, merge file
};

void run_check(const LedgerCommandOptions& options) {
  auto path = resolve_ledger_path(options.ledger);
  auto ledger = open_ledger_for_reading(path);
  if (!ledger) {
    fmt::print("no ledger at {} yet: nothing to check\n", path.string());
    return;
  }
  auto problems = ledger->check();
  if (problems.empty()) {
    fmt::print("ledger {}: sound (the store's own check passed and every run reads back)\n",
               ledger->path().string());
    return;
  }
  fmt::print("ledger {}: {} problem{} found\n", ledger->path().string(), problems.size(),
             problems.size() == 1 ? "" : "s");
  for (const auto& p : problems) fmt::print("  {}\n", p);
  exit_status() = 1;
}

void run_prune(const LedgerCommandOptions& options) {
  auto bound = record::date_bound(
      options.before, false, options.local_time ? record::TimeZone::local : record::TimeZone::utc);
  if (!bound) {
    throw CLI::ValidationError("--before",
                               fmt::format("'{}' is not a date (expected YYYY-MM-DD or "
                                           "YYYY-MM-DDTHH:MM[:SS], optionally with Z or an offset)",
                                           options.before));
  }
  record::Ledger ledger(resolve_ledger_path(options.ledger));
  auto done =
      ledger.prune(*bound, options.downsample ? std::optional(options.keep_points) : std::nullopt);
  if (options.downsample) {
    fmt::print("thinned the timelines of {} run{} started before {} to at most {} points",
               done.thinned, done.thinned == 1 ? "" : "s", *bound, options.keep_points);
  } else {
    fmt::print("deleted {} run{} started before {}", done.removed, done.removed == 1 ? "" : "s",
               *bound);
  }
  fmt::print("; {} possibly still running left alone; {} compacted\n", done.kept_running,
             ledger.path().string());
}

void report_copy(const record::CopyResult& done, const std::string& from, const std::string& to) {
  fmt::print("copied {} run{} from {} to {} ({} already there)\n", done.copied,
             done.copied == 1 ? "" : "s", from, to, done.present);
}

void run_push(const LedgerCommandOptions& options) {
  record::Ledger source(resolve_ledger_path(options.ledger), record::Ledger::Mode::read_only);
  record::Ledger destination(options.other);
  report_copy(destination.copy_from(source), source.path().string(), destination.path().string());
}

void run_pull(const LedgerCommandOptions& options) {
  record::Ledger source(options.other, record::Ledger::Mode::read_only);
  record::Ledger destination(resolve_ledger_path(options.ledger));
  report_copy(destination.copy_from(source), source.path().string(), destination.path().string());
}

void run_merge(const LedgerCommandOptions& options) {
  if (record::Ledger::is_url(options.other)) {
    throw CLI::ValidationError("FILE", fmt::format("'{}' is a URL; merge takes a SQLite ledger "
                                                   "file (use `joule ledger pull URL`)",
                                                   options.other));
  }
  run_pull(options);
}

CLI::App* add_action(CLI::App& parent, const char* name, const char* help,
                     const std::shared_ptr<LedgerCommandOptions>& options,
                     void (*action)(const LedgerCommandOptions&)) {
  auto* cmd = parent.add_subcommand(name, help);
  add_ledger_option(*cmd, options->ledger);
  cmd->callback([options, action] { action(*options); });
  return cmd;
}

const CommandRegistrar registrar{
    "ledger", [](CLI::App& app) {
      auto options = std::make_shared<LedgerCommandOptions>();
      auto* ledger = app.add_subcommand("ledger", "Check, prune, and copy runs between ledgers");
      ledger->require_subcommand(1);
      add_action(*ledger, "check",
                 "Check the whole ledger: the store's integrity check, then every run reads back",
                 options, &run_check);
      auto* prune = add_action(*ledger, "prune",
                               "Delete (or, with --downsample, thin) runs started before a date, "
                               "then compact; never touches a running run",
                               options, &run_prune);
      prune->add_option("--before", options->before, "Runs started before this date/time")
          ->required();
      prune->add_flag("--downsample", options->downsample,
                      "Keep the runs but thin their timelines (see --keep-points)");
      prune
          ->add_option("--keep-points", options->keep_points,
                       "Timeline points kept per run with --downsample (default 60)")
          ->check(CLI::Range(2, 1000000));
      prune->add_flag("--local-time", options->local_time,
                      "Read --before without a zone in the local time zone, not UTC");
      add_action(*ledger, "push", "Copy this ledger's runs to another (idempotent)", options,
                 &run_push)
          ->add_option("url", options->other, "Destination: a postgresql:// URL or a file")
          ->required();
      add_action(*ledger, "pull", "Copy another ledger's runs into this one (idempotent)", options,
                 &run_pull)
          ->add_option("url", options->other, "Source: a postgresql:// URL or a file")
          ->required();
      add_action(*ledger, "merge", "Import the runs of another SQLite ledger file", options,
                 &run_merge)
          ->add_option("file", options->other, "The other ledger.sqlite")
          ->required();
    }};

}  // namespace
}  // namespace joule::cli
