#include "cli/ledger_options.hpp"

#include <fmt/format.h>

namespace joule::cli {

void add_ledger_option(CLI::App& command, LedgerOptions& options) {
  command.add_option(
      "--ledger", options.path,
      "Ledger file or postgresql:// URL (default: $JOULE_LEDGER, else [ledger] url in "
      "joule.toml, else $XDG_DATA_HOME/joule/ledger.sqlite)");
}

std::filesystem::path resolve_ledger_path(const LedgerOptions& options) {
  return record::Ledger::resolve_path(options.path);
}

void add_filter_options(CLI::App& command, RunFilterOptions& options) {
  command.add_option("--tag", options.tags, "Only runs tagged k=v (or having tag k); repeatable");
  command.add_option("--command", options.command,
                     "Only runs whose command line contains this text");
  command.add_option("--since", options.since,
                     "Only runs started at or after this date/time (2024-05-01, "
                     "2024-05-01T12:00, 2024-05-01T12:00+02:00); UTC unless it has a zone or "
                     "--local-time is given");
  command.add_option("--until", options.until,
                     "Only runs started at or before this date/time (a date covers its whole "
                     "day)");
  command.add_flag("--local-time", options.local_time,
                   "Read --since/--until without a zone in the local time zone (TZ), not UTC");
}

record::LedgerFilter to_ledger_filter(const RunFilterOptions& options) {
  record::LedgerFilter filter;
  for (const auto& tag : options.tags) {
    auto eq = tag.find('=');
    std::string key = tag.substr(0, eq);
    if (key.empty())
      throw CLI::ValidationError("--tag", fmt::format("'{}' has no key (expected k=v)", tag));
    filter.tags.emplace_back(key, eq == std::string::npos ? "" : tag.substr(eq + 1));
  }
  filter.command_contains = options.command;
  const auto zone = options.local_time ? record::TimeZone::local : record::TimeZone::utc;
  auto bound = [zone](const std::string& text, bool end, const char* flag) {
    if (text.empty()) return std::string();
    auto b = record::date_bound(text, end, zone);
    if (!b) {
      throw CLI::ValidationError(
          flag, fmt::format("'{}' is not a date (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], "
                            "optionally followed by Z or an offset such as +02:00)",
                            text));
    }
    return *b;
  };
  filter.since = bound(options.since, false, "--since");
  filter.until = bound(options.until, true, "--until");
  return filter;
}

std::optional<record::Ledger> open_ledger_for_reading(const std::filesystem::path& path) {
  try {
    return record::Ledger(path, record::Ledger::Mode::read_only);
  } catch (const record::LedgerError& e) {
    if (e.kind() == record::LedgerError::Kind::missing) return std::nullopt;
    throw;
  }
}

}  // namespace joule::cli
