// The PostgreSQL store, through libpq: one database shared by a team's
// machines. Tables as in SQLite, the layout version in joule_meta.
#include <dlfcn.h>
#include <fmt/format.h>
#include <libpq-fe.h>

#include <memory>
#include <type_traits>

#include "record/ledger.hpp"
#include "record/ledger_backend.hpp"

namespace joule::record {
namespace {

using Kind = LedgerError::Kind;

// libpq, loaded when a PostgreSQL ledger is first opened rather than linked:
// linking it makes every joule process load it and the 21 libraries it needs
// (OpenSSL, Kerberos, LDAP, GnuTLS...), about 4 ms of CPU at each start, which
// `joule run` would pay whatever its ledger.
struct Libpq {
  decltype(&::PQcancel) PQcancel = nullptr;
  decltype(&::PQclear) PQclear = nullptr;
  decltype(&::PQcmdTuples) PQcmdTuples = nullptr;
  decltype(&::PQconnectdbParams) PQconnectdbParams = nullptr;
  decltype(&::PQerrorMessage) PQerrorMessage = nullptr;
  decltype(&::PQexec) PQexec = nullptr;
  decltype(&::PQexecParams) PQexecParams = nullptr;
  decltype(&::PQfinish) PQfinish = nullptr;
  decltype(&::PQfreeCancel) PQfreeCancel = nullptr;
  decltype(&::PQgetCancel) PQgetCancel = nullptr;
  decltype(&::PQgetResult) PQgetResult = nullptr;
  decltype(&::PQgetisnull) PQgetisnull = nullptr;
  decltype(&::PQgetvalue) PQgetvalue = nullptr;
  decltype(&::PQntuples) PQntuples = nullptr;
  decltype(&::PQreset) PQreset = nullptr;
  decltype(&::PQresultErrorField) PQresultErrorField = nullptr;
  decltype(&::PQresultErrorMessage) PQresultErrorMessage = nullptr;
  decltype(&::PQresultStatus) PQresultStatus = nullptr;
  decltype(&::PQsendQueryParams) PQsendQueryParams = nullptr;
  decltype(&::PQsetSingleRowMode) PQsetSingleRowMode = nullptr;
  decltype(&::PQstatus) PQstatus = nullptr;
};

const Libpq& pq() {
  static const Libpq loaded = [] {
    Libpq api;
    void* lib = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      throw LedgerError(Kind::unavailable,
                        fmt::format("a PostgreSQL ledger needs the client library libpq.so.5, "
                                    "which cannot be loaded ({}); install it (Debian: libpq5)",
                                    dlerror()));
    }
    auto load = [lib](auto& function, const char* name) {
      function = reinterpret_cast<std::remove_reference_t<decltype(function)>>(dlsym(lib, name));
      if (function == nullptr) {
        throw LedgerError(Kind::unavailable,
                          fmt::format("libpq.so.5 has no {}: too old a libpq", name));
      }
    };
    load(api.PQcancel, "PQcancel");
    load(api.PQclear, "PQclear");
    load(api.PQcmdTuples, "PQcmdTuples");
    load(api.PQconnectdbParams, "PQconnectdbParams");
    load(api.PQerrorMessage, "PQerrorMessage");
    load(api.PQexec, "PQexec");
    load(api.PQexecParams, "PQexecParams");
    load(api.PQfinish, "PQfinish");
    load(api.PQfreeCancel, "PQfreeCancel");
    load(api.PQgetCancel, "PQgetCancel");
    load(api.PQgetResult, "PQgetResult");
    load(api.PQgetisnull, "PQgetisnull");
    load(api.PQgetvalue, "PQgetvalue");
    load(api.PQntuples, "PQntuples");
    load(api.PQreset, "PQreset");
    load(api.PQresultErrorField, "PQresultErrorField");
    load(api.PQresultErrorMessage, "PQresultErrorMessage");
    load(api.PQresultStatus, "PQresultStatus");
    load(api.PQsendQueryParams, "PQsendQueryParams");
    load(api.PQsetSingleRowMode, "PQsetSingleRowMode");
    load(api.PQstatus, "PQstatus");
    return api;
  }();
  return loaded;
}

// The statements run in order, each on its own, when the tables are absent.
constexpr const char* kCreateSchema[] = {
    R"sql(CREATE TABLE joule_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL))sql",
    // COLLATE "C": ids and timestamps sort byte by byte, as in SQLite, whatever
    // the database's locale, so id prefixes are ranges of the primary key.
    R"sql(CREATE TABLE runs (
  id TEXT COLLATE "C" PRIMARY KEY,
  started_at TEXT COLLATE "C" NOT NULL,
  ended_at TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  command TEXT NOT NULL,
  cwd TEXT NOT NULL DEFAULT '',
  duration_s DOUBLE PRECISION NOT NULL DEFAULT 0,
  machine_energy_j DOUBLE PRECISION NOT NULL DEFAULT 0,
  attributed_energy_j DOUBLE PRECISION NOT NULL DEFAULT 0,
  co2e_g DOUBLE PRECISION,
  owner_pid BIGINT NOT NULL DEFAULT 0,
  owner_boot_id TEXT NOT NULL DEFAULT '',
  owner_start_ticks BIGINT NOT NULL DEFAULT 0,
  checkpoint_at TEXT NOT NULL DEFAULT '',
  record TEXT NOT NULL,
  owner_host TEXT NOT NULL DEFAULT '',
  csv_row TEXT,
  csv_layout TEXT
))sql",
    "CREATE INDEX runs_started_id ON runs(started_at, id)",
    "CREATE INDEX runs_status ON runs(status)",
    R"sql(CREATE TABLE run_tags (
  run_id TEXT COLLATE "C" NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
))sql",
    "CREATE INDEX run_tags_key_value ON run_tags(key, value)",
};

// Version 2 to 3: each run's CSV line; rows already there have none.
constexpr const char* kMigrateFrom2 =
    "ALTER TABLE runs ADD COLUMN IF NOT EXISTS csv_row TEXT, ADD COLUMN IF NOT EXISTS "
    "csv_layout TEXT";

// Any constant: serialises the processes that find the tables absent at once.
constexpr const char* kCreateLock = "SELECT pg_advisory_xact_lock(7346121002)";

std::string pg_placeholder(std::size_t index) {
  return fmt::format("${}", index);
}
std::string pg_contains(const std::string& column, const std::string& needle) {
  return fmt::format("strpos({}, {}) > 0", column, needle);
}
constexpr SqlDialect kPostgres{&pg_placeholder, &pg_contains};

struct ResultDeleter {
  void operator()(PGresult* r) const { pq().PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

bool mentions(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

class PostgresLedger final : public LedgerBackend {
 public:
  PostgresLedger(const std::string& url, bool read_only);
  ~PostgresLedger() override {
    if (conn_ != nullptr) pq().PQfinish(conn_);
  }
  PostgresLedger(const PostgresLedger&) = delete;
  PostgresLedger& operator=(const PostgresLedger&) = delete;

  const std::string& location() const override { return location_; }
  bool has_schema() const override { return has_schema_; }
  bool write(const StoredRow& row, WriteMode mode) override;
  void for_each(const RowQuery& query,
                const std::function<bool(const FoundRow&)>& each) const override;
  std::vector<FoundRow> with_id_prefix(std::string_view prefix, std::size_t limit) const override;
  std::optional<FoundRow> with_id(std::string_view id) const override;
  std::size_t remove(const std::vector<std::string>& ids) override;
  void replace_record(const StoredRow& row) override;
  void compact() override;
  std::vector<std::string> check_integrity() const override;

 private:
  void connect(const std::string& url);
  void check_schema(bool read_only);
  int stored_version() const;
  [[noreturn]] void fail(const PGresult* result, std::string_view doing) const;
  // Runs one statement with text parameters (nullopt: NULL); throws on failure.
  Result run(const std::string& sql, const std::vector<std::optional<std::string>>& params,
             std::string_view doing) const;
  Result run(const std::string& sql, std::string_view doing) const { return run(sql, {}, doing); }
  template <typename F>
  void in_transaction(std::string_view doing, F&& body);
  static FoundRow found_row(const PGresult* result, int row);

  void migrate_from(int version);

  std::string location_;
  PGconn* conn_ = nullptr;
  bool has_schema_ = false;
  // A read-only open of version 2 selects NULLs for the CSV line's columns.
  std::string columns_{kFoundRowColumns};
};

PostgresLedger::PostgresLedger(const std::string& url, bool read_only)
    : location_(Ledger::shown(url)) {
  connect(url);
  check_schema(read_only);
}

void PostgresLedger::connect(const std::string& url) {
  // connect_timeout comes first so that one in the URL wins: an unreachable
  // host must not hold `joule run` at every checkpoint for the TCP timeout.
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"3", "joule", url.c_str(), nullptr};
  conn_ = pq().PQconnectdbParams(keys, values, 1);
  if (conn_ != nullptr && pq().PQstatus(conn_) == CONNECTION_OK) return;
  std::string said = conn_ != nullptr ? pq().PQerrorMessage(conn_) : "out of memory";
  while (!said.empty() && (said.back() == '\n' || said.back() == ' ')) said.pop_back();
  if (mentions(said, "password") || mentions(said, "does not exist") ||
      mentions(said, "authentication") || mentions(said, "no pg_hba.conf entry")) {
    throw LedgerError(Kind::refused,
                      fmt::format("PostgreSQL ledger {}: the server refused the connection ({}). "
                                  "Expected a user, password and database it accepts (the "
                                  "password in the URL, $PGPASSWORD or ~/.pgpass)",
                                  location_, said));
  }
  throw LedgerError(Kind::unavailable,
                    fmt::format("PostgreSQL ledger {}: cannot connect ({}). Expected a "
                                "PostgreSQL server listening at that host and port (or Unix "
                                "socket directory)",
                                location_, said));
}

void PostgresLedger::fail(const PGresult* result, std::string_view doing) const {
  std::string said =
      result != nullptr ? pq().PQresultErrorMessage(result) : pq().PQerrorMessage(conn_);
  if (said.empty()) said = pq().PQerrorMessage(conn_);
  while (!said.empty() && (said.back() == '\n' || said.back() == ' ')) said.pop_back();
  const char* state =
      result != nullptr ? pq().PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state != nullptr ? state : "";
  if (sqlstate == "42501" || sqlstate.starts_with("28")) {
    throw LedgerError(Kind::refused, fmt::format("PostgreSQL ledger {}: {} failed: {} (does this "
                                                 "user have the rights on joule's tables?)",
                                                 location_, doing, said));
  }
  if (sqlstate == "53100") {
    throw LedgerError(Kind::unavailable,
                      fmt::format("PostgreSQL ledger {}: {} failed: the server's disk is full",
                                  location_, doing));
  }
  throw LedgerError(Kind::unavailable,
                    fmt::format("PostgreSQL ledger {}: {} failed: {}", location_, doing, said));
}

Result PostgresLedger::run(const std::string& sql,
                           const std::vector<std::optional<std::string>>& params,
                           std::string_view doing) const {
  // A connection the server dropped (a restart) is made again once.
  if (pq().PQstatus(conn_) == CONNECTION_BAD) pq().PQreset(conn_);
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  Result result(pq().PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                  values.data(), nullptr, nullptr, 0));
  const auto status = result ? pq().PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(result.get(), doing);
  return result;
}

template <typename F>
void PostgresLedger::in_transaction(std::string_view doing, F&& body) {
  run("BEGIN", doing);
  try {
    body();
    run("COMMIT", doing);
  } catch (...) {
    Result rollback(pq().PQexec(conn_, "ROLLBACK"));
    throw;
  }
}

int PostgresLedger::stored_version() const {
  // pg_tables, not to_regclass: a plain query sees what another joule
  // committed while this one waited for the creation lock; the catalog cache
  // behind to_regclass may not.
  auto tables =
      run("SELECT bool_or(tablename = 'joule_meta'), bool_or(tablename = 'runs') FROM pg_tables "
          "WHERE schemaname = current_schema() AND tablename IN ('joule_meta', 'runs')",
          "reading the schema version");
  const bool meta = std::string_view(pq().PQgetvalue(tables.get(), 0, 0)) == "t";
  const bool runs = std::string_view(pq().PQgetvalue(tables.get(), 0, 1)) == "t";
  if (!meta && runs) {
    throw LedgerError(Kind::newer_schema,
                      fmt::format("PostgreSQL ledger {}: the database has a table runs but no "
                                  "joule_meta, so it is not a joule ledger; expected a database "
                                  "of its own for joule (or an empty one)",
                                  location_));
  }
  if (!meta) return 0;
  auto version = run("SELECT value FROM joule_meta WHERE key = 'schema_version'",
                     "reading the schema version");
  if (pq().PQntuples(version.get()) == 0) return 0;
  return std::atoi(pq().PQgetvalue(version.get(), 0, 0));
}

void PostgresLedger::check_schema(bool read_only) {
  int version = stored_version();
  if (version == 0 && !read_only) {
    in_transaction("creating the ledger", [&] {
      run(kCreateLock, "creating the ledger");
      if (stored_version() != 0) return;  // another joule got there first
      for (const char* statement : kCreateSchema) run(statement, "creating the ledger");
      run(fmt::format("INSERT INTO joule_meta (key, value) VALUES ('schema_version', '{}')",
                      kLedgerSchemaVersion),
          "creating the ledger");
    });
    version = stored_version();
  }
  if (version == 2 && !read_only) {
    migrate_from(version);
    version = stored_version();
  }
  if (version == 2 && read_only) {
    columns_.replace(columns_.find("csv_layout"), std::string_view("csv_layout, csv_row").size(),
                     kNoCsvColumns);
  } else if (version != 0 && version != kLedgerSchemaVersion) {
    throw LedgerError(Kind::newer_schema,
                      fmt::format("PostgreSQL ledger {} has layout version {}; this joule reads "
                                  "versions 2 to {} and writes the last ({}). Nothing was "
                                  "written",
                                  location_, version, kLedgerSchemaVersion,
                                  version > kLedgerSchemaVersion ? "upgrade joule to use it"
                                                                 : "use the joule that made it"));
  }
  has_schema_ = version == kLedgerSchemaVersion || version == 2;
}

void PostgresLedger::migrate_from(int version) {
  in_transaction("upgrading the ledger's layout", [&] {
    // The same lock as creation: two joules upgrading at once take turns,
    // and the second finds the work done.
    run(kCreateLock, "upgrading the ledger's layout");
    if (stored_version() != version) return;
    run(kMigrateFrom2, "upgrading the ledger's layout");
    run(fmt::format("UPDATE joule_meta SET value = '{}' WHERE key = 'schema_version'",
                    kLedgerSchemaVersion),
        "upgrading the ledger's layout");
  });
}

bool PostgresLedger::write(const StoredRow& row, WriteMode mode) {
  const std::string doing = fmt::format("storing run {}", row.id);
  bool changed = false;
  in_transaction(doing, [&] {
    std::vector<std::optional<std::string>> params = {
        row.id,
        row.started_at,
        row.ended_at,
        row.status,
        row.command,
        row.cwd,
        fmt::format("{}", row.duration_s),
        fmt::format("{}", row.machine_energy_j),
        fmt::format("{}", row.attributed_energy_j),
        row.co2e_g ? std::optional<std::string>(fmt::format("{}", *row.co2e_g)) : std::nullopt,
        std::to_string(row.owner.pid),
        row.owner.boot_id,
        std::to_string(row.owner.start_ticks),
        row.checkpoint_at,
        row.record_json,
        row.owner.host,
        row.csv_row,
        row.csv_row ? std::optional<std::string>(row.csv_layout) : std::nullopt};
    auto result = run(upsert_sql(mode, kPostgres), params, doing);
    changed = std::string_view(pq().PQcmdTuples(result.get())) != "0";
    if (mode == WriteMode::checkpoint || !changed) return;
    run("DELETE FROM run_tags WHERE run_id = $1", {row.id}, doing);
    for (const auto& [key, value] : row.tags)
      run("INSERT INTO run_tags (run_id, key, value) VALUES ($1, $2, $3)", {row.id, key, value},
          doing);
  });
  return changed;
}

FoundRow PostgresLedger::found_row(const PGresult* result, int row) {
  FoundRow found;
  found.id = pq().PQgetvalue(result, row, 0);
  found.status = pq().PQgetvalue(result, row, 1);
  found.owner.host = pq().PQgetvalue(result, row, 2);
  found.owner.pid = std::atoll(pq().PQgetvalue(result, row, 3));
  found.owner.boot_id = pq().PQgetvalue(result, row, 4);
  found.owner.start_ticks = std::strtoull(pq().PQgetvalue(result, row, 5), nullptr, 10);
  found.checkpoint_at = pq().PQgetvalue(result, row, 6);
  found.record_json = pq().PQgetvalue(result, row, 7);
  found.csv_layout = pq().PQgetvalue(result, row, 8);
  if (pq().PQgetisnull(result, row, 9) == 0) found.csv_row = pq().PQgetvalue(result, row, 9);
  return found;
}

void PostgresLedger::for_each(const RowQuery& query,
                              const std::function<bool(const FoundRow&)>& each) const {
  if (!has_schema_) return;
  const BuiltQuery built = build_row_query(query, kPostgres, columns_);
  if (pq().PQstatus(conn_) == CONNECTION_BAD) pq().PQreset(conn_);
  std::vector<const char*> values;
  for (const auto& p : built.params) values.push_back(p.c_str());
  // Single-row mode: libpq hands rows over as they arrive instead of
  // holding the whole answer, so memory does not grow with the ledger.
  if (pq().PQsendQueryParams(conn_, built.sql.c_str(), static_cast<int>(values.size()), nullptr,
                             values.data(), nullptr, nullptr, 0) == 0 ||
      pq().PQsetSingleRowMode(conn_) == 0) {
    fail(nullptr, "listing runs");
  }
  bool wanted = true;
  Result failure;
  while (PGresult* raw = pq().PQgetResult(conn_)) {
    Result result(raw);
    const auto status = pq().PQresultStatus(raw);
    if (status == PGRES_SINGLE_TUPLE && wanted) {
      if (!each(found_row(raw, 0))) {
        wanted = false;
        // Tell the server to stop sending; the rest is drained unread.
        if (PGcancel* cancel = pq().PQgetCancel(conn_)) {
          char error[256];
          pq().PQcancel(cancel, error, sizeof error);
          pq().PQfreeCancel(cancel);
        }
      }
    } else if (status != PGRES_SINGLE_TUPLE && status != PGRES_TUPLES_OK && wanted && !failure) {
      failure = std::move(result);
    }
  }
  if (failure) fail(failure.get(), "listing runs");
}

std::optional<FoundRow> PostgresLedger::with_id(std::string_view id) const {
  if (!has_schema_) return std::nullopt;
  auto result = run(fmt::format("SELECT {} FROM runs WHERE id = $1", columns_), {std::string(id)},
                    "reading a run");
  if (pq().PQntuples(result.get()) == 0) return std::nullopt;
  return found_row(result.get(), 0);
}

std::vector<FoundRow> PostgresLedger::with_id_prefix(std::string_view prefix,
                                                     std::size_t limit) const {
  if (!has_schema_) return {};
  // A range on the primary key (byte order, COLLATE "C"), so a prefix costs
  // a seek, not a scan.
  auto result = run(fmt::format("SELECT {} FROM runs WHERE id >= $1 AND id < $1 || chr(1114111) "
                                "ORDER BY id LIMIT {}",
                                columns_, limit),
                    {std::string(prefix)}, "reading a run");
  const int count = pq().PQntuples(result.get());
  std::vector<FoundRow> rows;
  rows.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) rows.push_back(found_row(result.get(), i));
  return rows;
}

std::size_t PostgresLedger::remove(const std::vector<std::string>& ids) {
  std::size_t removed = 0;
  in_transaction("pruning runs", [&] {
    for (const auto& id : ids) {
      auto result = run("DELETE FROM runs WHERE id = $1", {id}, "pruning runs");
      removed += static_cast<std::size_t>(std::atoi(pq().PQcmdTuples(result.get())));
    }
  });
  return removed;
}

void PostgresLedger::replace_record(const StoredRow& row) {
  run("UPDATE runs SET record = $2, csv_row = $3, csv_layout = $4 WHERE id = $1 AND status <> "
      "'running'",
      {row.id, row.record_json, row.csv_row,
       row.csv_row ? std::optional<std::string>(row.csv_layout) : std::nullopt},
      "thinning a run's timeline");
}

void PostgresLedger::compact() {
  run("VACUUM runs", "compacting (VACUUM)");
  run("VACUUM run_tags", "compacting (VACUUM)");
}

std::vector<std::string> PostgresLedger::check_integrity() const {
  // The server keeps its own pages whole (and checksums them when the
  // cluster has them); what joule can check is that it still has its tables.
  std::vector<std::string> problems;
  if (!has_schema_) problems.push_back("the database has no joule tables yet");
  return problems;
}

}  // namespace

std::unique_ptr<LedgerBackend> open_postgres_ledger(const std::string& url, bool read_only) {
  return std::make_unique<PostgresLedger>(url, read_only);
}

}  // namespace joule::record
