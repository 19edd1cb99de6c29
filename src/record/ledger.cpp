#include "record/ledger.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <future>
#include <thread>

#include "carbon/config_file.hpp"
#include "record/csv_io.hpp"
#include "record/json_io.hpp"

namespace joule::record {
namespace {

using Kind = LedgerError::Kind;

std::string joined_command(const RunRecord& r) {
  std::string out;
  for (const auto& arg : r.command) {
    if (!out.empty()) out += ' ';
    out += arg;
  }
  return out;
}

std::optional<std::string> non_empty_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

// `[ledger] url` of the joule.toml that applies here, if any.
std::optional<std::string> configured_url() {
  std::filesystem::path config_dir;
  if (auto xdg = non_empty_env("XDG_CONFIG_HOME")) {
    config_dir = *xdg;
  } else if (auto home = non_empty_env("HOME")) {
    config_dir = std::filesystem::path(*home) / ".config";
  }
  std::error_code ec;
  auto file = carbon::find_config_file(std::filesystem::current_path(ec), config_dir);
  if (!file) return std::nullopt;
  return carbon::load_config_file(*file).ledger_url;
}

// The scheme of "scheme://...", empty for a file path.
std::string url_scheme(std::string_view location) {
  auto sep = location.find("://");
  if (sep == std::string_view::npos || sep == 0) return {};
  auto scheme = location.substr(0, sep);
  bool plain = std::all_of(scheme.begin(), scheme.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  });
  return plain ? std::string(scheme) : std::string();
}

std::unique_ptr<LedgerBackend> open_store(const std::string& location, bool read_only) {
  if (Ledger::is_url(location)) return open_postgres_ledger(location, read_only);
  if (std::string scheme = url_scheme(location); !scheme.empty()) {
    throw LedgerError(Kind::bad_location,
                      fmt::format("ledger URL {}: unknown scheme '{}'; expected postgresql:// "
                                  "(or postgres://) for a PostgreSQL database, or a file path "
                                  "for a SQLite ledger",
                                  location.substr(0, location.find("://") + 3) + "...", scheme));
  }
  return open_sqlite_ledger(location, read_only);
}

}  // namespace

// The row a write stores: the record, its indexed columns, and its owner.
StoredRow row_of(const RunRecord& stored) {
  StoredRow row;
  row.id = stored.id;
  row.started_at = stored.started_at;
  row.ended_at = stored.ended_at;
  row.status = std::string(to_string(stored.status));
  row.command = joined_command(stored);
  row.cwd = stored.cwd;
  row.duration_s = stored.duration_s;
  row.machine_energy_j = stored.totals.machine_energy_j;
  row.attributed_energy_j = stored.totals.attributed_energy_j;
  if (stored.carbon) row.co2e_g = stored.carbon->total_co2e_g.central;
  row.tags.assign(stored.tags.begin(), stored.tags.end());
  row.record_json = to_json(stored).dump();
  if (stored.status != RunStatus::running) {
    row.csv_row = csv_row(stored);
    row.csv_layout = csv_layout_id();
  }
  return row;
}

std::filesystem::path Ledger::default_path() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  std::filesystem::path base;
  // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  if (xdg && *xdg && std::filesystem::path(xdg).is_absolute()) {
    base = xdg;
  } else {
    const char* home = std::getenv("HOME");
    base = std::filesystem::path(home && *home ? home : ".") / ".local" / "share";
  }
  return base / "joule" / "ledger.sqlite";
}

std::filesystem::path Ledger::resolve_path(const std::filesystem::path& given) {
  if (!given.empty()) return given;
  if (auto env = non_empty_env("JOULE_LEDGER")) return *env;
  if (auto url = configured_url()) return *url;
  return default_path();
}

bool Ledger::is_url(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

// The URL as messages show it: without the password, in the authority part or
// in a password= parameter.
std::string Ledger::shown(const std::string& location) {
  if (!is_url(location)) return location;
  const std::string& url = location;
  std::string out = url;
  const auto authority = out.find("://") + 3;
  const auto at = out.find('@', authority);
  const auto slash = out.find('/', authority);
  if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
    const auto colon = out.find(':', authority);
    if (colon != std::string::npos && colon < at) out.replace(colon, at - colon, ":***");
  }
  if (auto p = out.find("password="); p != std::string::npos) {
    const auto end = out.find('&', p);
    out.replace(p + 9, (end == std::string::npos ? out.size() : end) - (p + 9), "***");
  }
  return out;
}

Ledger::Ledger(std::filesystem::path location, Mode mode)
    : path_(std::move(location)),
      mode_(mode),
      store_(open_store(path_.string(), mode == Mode::read_only)),
      self_(current_process_identity()) {
  path_ = store_->location();  // a URL loses its password here
}

Ledger::~Ledger() = default;
Ledger::Ledger(Ledger&&) noexcept = default;
Ledger& Ledger::operator=(Ledger&&) noexcept = default;

void Ledger::write(const RunRecord& r, WriteMode how) {
  if (mode_ == Mode::read_only) {
    throw LedgerError(Kind::unavailable,
                      fmt::format("ledger {} was opened read-only", path_.string()));
  }
  if (r.id.empty()) throw LedgerError(Kind::unavailable, "a run record needs an id to be stored");
  RunRecord stored = r;
  if (how == WriteMode::checkpoint) stored.status = RunStatus::running;
  StoredRow row = row_of(stored);
  row.checkpoint_at = iso8601_utc(std::chrono::system_clock::now());
  // Taken per write, not per open, so a forked writer records itself.
  row.owner = current_process_identity();
  store_->write(row, how);
}

void Ledger::begin_run(const RunRecord& record) {
  RunRecord running = record;
  running.status = RunStatus::running;
  write(running, WriteMode::replace);
}
void Ledger::checkpoint(const RunRecord& record) {
  write(record, WriteMode::checkpoint);
}
void Ledger::finish_run(const RunRecord& record) {
  RunRecord finished = record;
  if (finished.status == RunStatus::running) finished.status = RunStatus::finished;
  write(finished, WriteMode::replace);
}

RunRecord Ledger::read_row(const FoundRow& row) const {
  RunRecord r =
      parse_json_text(row.record_json, fmt::format("ledger {}, run {}", path_.string(), row.id));
  // Whether another host's process still runs, only that host can tell.
  if (row.status == "running" && same_host(row.owner, self_) && !process_alive(row.owner)) {
    r.status = RunStatus::interrupted;
    r.ended_at = row.checkpoint_at;
    r.warnings.push_back(fmt::format(
        "interrupted: joule (pid {}) stopped before the run finished; figures are those of "
        "its last checkpoint at {}",
        row.owner.pid, r.ended_at));
  }
  return r;
}

namespace {

// The stored status a reported one is kept as: interrupted runs are stored as
// running, and which they are is decided on read.
RowQuery query_for(const LedgerFilter& filter) {
  RowQuery query;
  query.filter = &filter;
  if (filter.status) {
    auto stored = *filter.status == RunStatus::interrupted ? RunStatus::running : *filter.status;
    query.stored_status = std::string(to_string(stored));
  }
  return query;
}

}  // namespace

namespace {

constexpr std::size_t kBatchRows = 256;

// Decoding threads beside the one reading the store: parsing the JSON
// records is most of an export's time, and this keeps the order and bounds
// memory to a few batches.
std::size_t decoding_threads() {
  const unsigned cores = std::thread::hardware_concurrency();
  return std::clamp<std::size_t>(cores > 1 ? cores - 1 : 1, 1, 4);
}

// Passes each row of `query` through `decode` (nullopt: skipped) on worker
// threads, a batch at a time, and the results to `deliver` in the rows'
// order. `decode` must be safe to run on several threads at once.
template <typename Item>
void decode_in_order(
    const LedgerBackend& store, const RowQuery& query,
    const std::function<std::optional<Item>(const FoundRow&, std::vector<std::string>&)>& decode,
    const std::function<void(const Item&)>& deliver, std::vector<std::string>* warnings) {
  struct Batch {
    std::vector<std::optional<Item>> items;
    std::vector<std::string> warnings;
  };
  auto decode_batch = [&decode](const std::vector<FoundRow>& rows) {
    Batch batch;
    batch.items.reserve(rows.size());
    for (const auto& row : rows) batch.items.push_back(decode(row, batch.warnings));
    return batch;
  };
  std::deque<std::future<Batch>> in_flight;
  auto deliver_oldest = [&] {
    Batch batch = in_flight.front().get();
    in_flight.pop_front();
    if (warnings) warnings->insert(warnings->end(), batch.warnings.begin(), batch.warnings.end());
    for (const auto& item : batch.items) {
      if (item) deliver(*item);
    }
  };
  std::vector<FoundRow> rows;
  auto submit = [&] {
    in_flight.push_back(std::async(std::launch::async, decode_batch, std::move(rows)));
    rows.clear();
    if (in_flight.size() > decoding_threads()) deliver_oldest();
  };
  store.for_each(query, [&](const FoundRow& row) {
    rows.push_back(row);
    if (rows.size() == kBatchRows) submit();
    return true;
  });
  if (!rows.empty()) submit();
  while (!in_flight.empty()) deliver_oldest();
}

}  // namespace

std::size_t Ledger::for_each(const LedgerFilter& filter,
                             const std::function<void(const RunRecord&)>& each,
                             std::vector<std::string>* warnings) const {
  std::size_t passed = 0;
  decode_in_order<RunRecord>(
      *store_, query_for(filter),
      [&](const FoundRow& row, std::vector<std::string>& skipped) -> std::optional<RunRecord> {
        try {
          RunRecord r = read_row(row);
          if (filter.status && r.status != *filter.status) return std::nullopt;
          return r;
        } catch (const RecordError& e) {
          skipped.push_back(fmt::format("skipped: {}", e.what()));
          return std::nullopt;
        }
      },
      [&](const RunRecord& r) {
        each(r);
        ++passed;
      },
      warnings);
  return passed;
}

std::size_t Ledger::for_each_csv_line(const LedgerFilter& filter,
                                      const std::function<void(std::string_view)>& each_line,
                                      std::vector<std::string>* warnings) const {
  std::size_t passed = 0;
  const std::string& layout = csv_layout_id();
  decode_in_order<std::string>(
      *store_, query_for(filter),
      [&](const FoundRow& row, std::vector<std::string>& skipped) -> std::optional<std::string> {
        // A running row's fate (running or interrupted) is decided now, and
        // a line of another layout would not match this header.
        if (row.status != "running" && row.csv_row && row.csv_layout == layout) return row.csv_row;
        try {
          RunRecord r = read_row(row);
          if (filter.status && r.status != *filter.status) return std::nullopt;
          return csv_row(r);
        } catch (const RecordError& e) {
          skipped.push_back(fmt::format("skipped: {}", e.what()));
          return std::nullopt;
        }
      },
      [&](const std::string& line) {
        each_line(line);
        ++passed;
      },
      warnings);
  return passed;
}

std::vector<RunRecord> Ledger::list(const LedgerFilter& filter,
                                    std::vector<std::string>* warnings) const {
  std::vector<RunRecord> out;
  for_each(
      filter, [&](const RunRecord& r) { out.push_back(r); }, warnings);
  return out;
}

std::vector<RunRecord> Ledger::latest(std::size_t count, const LedgerFilter& filter,
                                      std::vector<std::string>* warnings) const {
  std::vector<RunRecord> out;
  if (count == 0) return out;
  RowQuery query = query_for(filter);
  query.newest_first = true;
  // Running and interrupted share a stored status: the limit applies after
  // telling them apart.
  if (!filter.status) query.limit = count;
  store_->for_each(query, [&](const FoundRow& row) {
    try {
      RunRecord r = read_row(row);
      if (!filter.status || r.status == *filter.status) out.push_back(std::move(r));
    } catch (const RecordError& e) {
      if (warnings) warnings->push_back(fmt::format("skipped: {}", e.what()));
    }
    return out.size() < count;
  });
  std::reverse(out.begin(), out.end());
  return out;
}

RunRecord Ledger::get(std::string_view id_or_prefix) const {
  if (!store_->has_schema() || id_or_prefix.empty()) {
    throw LedgerError(Kind::not_found,
                      fmt::format("no run {} in ledger {}", id_or_prefix, path_.string()));
  }
  if (auto exact = store_->with_id(id_or_prefix)) return read_row(*exact);
  constexpr std::size_t max_shown = 5;
  auto rows = store_->with_id_prefix(id_or_prefix, max_shown);
  if (rows.empty()) {
    throw LedgerError(Kind::not_found,
                      fmt::format("no run {} in ledger {}", id_or_prefix, path_.string()));
  }
  if (rows.size() > 1) {
    std::string list;
    for (const auto& row : rows) list += (list.empty() ? "" : ", ") + row.id;
    throw LedgerError(Kind::ambiguous,
                      fmt::format("run id prefix {} matches several runs ({}{}); give more of it",
                                  id_or_prefix, list, rows.size() >= max_shown ? ", ..." : ""));
  }
  return read_row(rows.front());
}

std::vector<std::string> Ledger::check() const {
  std::vector<std::string> problems = store_->check_integrity();
  if (!problems.empty()) return problems;  // reading rows of a damaged file proves nothing more
  store_->for_each(RowQuery{}, [&](const FoundRow& row) {
    try {
      (void)read_row(row);
    } catch (const RecordError& e) {
      problems.push_back(fmt::format("run {} does not read back: {}", row.id, e.what()));
    }
    return problems.size() < 50;
  });
  return problems;
}

}  // namespace joule::record
