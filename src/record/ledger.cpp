#include "record/ledger.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>

#include "record/json_io.hpp"
#include "support/iso8601.hpp"

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
  if (is_corruption(rc)) throw_corrupt(path, detail);
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
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_started_at ON runs(started_at);
CREATE INDEX IF NOT EXISTS runs_status ON runs(status);
CREATE INDEX IF NOT EXISTS runs_command ON runs(command);
CREATE TABLE IF NOT EXISTS run_tags (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
);
CREATE INDEX IF NOT EXISTS run_tags_key_value ON run_tags(key, value);
)sql";

constexpr const char* kSelectColumns =
    "SELECT record, status, owner_pid, owner_boot_id, owner_start_ticks, checkpoint_at, id "
    "FROM runs";

bool has_sqlite_header(const std::filesystem::path& path, std::uintmax_t size) {
  static constexpr char kMagic[16] = {'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f',
                                      'o', 'r', 'm', 'a', 't', ' ', '3', '\0'};
  if (size < sizeof kMagic) return false;
  std::ifstream in(path, std::ios::binary);
  char header[sizeof kMagic] = {};
  in.read(header, sizeof header);
  return in.gcount() == static_cast<std::streamsize>(sizeof header) &&
         std::equal(std::begin(header), std::end(header), std::begin(kMagic));
}

}  // namespace

struct Ledger::Db {
  sqlite3* handle = nullptr;
  bool has_schema = false;
  ~Db() {
    if (handle) sqlite3_close_v2(handle);
  }
};

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
  if (const char* env = std::getenv("JOULE_LEDGER"); env != nullptr && *env != '\0') return env;
  return default_path();
}

Ledger::Ledger(std::filesystem::path path, Mode mode)
    : path_(std::move(path)), mode_(mode), db_(std::make_unique<Db>()) {
  std::error_code ec;
  auto status = std::filesystem::status(path_, ec);
  if (std::filesystem::exists(status)) {
    if (std::filesystem::is_directory(status)) {
      throw LedgerError(Kind::unavailable,
                        fmt::format("ledger {} is a directory; give a file path", path_.string()));
    }
    // Check the magic ourselves before SQLite sees the file: a garbage file
    // must never be touched, let alone initialised over.
    auto size = std::filesystem::file_size(path_, ec);
    if (!ec && size > 0 && !has_sqlite_header(path_, size)) {
      throw_corrupt(path_, "the file does not start with the SQLite header");
    }
  } else if (mode_ == Mode::read_only) {
    throw LedgerError(
        Kind::missing,
        fmt::format("no ledger at {} yet (no run has been recorded there)", path_.string()));
  } else if (path_.has_parent_path()) {
    std::filesystem::create_directories(path_.parent_path(), ec);
    if (ec) {
      throw LedgerError(Kind::unavailable,
                        fmt::format("cannot create the ledger's directory {}: {}",
                                    path_.parent_path().string(), ec.message()));
    }
  }

  int flags = (mode_ == Mode::read_only ? SQLITE_OPEN_READONLY
                                        : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
              SQLITE_OPEN_FULLMUTEX;
  int rc = sqlite3_open_v2(path_.c_str(), &db_->handle, flags, nullptr);
  if (rc != SQLITE_OK) throw_sqlite(db_->handle, rc, path_, "opening");
  sqlite3_extended_result_codes(db_->handle, 1);
  sqlite3_busy_timeout(db_->handle, 5000);
  sqlite3* db = db_->handle;

  // The whole-file check reads every page: proportionate for the commands
  // that read the ledger, not for each `joule run` (tens of milliseconds at
  // a few thousand runs). A writer relies on SQLite's checks of the pages it
  // touches: a damaged one fails the write as SQLITE_CORRUPT, which is
  // reported the same way, and the file is left as it was.
  if (mode_ == Mode::read_only) check();

  if (mode_ == Mode::read_write) {
    with_retry(path_, "switching to WAL mode", [&] {
      Statement wal(db, "PRAGMA journal_mode=WAL", path_);
      wal.step("switching to WAL mode");
    });
    // NORMAL is durable against a crash of joule in WAL mode; a power cut may
    // lose the last transaction, which the checkpoint interval bounds anyway.
    exec(db, "PRAGMA synchronous=NORMAL", path_, "configuring");
  }
  exec(db, "PRAGMA foreign_keys=ON", path_, "configuring");

  auto read_version = [&] {
    Statement v(db, "PRAGMA user_version", path_);
    v.step("reading the schema version");
    return static_cast<int>(v.integer(0));
  };
  int version = with_retry(path_, "reading the schema version", read_version);
  if (version > kLedgerSchemaVersion) {
    throw LedgerError(Kind::newer_schema,
                      fmt::format("ledger {} has layout version {}, newer than this joule "
                                  "understands ({}); upgrade joule to read it",
                                  path_.string(), version, kLedgerSchemaVersion));
  }
  if (version == 0 && mode_ == Mode::read_write) {
    with_retry(path_, "creating the ledger", [&] {
      exec(db, "BEGIN IMMEDIATE", path_, "creating the ledger");
      try {
        // Another process may have created it between our read and our lock.
        if (read_version() == 0) {
          exec(db, kCreateSchema, path_, "creating the ledger");
          exec(db, fmt::format("PRAGMA user_version={}", kLedgerSchemaVersion).c_str(), path_,
               "creating the ledger");
        }
        exec(db, "COMMIT", path_, "creating the ledger");
      } catch (...) {
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
    });
    version = kLedgerSchemaVersion;
  }
  db_->has_schema = version > 0;
}

Ledger::~Ledger() = default;
Ledger::Ledger(Ledger&&) noexcept = default;
Ledger& Ledger::operator=(Ledger&&) noexcept = default;

void Ledger::check() const {
  with_retry(path_, "checking integrity", [&] {
    Statement q(db_->handle, "PRAGMA quick_check", path_);
    std::string problems;
    while (q.step("checking integrity")) {
      std::string line = q.text(0);
      if (line == "ok") continue;
      if (!problems.empty()) problems += "; ";
      problems += line;
      if (problems.size() > 300) break;
    }
    if (!problems.empty()) throw_corrupt(path_, "PRAGMA quick_check: " + problems);
  });
}

void Ledger::write(const RunRecord& r, std::string_view how) {
  if (mode_ == Mode::read_only) {
    throw LedgerError(Kind::unavailable,
                      fmt::format("ledger {} was opened read-only", path_.string()));
  }
  if (r.id.empty()) throw LedgerError(Kind::unavailable, "a run record needs an id to be stored");
  const bool is_checkpoint = how == "checkpoint";
  RunRecord stored = r;
  if (is_checkpoint || how == "begin") stored.status = RunStatus::running;
  if (how == "finish" && stored.status == RunStatus::running) stored.status = RunStatus::finished;
  const std::string json = to_json(stored).dump();
  const std::string now = iso8601_utc(std::chrono::system_clock::now());
  // Taken per write, not per open, so a forked writer records itself.
  const ProcessIdentity owner = current_process_identity();
  const std::string doing = fmt::format("storing run {} ({})", r.id, how);
  sqlite3* db = db_->handle;

  // A late checkpoint must never turn a finished run back into a running one.
  const std::string sql = fmt::format(
      "INSERT INTO runs (id, started_at, ended_at, status, command, cwd, duration_s, "
      "machine_energy_j, attributed_energy_j, co2e_g, owner_pid, owner_boot_id, "
      "owner_start_ticks, checkpoint_at, record) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
      "?11, ?12, ?13, ?14, ?15) ON CONFLICT(id) DO UPDATE SET started_at=excluded.started_at, "
      "ended_at=excluded.ended_at, status=excluded.status, command=excluded.command, "
      "cwd=excluded.cwd, duration_s=excluded.duration_s, "
      "machine_energy_j=excluded.machine_energy_j, "
      "attributed_energy_j=excluded.attributed_energy_j, co2e_g=excluded.co2e_g, "
      "owner_pid=excluded.owner_pid, owner_boot_id=excluded.owner_boot_id, "
      "owner_start_ticks=excluded.owner_start_ticks, checkpoint_at=excluded.checkpoint_at, "
      "record=excluded.record{}",
      is_checkpoint ? " WHERE runs.status = 'running'" : "");

  with_retry(path_, doing, [&] {
    exec(db, "BEGIN IMMEDIATE", path_, doing);
    try {
      Statement insert(db, sql.c_str(), path_);
      insert.bind(1, stored.id);
      insert.bind(2, stored.started_at);
      insert.bind(3, stored.ended_at);
      insert.bind(4, to_string(stored.status));
      insert.bind(5, joined_command(stored));
      insert.bind(6, stored.cwd);
      insert.bind(7, stored.duration_s);
      insert.bind(8, stored.totals.machine_energy_j);
      insert.bind(9, stored.totals.attributed_energy_j);
      if (stored.carbon) {
        insert.bind(10, stored.carbon->total_co2e_g.central);
      } else {
        insert.bind_null(10);
      }
      insert.bind(11, owner.pid);
      insert.bind(12, owner.boot_id);
      insert.bind(13, static_cast<std::int64_t>(owner.start_ticks));
      insert.bind(14, now);
      insert.bind(15, json);
      insert.step(doing);
      if (!is_checkpoint) {
        Statement clear(db, "DELETE FROM run_tags WHERE run_id = ?1", path_);
        clear.bind(1, stored.id);
        clear.step(doing);
        for (const auto& [key, value] : stored.tags) {
          Statement tag(db, "INSERT INTO run_tags (run_id, key, value) VALUES (?1, ?2, ?3)", path_);
          tag.bind(1, stored.id);
          tag.bind(2, key);
          tag.bind(3, value);
          tag.step(doing);
        }
      }
      exec(db, "COMMIT", path_, doing);
    } catch (...) {
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  });
}

void Ledger::begin_run(const RunRecord& record) {
  write(record, "begin");
}
void Ledger::checkpoint(const RunRecord& record) {
  write(record, "checkpoint");
}
void Ledger::finish_run(const RunRecord& record) {
  write(record, "finish");
}

RunRecord Ledger::read_row(void* statement) const {
  auto* stmt = static_cast<sqlite3_stmt*>(statement);
  auto text = [&](int col) {
    auto* p = sqlite3_column_text(stmt, col);
    return std::string(p ? reinterpret_cast<const char*>(p) : "");
  };
  const std::string id = text(6);
  RunRecord r = parse_json_text(text(0), fmt::format("ledger {}, run {}", path_.string(), id));
  if (text(1) == "running") {
    ProcessIdentity owner{sqlite3_column_int64(stmt, 2), text(3),
                          static_cast<std::uint64_t>(sqlite3_column_int64(stmt, 4))};
    if (!process_alive(owner)) {
      r.status = RunStatus::interrupted;
      r.ended_at = text(5);
      r.warnings.push_back(fmt::format(
          "interrupted: joule (pid {}) stopped before the run finished; figures are those of "
          "its last checkpoint at {}",
          owner.pid, r.ended_at));
    }
  }
  return r;
}

std::vector<RunRecord> Ledger::list(const LedgerFilter& filter,
                                    std::vector<std::string>* warnings) const {
  std::vector<RunRecord> out;
  if (!db_->has_schema) return out;
  std::string sql = kSelectColumns;
  std::vector<std::string> where;
  std::vector<std::string> params;
  auto param = [&](std::string value) {
    params.push_back(std::move(value));
    return fmt::format("?{}", params.size());
  };
  for (const auto& [key, value] : filter.tags) {
    if (value.empty()) {
      where.push_back(fmt::format(
          "EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = runs.id AND t.key = {})", param(key)));
    } else {
      auto k = param(key);
      where.push_back(fmt::format(
          "EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = runs.id AND t.key = {} AND t.value = "
          "{})",
          k, param(value)));
    }
  }
  if (!filter.command_contains.empty()) {
    where.push_back(fmt::format("instr(command, {}) > 0", param(filter.command_contains)));
  }
  if (!filter.since.empty()) where.push_back(fmt::format("started_at >= {}", param(filter.since)));
  if (!filter.until.empty()) where.push_back(fmt::format("started_at <= {}", param(filter.until)));
  if (filter.status) {
    // Interrupted runs are stored as running; which they are is decided on read.
    auto stored = *filter.status == RunStatus::interrupted ? RunStatus::running : *filter.status;
    where.push_back(fmt::format("status = {}", param(std::string(to_string(stored)))));
  }
  for (std::size_t i = 0; i < where.size(); ++i) sql += (i ? " AND " : " WHERE ") + where[i];
  sql += " ORDER BY started_at, id";

  with_retry(path_, "listing runs", [&] {
    out.clear();
    Statement q(db_->handle, sql.c_str(), path_);
    for (std::size_t i = 0; i < params.size(); ++i) q.bind(static_cast<int>(i + 1), params[i]);
    while (q.step("listing runs")) {
      try {
        RunRecord r = read_row(q.get());
        if (filter.status && r.status != *filter.status) continue;
        out.push_back(std::move(r));
      } catch (const RecordError& e) {
        if (warnings) warnings->push_back(fmt::format("skipped: {}", e.what()));
      }
    }
  });
  return out;
}

RunRecord Ledger::get(std::string_view id_or_prefix) const {
  if (!db_->has_schema || id_or_prefix.empty()) {
    throw LedgerError(Kind::not_found,
                      fmt::format("no run {} in ledger {}", id_or_prefix, path_.string()));
  }
  return with_retry(path_, "reading a run", [&]() -> RunRecord {
    {
      Statement exact(db_->handle, fmt::format("{} WHERE id = ?1", kSelectColumns).c_str(), path_);
      exact.bind(1, id_or_prefix);
      if (exact.step("reading a run")) return read_row(exact.get());
    }
    Statement q(
        db_->handle,
        fmt::format("{} WHERE substr(id, 1, length(?1)) = ?1 ORDER BY id LIMIT 5", kSelectColumns)
            .c_str(),
        path_);
    q.bind(1, id_or_prefix);
    std::vector<std::string> ids;
    std::optional<RunRecord> found;
    while (q.step("reading a run")) {
      ids.push_back(q.text(6));
      if (!found) found = read_row(q.get());
    }
    if (ids.empty()) {
      throw LedgerError(Kind::not_found,
                        fmt::format("no run {} in ledger {}", id_or_prefix, path_.string()));
    }
    if (ids.size() > 1) {
      std::string list;
      for (const auto& id : ids) list += (list.empty() ? "" : ", ") + id;
      throw LedgerError(Kind::ambiguous,
                        fmt::format("run id prefix {} matches several runs ({}{}); give more of it",
                                    id_or_prefix, list, ids.size() >= 5 ? ", ..." : ""));
    }
    return *found;
  });
}

std::optional<std::string> date_bound(std::string_view text, bool end_of_range) {
  std::string s(text);
  if (s.size() > 10 && s[10] == ' ') s[10] = 'T';
  if (!s.empty() && s.back() == 'Z') s.pop_back();
  std::string bound;
  switch (s.size()) {
    case 10:
      bound = s + (end_of_range ? "T23:59:59.999Z" : "T00:00:00.000Z");
      break;
    case 13:
      bound = s + (end_of_range ? ":59:59.999Z" : ":00:00.000Z");
      break;
    case 16:
      bound = s + (end_of_range ? ":59.999Z" : ":00.000Z");
      break;
    case 19:
      bound = s + (end_of_range ? ".999Z" : ".000Z");
      break;
    case 23:
      bound = s + "Z";
      break;
    default:
      return std::nullopt;
  }
  if (!support::parse_iso8601(bound)) return std::nullopt;
  return bound;
}

// RunJournal

RunJournal::RunJournal(std::filesystem::path path) : path_(std::move(path)) {
  try {
    ledger_ = std::make_unique<Ledger>(path_);
    last_ok_ = true;
  } catch (const LedgerError& e) {
    corrupt_ =
        e.kind() == LedgerError::Kind::corrupt || e.kind() == LedgerError::Kind::newer_schema;
    warn(fmt::format("ledger not written: {}", e.what()));
  } catch (const std::exception& e) {
    warn(fmt::format("ledger {} not written: {}", path_.string(), e.what()));
  }
}

RunJournal::~RunJournal() = default;
RunJournal::RunJournal(RunJournal&&) noexcept = default;

void RunJournal::warn(std::string message) {
  for (const auto& seen : seen_) {
    if (seen == message) return;
  }
  seen_.push_back(message);
  pending_.push_back(std::move(message));
}

void RunJournal::attempt(const RunRecord& record, void (Ledger::*op)(const RunRecord&)) {
  if (!ledger_) {
    // A corrupt file stays untouched; anything else (a directory created
    // since, a remount) gets another chance.
    if (corrupt_) return;
    try {
      ledger_ = std::make_unique<Ledger>(path_);
    } catch (const LedgerError& e) {
      corrupt_ =
          e.kind() == LedgerError::Kind::corrupt || e.kind() == LedgerError::Kind::newer_schema;
      warn(fmt::format("ledger not written: {}", e.what()));
      last_ok_ = false;
      return;
    } catch (const std::exception& e) {
      warn(fmt::format("ledger {} not written: {}", path_.string(), e.what()));
      last_ok_ = false;
      return;
    }
  }
  try {
    ((*ledger_).*op)(record);
    last_ok_ = true;
  } catch (const LedgerError& e) {
    warn(fmt::format("ledger not written: {}", e.what()));
    last_ok_ = false;
  } catch (const std::exception& e) {
    warn(fmt::format("ledger {} not written: {}", path_.string(), e.what()));
    last_ok_ = false;
  }
}

void RunJournal::begin(const RunRecord& record) {
  attempt(record, &Ledger::begin_run);
}
void RunJournal::checkpoint(const RunRecord& record) {
  attempt(record, &Ledger::checkpoint);
}
void RunJournal::finish(const RunRecord& record) {
  attempt(record, &Ledger::finish_run);
}

std::vector<std::string> RunJournal::take_warnings() {
  std::vector<std::string> out;
  out.swap(pending_);
  return out;
}

}  // namespace joule::record
