// The SQL both backends share (filters, ordering, the upsert), spelled through
// a dialect, and the date bounds of --since/--until.
#include <fmt/format.h>

#include <ctime>
#include <functional>

#include "record/ledger.hpp"
#include "record/ledger_backend.hpp"
#include "support/iso8601.hpp"

namespace joule::record {
namespace {

// The tag filters as EXISTS clauses over run_tags.
void add_tag_clauses(const LedgerFilter& filter, std::vector<std::string>& where,
                     const std::function<std::string(std::string)>& param) {
  for (const auto& [key, value] : filter.tags) {
    const std::string k = param(key);
    if (value.empty()) {
      where.push_back(fmt::format(
          "EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = runs.id AND t.key = {})", k));
    } else {
      where.push_back(fmt::format(
          "EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = runs.id AND t.key = {} AND t.value = "
          "{})",
          k, param(value)));
    }
  }
}

// Seconds to add to a wall-clock reading in the local zone to get UTC, at
// that reading (so a bound in summer and one in winter each get their own).
std::chrono::seconds local_to_utc_shift(std::chrono::system_clock::time_point as_if_utc) {
  const std::time_t t = std::chrono::system_clock::to_time_t(as_if_utc);
  std::tm fields{};
  gmtime_r(&t, &fields);
  fields.tm_isdst = -1;  // let the zone's rules decide
  const std::time_t local = std::mktime(&fields);
  return std::chrono::seconds(local - t);
}

}  // namespace

BuiltQuery build_row_query(const RowQuery& query, const SqlDialect& dialect,
                           std::string_view columns) {
  BuiltQuery built;
  std::vector<std::string> where;
  std::function<std::string(std::string)> param = [&](std::string value) {
    built.params.push_back(std::move(value));
    return dialect.placeholder(built.params.size());
  };
  if (query.filter != nullptr) {
    const LedgerFilter& filter = *query.filter;
    add_tag_clauses(filter, where, param);
    if (!filter.command_contains.empty())
      where.push_back(dialect.contains("command", param(filter.command_contains)));
    if (!filter.since.empty()) where.push_back("started_at >= " + param(filter.since));
    if (!filter.until.empty()) where.push_back("started_at <= " + param(filter.until));
  }
  if (query.stored_status) where.push_back("status = " + param(*query.stored_status));
  if (query.started_before) where.push_back("started_at < " + param(*query.started_before));

  built.sql = fmt::format("SELECT {} FROM runs", columns);
  for (std::size_t i = 0; i < where.size(); ++i) built.sql += (i ? " AND " : " WHERE ") + where[i];
  built.sql +=
      query.newest_first ? " ORDER BY started_at DESC, id DESC" : " ORDER BY started_at, id";
  if (query.limit) built.sql += fmt::format(" LIMIT {}", *query.limit);
  return built;
}

std::string upsert_sql(WriteMode mode, const SqlDialect& dialect) {
  std::string values;
  for (std::size_t i = 1; i <= 18; ++i) values += (i > 1 ? ", " : "") + dialect.placeholder(i);
  std::string condition;
  if (mode == WriteMode::checkpoint) condition = " WHERE runs.status = 'running'";
  // A copy never overwrites a row the destination already has, except to
  // complete one it only knew as running.
  if (mode == WriteMode::copy)
    condition = " WHERE runs.status = 'running' AND excluded.status <> 'running'";
  return fmt::format(
      "INSERT INTO runs (id, started_at, ended_at, status, command, cwd, duration_s, "
      "machine_energy_j, attributed_energy_j, co2e_g, owner_pid, owner_boot_id, "
      "owner_start_ticks, checkpoint_at, record, owner_host, csv_row, csv_layout) VALUES ({}) "
      "ON CONFLICT(id) DO "
      "UPDATE SET started_at=excluded.started_at, ended_at=excluded.ended_at, "
      "status=excluded.status, command=excluded.command, cwd=excluded.cwd, "
      "duration_s=excluded.duration_s, machine_energy_j=excluded.machine_energy_j, "
      "attributed_energy_j=excluded.attributed_energy_j, co2e_g=excluded.co2e_g, "
      "owner_pid=excluded.owner_pid, owner_boot_id=excluded.owner_boot_id, "
      "owner_start_ticks=excluded.owner_start_ticks, checkpoint_at=excluded.checkpoint_at, "
      "record=excluded.record, owner_host=excluded.owner_host, csv_row=excluded.csv_row, "
      "csv_layout=excluded.csv_layout{}",
      values, condition);
}

std::optional<std::string> date_bound(std::string_view text, bool end_of_range, TimeZone zone) {
  std::string s(text);
  if (s.size() > 10 && s[10] == ' ') s[10] = 'T';
  // The zone, when stated, follows the time: "Z", "+02:00", "-0500", "+05".
  std::string suffix;
  if (!s.empty() && s.back() == 'Z') {
    suffix = "Z";
    s.pop_back();
  } else if (auto sign = s.find_first_of("+-", 11); s.size() > 11 && sign != std::string::npos) {
    suffix = s.substr(sign);
    s.resize(sign);
  }
  std::string bound;
  switch (s.size()) {
    case 10:
      bound = s + (end_of_range ? "T23:59:59.999" : "T00:00:00.000");
      break;
    case 13:
      bound = s + (end_of_range ? ":59:59.999" : ":00:00.000");
      break;
    case 16:
      bound = s + (end_of_range ? ":59.999" : ":00.000");
      break;
    case 19:
      bound = s + (end_of_range ? ".999" : ".000");
      break;
    case 23:
      bound = s;
      break;
    default:
      return std::nullopt;
  }
  auto at = support::parse_iso8601(bound + (suffix.empty() ? "Z" : suffix));
  if (!at) return std::nullopt;
  if (suffix.empty() && zone == TimeZone::local) *at += local_to_utc_shift(*at);
  return support::format_iso8601_utc(*at);
}

}  // namespace joule::record
