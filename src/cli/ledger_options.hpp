#pragma once
// Options every ledger-reading or -writing subcommand shares: where the ledger
// is (--ledger PATH, else JOULE_LEDGER, else the XDG data directory) and the
// run filters of `ls` and `export`. `joule run` uses the same resolution so
// that every subcommand agrees on which ledger is meant.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "record/ledger.hpp"

namespace joule::cli {

struct LedgerOptions {
  std::string path;  // --ledger; empty when not given
};

void add_ledger_option(CLI::App& command, LedgerOptions& options);

// Ledger::resolve_path of --ledger: --ledger, else $JOULE_LEDGER, else the default.
std::filesystem::path resolve_ledger_path(const LedgerOptions& options);

struct RunFilterOptions {
  std::vector<std::string> tags;  // "k=v" or "k"
  std::string command;
  std::string since;
  std::string until;
  bool local_time = false;  // --since/--until without a zone are local, not UTC
};

void add_filter_options(CLI::App& command, RunFilterOptions& options);

// Throws CLI::ValidationError on a malformed date or tag.
record::LedgerFilter to_ledger_filter(const RunFilterOptions& options);

// Opens the ledger for reading. nullopt when it does not exist yet (no run
// recorded there), so listing commands can say so instead of failing. Other
// problems (corrupt file, newer layout) throw record::LedgerError, whose
// message names the path and the remedy.
std::optional<record::Ledger> open_ledger_for_reading(const std::filesystem::path& path);

}  // namespace joule::cli
