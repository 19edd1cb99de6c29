#pragma once
// What a ledger needs from its store, so that the SQLite file and a PostgreSQL
// database behave alike. The Ledger (ledger.hpp) owns what is common: turning
// a record into a row, deciding on read whether a running row was
// interrupted, filters, retention and copying between ledgers. A backend
// stores and finds rows, in its own SQL dialect, and turns its failures into
// LedgerErrors that name its location.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "record/process_identity.hpp"

namespace joule::record {

struct LedgerFilter;

// The ledger's own table layout: PRAGMA user_version in SQLite, the
// joule_meta table in PostgreSQL. 2 added the owner's host and the
// (started_at, id) index the newest-first listing walks; 3 the run's CSV
// line (csv_row, csv_layout), so that an export need not parse every record.
inline constexpr int kLedgerSchemaVersion = 3;

// One row of the runs table, with the run's tags.
struct StoredRow {
  std::string id;
  std::string started_at;
  std::string ended_at;
  std::string status;   // as stored: running, finished, failed, ...
  std::string command;  // argv joined with spaces
  std::string cwd;
  double duration_s = 0;
  double machine_energy_j = 0;
  double attributed_energy_j = 0;
  std::optional<double> co2e_g;
  ProcessIdentity owner;
  std::string checkpoint_at;
  std::string record_json;
  // The record's CSV line and csv_layout_id() (csv_io.hpp), for a run that
  // has ended; none while it runs, since a dead owner turns it interrupted.
  std::optional<std::string> csv_row;
  std::string csv_layout;
  std::vector<std::pair<std::string, std::string>> tags;
};

struct RunRecord;
// A record's row: its indexed columns, tags and JSON (owner and checkpoint
// time are the writer's to fill in).
StoredRow row_of(const RunRecord& record);

// What a read returns: enough to rebuild the record and judge its owner.
struct FoundRow {
  std::string id;
  std::string status;
  ProcessIdentity owner;
  std::string checkpoint_at;
  std::string record_json;
  std::optional<std::string> csv_row;  // NULL in the store: none
  std::string csv_layout;
};

enum class WriteMode {
  replace,     // insert, or overwrite whatever is there (begin, finish)
  checkpoint,  // insert, or overwrite a row that is still running
  copy,        // insert when absent; complete a running row with a finished one
};

struct RowQuery {
  const LedgerFilter* filter = nullptr;  // tags, command, since, until (status is the caller's)
  std::optional<std::string> stored_status;
  std::optional<std::string> started_before;  // exclusive
  bool newest_first = false;
  std::optional<std::size_t> limit;
};

// A SQL dialect's spelling of the parts that differ between backends.
struct SqlDialect {
  std::string (*placeholder)(std::size_t index);  // 1-based
  std::string (*contains)(const std::string& column, const std::string& needle);
};

// SELECT ... FROM runs WHERE ... ORDER BY ... LIMIT ..., and its parameters.
struct BuiltQuery {
  std::string sql;
  std::vector<std::string> params;
};
BuiltQuery build_row_query(const RowQuery& query, const SqlDialect& dialect,
                           std::string_view columns);

// The column list every read selects, in FoundRow order.
inline constexpr std::string_view kFoundRowColumns =
    "id, status, owner_host, owner_pid, owner_boot_id, owner_start_ticks, checkpoint_at, record, "
    "csv_layout, csv_row";
// What a read-only open of an older layout selects instead of its missing
// columns.
inline constexpr std::string_view kNoCsvColumns = "NULL AS csv_layout, NULL AS csv_row";

// The insert-or-update statement of a write mode, with placeholders 1..18 in
// StoredRow order (id .. record, then owner_host, csv_row, csv_layout).
std::string upsert_sql(WriteMode mode, const SqlDialect& dialect);

class LedgerBackend {
 public:
  virtual ~LedgerBackend() = default;

  // The file path or the URL without its password, for messages.
  virtual const std::string& location() const = 0;
  // False for a read-only open of a store that has no runs table yet.
  virtual bool has_schema() const = 0;

  // Stores the row (and, unless a checkpoint, replaces its tags) in one
  // transaction. Returns whether a row was inserted or changed.
  virtual bool write(const StoredRow& row, WriteMode mode) = 0;
  // Calls `each` per matching row, in order, without holding them all; stops
  // when it returns false.
  virtual void for_each(const RowQuery& query,
                        const std::function<bool(const FoundRow&)>& each) const = 0;
  // Rows whose id starts with `prefix`, by id, at most `limit`.
  virtual std::vector<FoundRow> with_id_prefix(std::string_view prefix,
                                               std::size_t limit) const = 0;
  virtual std::optional<FoundRow> with_id(std::string_view id) const = 0;

  // Deletes the runs (and their tags). Returns how many went.
  virtual std::size_t remove(const std::vector<std::string>& ids) = 0;
  // Rewrites a run's stored record and its CSV line (row.record_json,
  // csv_row, csv_layout), unless it is running.
  virtual void replace_record(const StoredRow& row) = 0;
  // Gives the space of deleted rows back (VACUUM).
  virtual void compact() = 0;
  // The store's own whole-database check; each problem found, none when sound.
  virtual std::vector<std::string> check_integrity() const = 0;
};

// The two stores. Each throws LedgerError naming its location.
// ledger_sqlite.cpp: `read_only` never creates the file (missing when absent).
std::unique_ptr<LedgerBackend> open_sqlite_ledger(const std::string& path, bool read_only);
// ledger_postgres.cpp: `read_only` never creates the tables.
std::unique_ptr<LedgerBackend> open_postgres_ledger(const std::string& url, bool read_only);

}  // namespace joule::record
