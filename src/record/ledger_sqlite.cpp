// The SQLite store: one file in WAL mode, the default ledger.
#include <fmt/format.h>
#include <sqlite3.h>

#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include "record/ledger.hpp"
#include "record/ledger_backend.hpp"

namespace joule::record {
namespace {

using Kind = LedgerError::Kind;

std::string recovery_advice(const std::filesystem::path& path) {
  const std::string p = path.string();
  return fmt::format(
      "joule has not modified it and will not write to it. To recover: move it aside "
      "(mv '{0}' '{0}.corrupt'; also any '{0}-wal' and '{0}-shm') and the next run starts a "
      "new ledger there; salvage old runs with `sqlite3 '{0}.corrupt' .recover | sqlite3 "
      "recovered.sqlite`; or use another ledger with --ledger PATH or JOULE_LEDGER",
      p);
}

[[noreturn]] void throw_corrupt(const std::filesystem::path& path, std::string_view detail) {
  throw LedgerError(Kind::corrupt,
                    fmt::format("ledger {} is corrupt or not a joule ledger ({}). {}",
                                path.string(), detail, recovery_advice(path)));
}

// The problems PRAGMA quick_check finds, at most a few hundred characters.
std::string quick_check_problems(sqlite3* db) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA quick_check(8)", -1, &stmt, nullptr) != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return {};
  }
  std::string problems;
  while (sqlite3_step(stmt) == SQLITE_ROW && problems.size() < 300) {
    const auto* line = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    if (line == nullptr || std::string_view(line) == "ok") continue;
    problems += (problems.empty() ? "" : "; ") + std::string(line);
  }
  sqlite3_finalize(stmt);
  return problems;
}

bool is_busy(int rc) {
  int primary = rc & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

bool is_corruption(int rc) {
  int primary = rc & 0xff;
  return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

// A SQLite failure as a LedgerError of the right kind, naming the path.
[[noreturn]] void throw_sqlite(sqlite3* db, int rc, const std::filesystem::path& path,
                               std::string_view doing) {
  std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (is_corruption(rc)) {
    // Damage found by chance while reading or writing: only now is the
    // whole-file check worth its cost, to say how far it goes.
    if (std::string found = db ? quick_check_problems(db) : ""; !found.empty())
      detail += "; PRAGMA quick_check: " + found;
    throw_corrupt(path, detail);
  }
  int primary = rc & 0xff;
  if (primary == SQLITE_FULL) {
    throw LedgerError(Kind::unavailable,
                      fmt::format("ledger {}: {} failed: the disk is full", path.string(), doing));
  }
  if (primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN || primary == SQLITE_PERM) {
    throw LedgerError(Kind::unavailable,
                      fmt::format("ledger {}: {} failed: {} (is the file or its directory "
                                  "read-only?)",
                                  path.string(), doing, detail));
  }
  if (primary == SQLITE_IOERR) {
    // A write refused by the file system (ENOSPC, EFBIG, EIO) lands here.
    throw LedgerError(Kind::unavailable,
                      fmt::format("ledger {}: {} failed: {} (disk full, quota or failing "
                                  "storage?)",
                                  path.string(), doing, detail));
  }
  throw LedgerError(Kind::unavailable,
                    fmt::format("ledger {}: {} failed: {}", path.string(), doing, detail));
}

class Statement {
 public:
  Statement(sqlite3* db, const char* sql, const std::filesystem::path& path)
      : db_(db), path_(path) {
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
    if (rc != SQLITE_OK) {
      if (is_busy(rc)) throw BusyError{rc};
      throw_sqlite(db, rc, path, "preparing a query");
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void bind(int i, std::string_view text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void bind(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
  void bind(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void bind_null(int i) { sqlite3_bind_null(stmt_, i); }

  // True while a row is available. Busy surfaces as BusyError for the retry
  // loop; anything else as LedgerError.
  bool step(std::string_view doing) {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    if (is_busy(rc)) throw BusyError{rc};
    throw_sqlite(db_, rc, path_, doing);
  }
  std::string text(int col) const {
    auto* p = sqlite3_column_text(stmt_, col);
    return p ? reinterpret_cast<const char*>(p) : "";
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  sqlite3_stmt* get() const { return stmt_; }

  struct BusyError {
    int rc;
  };

 private:
  sqlite3* db_;
  const std::filesystem::path& path_;
  sqlite3_stmt* stmt_ = nullptr;
};

using BusyError = Statement::BusyError;

void exec(sqlite3* db, const char* sql, const std::filesystem::path& path, std::string_view doing) {
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &error);
  sqlite3_free(error);
  if (rc == SQLITE_OK) return;
  if (is_busy(rc)) throw BusyError{rc};
  throw_sqlite(db, rc, path, doing);
}

// Retries `body` while the database is busy. busy_timeout already waits for
// the lock; this covers what it does not (a busy COMMIT checkpointing the WAL,
// switching to WAL while another process opens the file) with jittered sleeps
// so eight writers do not retry in lockstep.
template <typename F>
auto with_retry(const std::filesystem::path& path, std::string_view doing, F&& body) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::seconds(60);
  std::minstd_rand jitter{std::random_device{}()};
  for (int attempt = 0;; ++attempt) {
    try {
      return body();
    } catch (const BusyError&) {
      if (clock::now() > deadline) {
        throw LedgerError(Kind::unavailable,
                          fmt::format("ledger {}: {} failed: the database stayed locked for a "
                                      "minute (another process holds it)",
                                      path.string(), doing));
      }
      std::this_thread::sleep_for(
          std::chrono::milliseconds(5 + jitter() % (10 + 10 * std::min(attempt, 20))));
    }
  }
}

constexpr const char* kCreateSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  started_at TEXT NOT NULL,
  ended_at TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  command TEXT NOT NULL,
  cwd TEXT NOT NULL DEFAULT '',
  duration_s REAL NOT NULL DEFAULT 0,
  machine_energy_j REAL NOT NULL DEFAULT 0,
  attributed_energy_j REAL NOT NULL DEFAULT 0,
  co2e_g REAL,
  owner_pid INTEGER NOT NULL DEFAULT 0,
  owner_boot_id TEXT NOT NULL DEFAULT '',
  owner_start_ticks INTEGER NOT NULL DEFAULT 0,
  checkpoint_at TEXT NOT NULL DEFAULT '',
  record TEXT NOT NULL,
  owner_host TEXT NOT NULL DEFAULT '',
  csv_row TEXT,
  csv_layout TEXT
);
CREATE INDEX IF NOT EXISTS runs_started_id ON runs(started_at, id);
CREATE INDEX IF NOT EXISTS runs_status ON runs(status);
CREATE TABLE IF NOT EXISTS run_tags (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
);
CREATE INDEX IF NOT EXISTS run_tags_key_value ON run_tags(key, value);
)sql";

// Version 1 to 2: the owner's host, and the index `ls` walks newest first
// (the old one on started_at alone left ties on id to a sort of every row).
constexpr const char* kMigrateFrom1 = R"sql(
ALTER TABLE runs ADD COLUMN owner_host TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS runs_started_id ON runs(started_at, id);
DROP INDEX IF EXISTS runs_started_at;
DROP INDEX IF EXISTS runs_command;
)sql";

// Version 2 to 3: each run's CSV line. Rows already there have none and are
// exported by reading their records, as before.
constexpr const char* kMigrateFrom2 = R"sql(
ALTER TABLE runs ADD COLUMN csv_row TEXT;
ALTER TABLE runs ADD COLUMN csv_layout TEXT;
)sql";

std::string sqlite_placeholder(std::size_t index) {
  return fmt::format("?{}", index);
}
std::string sqlite_contains(const std::string& column, const std::string& needle) {
  return fmt::format("instr({}, {}) > 0", column, needle);
}
constexpr SqlDialect kSqlite{&sqlite_placeholder, &sqlite_contains};

bool has_sqlite_header(const std::filesystem::path& path, std::uintmax_t size) {
  static constexpr char magic[16] = {'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f',
                                     'o', 'r', 'm', 'a', 't', ' ', '3', '\0'};
  if (size < sizeof magic) return false;
  std::ifstream in(path, std::ios::binary);
  char header[sizeof magic] = {};
  in.read(header, sizeof header);
  return in.gcount() == static_cast<std::streamsize>(sizeof header) &&
         std::equal(std::begin(header), std::end(header), std::begin(magic));
}

class SqliteLedger final : public LedgerBackend {
 public:
  SqliteLedger(const std::string& path, bool read_only);
  ~SqliteLedger() override {
    if (db_ != nullptr) sqlite3_close_v2(db_);
  }
  SqliteLedger(const SqliteLedger&) = delete;
  SqliteLedger& operator=(const SqliteLedger&) = delete;

  const std::string& location() const override { return location_; }
  bool has_schema() const override { return version_ > 0; }
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
  void check_file() const;
  void open_connection();
  int read_version() const;
  void create_or_migrate();
  template <typename F>
  void in_transaction(std::string_view doing, F&& body);
  FoundRow found_row(const Statement& q) const;

  std::filesystem::path path_;
  std::string location_;
  bool read_only_;
  sqlite3* db_ = nullptr;
  int version_ = 0;
  // Older files lack columns (owner_host before 2, the CSV line before 3); a
  // read-only open must not add them, and selects NULLs or blanks instead.
  std::string columns_;
};

SqliteLedger::SqliteLedger(const std::string& path, bool read_only)
    : path_(path), location_(path), read_only_(read_only) {
  check_file();
  open_connection();
  version_ = with_retry(path_, "reading the schema version", [&] { return read_version(); });
  if (version_ > kLedgerSchemaVersion) {
    throw LedgerError(Kind::newer_schema,
                      fmt::format("ledger {} has layout version {}, newer than this joule "
                                  "understands ({}); upgrade joule to read it",
                                  location_, version_, kLedgerSchemaVersion));
  }
  if (!read_only_ && version_ < kLedgerSchemaVersion) create_or_migrate();
  columns_ = std::string(kFoundRowColumns);
  if (version_ < 3) {
    columns_.replace(columns_.find("csv_layout"), std::string_view("csv_layout, csv_row").size(),
                     kNoCsvColumns);
  }
  if (version_ == 1) {
    columns_.replace(columns_.find("owner_host"), std::string_view("owner_host").size(),
                     "'' AS owner_host");
  }
}

void SqliteLedger::check_file() const {
  std::error_code ec;
  auto status = std::filesystem::status(path_, ec);
  if (std::filesystem::exists(status)) {
    if (std::filesystem::is_directory(status)) {
      throw LedgerError(Kind::unavailable,
                        fmt::format("ledger {} is a directory; give a file path", location_));
    }
    // Check the magic ourselves before SQLite sees the file: a garbage file
    // must never be touched, let alone initialised over.
    auto size = std::filesystem::file_size(path_, ec);
    if (!ec && size > 0 && !has_sqlite_header(path_, size)) {
      throw_corrupt(path_, "the file does not start with the SQLite header");
    }
  } else if (read_only_) {
    throw LedgerError(
        Kind::missing,
        fmt::format("no ledger at {} yet (no run has been recorded there)", location_));
  } else if (path_.has_parent_path()) {
    std::filesystem::create_directories(path_.parent_path(), ec);
    if (ec) {
      throw LedgerError(Kind::unavailable,
                        fmt::format("cannot create the ledger's directory {}: {}",
                                    path_.parent_path().string(), ec.message()));
    }
  }
}

void SqliteLedger::open_connection() {
  int flags = (read_only_ ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
              SQLITE_OPEN_FULLMUTEX;
  int rc = sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, path_, "opening");
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 5000);
  // No whole-file check here: it reads every page, which at a million runs
  // is seconds for a `joule show`. A damaged page a query touches fails it
  // as SQLITE_CORRUPT, which runs the check then (throw_sqlite); `joule
  // ledger check` runs it on demand.
  if (!read_only_) {
    with_retry(path_, "switching to WAL mode", [&] {
      Statement wal(db_, "PRAGMA journal_mode=WAL", path_);
      wal.step("switching to WAL mode");
    });
    // NORMAL is durable against a crash of joule in WAL mode; a power cut may
    // lose the last transaction, which the checkpoint interval bounds anyway.
    exec(db_, "PRAGMA synchronous=NORMAL", path_, "configuring");
  }
  exec(db_, "PRAGMA foreign_keys=ON", path_, "configuring");
}

int SqliteLedger::read_version() const {
  Statement v(db_, "PRAGMA user_version", path_);
  v.step("reading the schema version");
  return static_cast<int>(v.integer(0));
}

template <typename F>
void SqliteLedger::in_transaction(std::string_view doing, F&& body) {
  with_retry(path_, doing, [&] {
    // Writers take the lock up front, so two never deadlock upgrading theirs.
    exec(db_, "BEGIN IMMEDIATE", path_, doing);
    try {
      body();
      exec(db_, "COMMIT", path_, doing);
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  });
}

void SqliteLedger::create_or_migrate() {
  in_transaction("creating the ledger", [&] {
    // Another process may have done it between our read and our lock.
    const int version = read_version();
    if (version == 0) exec(db_, kCreateSchema, path_, "creating the ledger");
    if (version == 1) exec(db_, kMigrateFrom1, path_, "upgrading the ledger's layout");
    if (version == 1 || version == 2) {
      exec(db_, kMigrateFrom2, path_, "upgrading the ledger's layout");
    }
    if (version < kLedgerSchemaVersion) {
      exec(db_, fmt::format("PRAGMA user_version={}", kLedgerSchemaVersion).c_str(), path_,
           "creating the ledger");
    }
  });
  version_ = kLedgerSchemaVersion;
}

bool SqliteLedger::write(const StoredRow& row, WriteMode mode) {
  const std::string doing = fmt::format("storing run {}", row.id);
  const std::string sql = upsert_sql(mode, kSqlite);
  bool changed = false;
  in_transaction(doing, [&] {
    Statement insert(db_, sql.c_str(), path_);
    insert.bind(1, row.id);
    insert.bind(2, row.started_at);
    insert.bind(3, row.ended_at);
    insert.bind(4, row.status);
    insert.bind(5, row.command);
    insert.bind(6, row.cwd);
    insert.bind(7, row.duration_s);
    insert.bind(8, row.machine_energy_j);
    insert.bind(9, row.attributed_energy_j);
    if (row.co2e_g) {
      insert.bind(10, *row.co2e_g);
    } else {
      insert.bind_null(10);
    }
    insert.bind(11, row.owner.pid);
    insert.bind(12, row.owner.boot_id);
    insert.bind(13, static_cast<std::int64_t>(row.owner.start_ticks));
    insert.bind(14, row.checkpoint_at);
    insert.bind(15, row.record_json);
    insert.bind(16, row.owner.host);
    if (row.csv_row) {
      insert.bind(17, *row.csv_row);
      insert.bind(18, row.csv_layout);
    } else {
      insert.bind_null(17);
      insert.bind_null(18);
    }
    insert.step(doing);
    changed = sqlite3_changes(db_) > 0;
    if (mode == WriteMode::checkpoint || !changed) return;
    Statement clear(db_, "DELETE FROM run_tags WHERE run_id = ?1", path_);
    clear.bind(1, row.id);
    clear.step(doing);
    for (const auto& [key, value] : row.tags) {
      Statement tag(db_, "INSERT INTO run_tags (run_id, key, value) VALUES (?1, ?2, ?3)", path_);
      tag.bind(1, row.id);
      tag.bind(2, key);
      tag.bind(3, value);
      tag.step(doing);
    }
  });
  return changed;
}

FoundRow SqliteLedger::found_row(const Statement& q) const {
  FoundRow row;
  row.id = q.text(0);
  row.status = q.text(1);
  row.owner.host = q.text(2);
  row.owner.pid = q.integer(3);
  row.owner.boot_id = q.text(4);
  row.owner.start_ticks = static_cast<std::uint64_t>(q.integer(5));
  row.checkpoint_at = q.text(6);
  row.record_json = q.text(7);
  row.csv_layout = q.text(8);
  if (sqlite3_column_type(q.get(), 9) != SQLITE_NULL) row.csv_row = q.text(9);
  return row;
}

void SqliteLedger::for_each(const RowQuery& query,
                            const std::function<bool(const FoundRow&)>& each) const {
  if (!has_schema()) return;
  const BuiltQuery built = build_row_query(query, kSqlite, columns_);
  bool started = false;
  with_retry(path_, "listing runs", [&] {
    // A retry after rows were passed on would pass them twice; WAL readers
    // are only ever busy before their first row.
    if (started) return;
    Statement q(db_, built.sql.c_str(), path_);
    for (std::size_t i = 0; i < built.params.size(); ++i)
      q.bind(static_cast<int>(i + 1), built.params[i]);
    while (q.step("listing runs")) {
      started = true;
      if (!each(found_row(q))) return;
    }
  });
}

std::optional<FoundRow> SqliteLedger::with_id(std::string_view id) const {
  if (!has_schema()) return std::nullopt;
  return with_retry(path_, "reading a run", [&]() -> std::optional<FoundRow> {
    Statement q(db_, fmt::format("SELECT {} FROM runs WHERE id = ?1", columns_).c_str(), path_);
    q.bind(1, id);
    if (q.step("reading a run")) return found_row(q);
    return std::nullopt;
  });
}

std::vector<FoundRow> SqliteLedger::with_id_prefix(std::string_view prefix,
                                                   std::size_t limit) const {
  if (!has_schema()) return {};
  return with_retry(path_, "reading a run", [&] {
    // A range on the primary key, so a prefix costs a seek, not a scan.
    Statement q(db_,
                fmt::format("SELECT {} FROM runs WHERE id >= ?1 AND id < ?1 || char(1114111) "
                            "ORDER BY id LIMIT {}",
                            columns_, limit)
                    .c_str(),
                path_);
    q.bind(1, prefix);
    std::vector<FoundRow> rows;
    while (q.step("reading a run")) rows.push_back(found_row(q));
    return rows;
  });
}

std::size_t SqliteLedger::remove(const std::vector<std::string>& ids) {
  std::size_t removed = 0;
  in_transaction("pruning runs", [&] {
    removed = 0;
    Statement del(db_, "DELETE FROM runs WHERE id = ?1", path_);
    for (const auto& id : ids) {
      sqlite3_reset(del.get());
      del.bind(1, id);
      del.step("pruning runs");
      removed += static_cast<std::size_t>(sqlite3_changes(db_));
    }
  });
  return removed;
}

void SqliteLedger::replace_record(const StoredRow& row) {
  in_transaction("thinning a run's timeline", [&] {
    Statement q(db_,
                "UPDATE runs SET record = ?2, csv_row = ?3, csv_layout = ?4 WHERE id = ?1 AND "
                "status <> 'running'",
                path_);
    q.bind(1, row.id);
    q.bind(2, row.record_json);
    if (row.csv_row) {
      q.bind(3, *row.csv_row);
      q.bind(4, row.csv_layout);
    } else {
      q.bind_null(3);
      q.bind_null(4);
    }
    q.step("thinning a run's timeline");
  });
}

void SqliteLedger::compact() {
  with_retry(path_, "compacting (VACUUM)",
             [&] { exec(db_, "VACUUM", path_, "compacting (VACUUM)"); });
}

std::vector<std::string> SqliteLedger::check_integrity() const {
  std::vector<std::string> problems;
  with_retry(path_, "checking integrity", [&] {
    problems.clear();
    Statement q(db_, "PRAGMA integrity_check(20)", path_);
    while (q.step("checking integrity")) {
      if (std::string line = q.text(0); line != "ok") problems.push_back(std::move(line));
    }
  });
  return problems;
}

}  // namespace

std::unique_ptr<LedgerBackend> open_sqlite_ledger(const std::string& path, bool read_only) {
  return std::make_unique<SqliteLedger>(path, read_only);
}

}  // namespace joule::record
