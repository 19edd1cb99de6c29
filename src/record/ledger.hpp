#pragma once
// The ledger: every run joule has measured, in one SQLite file (WAL mode).
//
// A run is inserted when it starts and rewritten at every checkpoint, so a
// kill -9, a power cut or an OOM loses at most the last checkpoint interval.
// A row still `running` whose owning process is gone (pid + boot id + process
// start time, see process_identity.hpp) reads back as `interrupted`, with the
// energy of its last checkpoint. Writers take the write lock up front (BEGIN
// IMMEDIATE) and retry while it is busy, so concurrent `joule run`s lose
// nothing. A file that is not a SQLite database, or fails PRAGMA quick_check,
// is reported with its path and how to recover, and is never written to.
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "record/process_identity.hpp"
#include "record/run_record.hpp"

namespace joule::record {

// The ledger's own table layout, in PRAGMA user_version.
inline constexpr int kLedgerSchemaVersion = 1;

class LedgerError : public std::runtime_error {
 public:
  enum class Kind {
    corrupt,       // not a database, or fails quick_check: never written to
    newer_schema,  // written by a newer joule
    unavailable,   // cannot open or write: read-only directory, disk full, permissions
    missing,       // read-only open of a ledger that does not exist yet
    not_found,     // no run with that id
    ambiguous,     // an id prefix that matches several runs
  };
  LedgerError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

struct LedgerFilter {
  // Each (key, value) must match; an empty value matches any value of the key.
  std::vector<std::pair<std::string, std::string>> tags;
  std::string command_contains;     // substring of the argv joined with spaces
  std::string since;                // inclusive lower bound on started_at (see date_bound)
  std::string until;                // inclusive upper bound on started_at
  std::optional<RunStatus> status;  // as reported, i.e. after interrupted detection
};

// Turns a user's date into a bound comparable with started_at:
// "2024-05-01" (whole day), "2024-05-01T12:30", "2024-05-01T12:30:00Z", or a full
// timestamp. `end_of_range` makes a partial date cover its whole day/minute.
// nullopt when malformed.
std::optional<std::string> date_bound(std::string_view text, bool end_of_range);

class Ledger {
 public:
  enum class Mode { read_write, read_only };

  // $XDG_DATA_HOME/joule/ledger.sqlite, else ~/.local/share/joule/ledger.sqlite.
  static std::filesystem::path default_path();
  // The ledger every program of joule means: `given` (a --ledger option) when
  // not empty, else $JOULE_LEDGER when set and not empty, else default_path().
  static std::filesystem::path resolve_path(const std::filesystem::path& given);

  // Opens (read_write: creating it and its directory when absent) and checks
  // the file. Throws LedgerError.
  explicit Ledger(std::filesystem::path path, Mode mode = Mode::read_write);
  ~Ledger();
  Ledger(Ledger&&) noexcept;
  Ledger& operator=(Ledger&&) noexcept;

  const std::filesystem::path& path() const { return path_; }

  // Inserts the run, owned by the calling process. Throws LedgerError.
  void begin_run(const RunRecord& record);
  // Rewrites a running run with the energy, timeline and duration so far (and
  // inserts it if begin_run never got through). Throws LedgerError.
  void checkpoint(const RunRecord& record);
  // Stores the final record and its status. Throws LedgerError.
  void finish_run(const RunRecord& record);

  // Oldest first. Rows that cannot be read (a newer major schema) are skipped
  // and explained in *warnings when given.
  std::vector<RunRecord> list(const LedgerFilter& filter = {},
                              std::vector<std::string>* warnings = nullptr) const;
  // An exact id or a unique prefix of one. Throws LedgerError (not_found,
  // ambiguous) or RecordError.
  RunRecord get(std::string_view id_or_prefix) const;

  // Runs PRAGMA quick_check; throws LedgerError(corrupt) on failure. The
  // constructor calls it; a caller holding a ledger open may check it again.
  void check() const;

 private:
  struct Db;
  void write(const RunRecord& record, std::string_view how);
  RunRecord read_row(void* statement) const;

  std::filesystem::path path_;
  Mode mode_;
  std::unique_ptr<Db> db_;
};

// What `joule run` uses: a ledger that never throws. Any failure (read-only
// directory, disk full, corrupt file, lock held too long) becomes a warning
// and the journal carries on without the ledger, so the run's JSON/CSV
// outputs and summary still appear. Writes after a failure retry once per call,
// so a transient failure (disk freed) recovers at the next checkpoint.
class RunJournal {
 public:
  explicit RunJournal(std::filesystem::path path);
  ~RunJournal();
  RunJournal(RunJournal&&) noexcept;

  void begin(const RunRecord& record);
  void checkpoint(const RunRecord& record);
  void finish(const RunRecord& record);

  // True while the ledger is open and the last write went through.
  bool healthy() const { return ledger_ != nullptr && last_ok_; }
  const std::filesystem::path& path() const { return path_; }
  // Warnings since the last call, each once, for the record and the summary.
  std::vector<std::string> take_warnings();

 private:
  void attempt(const RunRecord& record, void (Ledger::*op)(const RunRecord&));
  void warn(std::string message);

  std::filesystem::path path_;
  std::unique_ptr<Ledger> ledger_;
  bool last_ok_ = false;
  bool corrupt_ = false;
  std::vector<std::string> pending_;
  std::vector<std::string> seen_;
};

}  // namespace joule::record
