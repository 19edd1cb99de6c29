#pragma once
// The ledger: every run joule has measured. One interface, two stores:
//   - a SQLite file (WAL mode), the default, for one person on one machine;
//   - a PostgreSQL database (a postgresql:// URL), for a team on many machines.
//
// A run is inserted when it starts and rewritten at every checkpoint, so a
// kill -9, a power cut or an OOM loses at most the last checkpoint interval.
// A row still `running` whose owning process is gone (host + pid + boot id +
// process start time, see process_identity.hpp) reads back as `interrupted`,
// with the energy of its last checkpoint. Only the owner's own host can tell:
// a running row of another host stays running. Concurrent `joule run`s lose
// nothing on either store. A SQLite file that is not a database, or that a
// read finds damaged, is reported with its path and how to recover, and is
// never written to; `joule ledger check` runs the whole-file check.
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "record/ledger_backend.hpp"
#include "record/process_identity.hpp"
#include "record/run_record.hpp"

namespace joule::record {

class LedgerError : public std::runtime_error {
 public:
  enum class Kind {
    corrupt,       // not a database, or damaged: never written to
    newer_schema,  // another layout version than this joule's (newer, or unknown)
    unavailable,   // cannot open or write: read-only directory, disk full, server down
    missing,       // read-only open of a ledger that does not exist yet
    not_found,     // no run with that id
    ambiguous,     // an id prefix that matches several runs
    bad_location,  // a URL whose scheme joule does not know
    refused,       // the database refused us: wrong password, no such role or database
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

enum class TimeZone { utc, local };

// Turns a user's date into a bound comparable with started_at (UTC, ms):
// "2024-05-01" (whole day), "2024-05-01T12:30", "2024-05-01T12:30:00", each
// optionally followed by a zone ("Z", "+02:00", "-0500"). Without a zone the
// text is read in `zone` (the TZ rules for local). `end_of_range` makes a
// partial date cover its whole day/hour/minute. nullopt when malformed.
std::optional<std::string> date_bound(std::string_view text, bool end_of_range,
                                      TimeZone zone = TimeZone::utc);

// What `joule ledger prune` did.
struct PruneResult {
  std::size_t removed = 0;       // runs deleted
  std::size_t thinned = 0;       // runs whose timeline was downsampled
  std::size_t kept_running = 0;  // old runs left alone because they may still run
};

// What copying runs between ledgers did.
struct CopyResult {
  std::size_t copied = 0;   // new to the destination, or completed there
  std::size_t present = 0;  // already there as they are
};

class Ledger {
 public:
  enum class Mode { read_write, read_only };

  // $XDG_DATA_HOME/joule/ledger.sqlite, else ~/.local/share/joule/ledger.sqlite.
  static std::filesystem::path default_path();
  // The ledger every program of joule means: `given` (a --ledger option) when
  // not empty, else $JOULE_LEDGER when set and not empty, else `[ledger] url`
  // of the joule.toml found from the working directory (carbon/config_file.hpp),
  // else default_path(). A file path or a postgresql:// URL.
  static std::filesystem::path resolve_path(const std::filesystem::path& given);
  // True for a postgresql:// (or postgres://) URL.
  static bool is_url(std::string_view location);
  // The location as messages show it: a URL without its password.
  static std::string shown(const std::string& location);

  // Opens (read_write: creating the file and its directory, or the tables,
  // when absent) the ledger at `location`, a file path or a URL. Throws
  // LedgerError.
  explicit Ledger(std::filesystem::path location, Mode mode = Mode::read_write);
  ~Ledger();
  Ledger(Ledger&&) noexcept;
  Ledger& operator=(Ledger&&) noexcept;

  // The path, or the URL without its password.
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
  // The newest `count` matching runs, oldest of them first.
  std::vector<RunRecord> latest(std::size_t count, const LedgerFilter& filter = {},
                                std::vector<std::string>* warnings = nullptr) const;
  // Every matching run, oldest first, one at a time: memory does not grow
  // with the ledger. Returns how many were passed to `each`.
  std::size_t for_each(const LedgerFilter& filter,
                       const std::function<void(const RunRecord&)>& each,
                       std::vector<std::string>* warnings = nullptr) const;
  // Every matching run as its CSV line (csv_row() of csv_io.hpp), oldest
  // first, as for_each() passes them: a run that has ended gives the line
  // stored with it when that line is of this build's csv_layout_id(), so
  // most of an export parses no JSON; the others are read and formatted.
  // Returns how many lines were passed to `each_line`.
  std::size_t for_each_csv_line(const LedgerFilter& filter,
                                const std::function<void(std::string_view)>& each_line,
                                std::vector<std::string>* warnings = nullptr) const;
  // An exact id or a unique prefix of one. Throws LedgerError (not_found,
  // ambiguous) or RecordError.
  RunRecord get(std::string_view id_or_prefix) const;

  // The whole-store check: SQLite's PRAGMA integrity_check, then whether every
  // stored record reads back. Each problem found; none when sound.
  std::vector<std::string> check() const;

  // Deletes the runs started before `before` (a started_at bound, see
  // date_bound) or, with `keep_points`, keeps them with their timelines
  // thinned to at most that many points. Never touches a run that may still
  // be running. Then gives the space back (VACUUM).
  PruneResult prune(const std::string& before, std::optional<std::size_t> keep_points);

  // Copies every run of `source` that this ledger lacks (or has only as
  // running while the source has it finished), with its owner, so that a
  // second copy adds nothing.
  CopyResult copy_from(const Ledger& source);

 private:
  void write(const RunRecord& record, WriteMode how);
  RunRecord read_row(const FoundRow& row) const;

  std::filesystem::path path_;
  Mode mode_;
  std::unique_ptr<LedgerBackend> store_;
  ProcessIdentity self_;
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
