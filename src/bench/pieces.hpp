#pragma once
// A benchmark as resumable pieces. DIR/bench.json (the manifest) says what the
// benchmark is: joule version, mode, tasks, models, seeds and run order. Each
// finished (task, model, seed) is one file, DIR/pieces/<task>/<model>-seed<N>.json,
// written atomically the moment it ends, so that a kill loses at most the
// piece in progress. `joule bench --resume DIR` runs the pieces without a
// file, `--only` selects pieces, and `--merge` joins the pieces of several
// directories (of one machine or several).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bench/plan.hpp"
#include "bench/report.hpp"
#include "bench/results.hpp"

namespace joule::bench {

// A directory that cannot be resumed or merged, or a damaged manifest or
// piece: what() names the directory or file and the reason.
class PiecesError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BenchManifest {
  int format_version = kResultsFormatVersion;
  std::string joule_version;
  std::string mode;                 // "quick" or "full"
  std::vector<std::string> tasks;   // in report order
  std::vector<std::string> models;  // --models as given; empty: every model
  int seeds = 0;
  std::uint64_t order_seed = 0;
  int threads = 0;
  bool variants = true;
  std::vector<double> tiers;             // --tiers; empty: the tasks' own
  MeasurementSetup provenance;           // of the run that started the directory
  std::vector<std::string> merged_from;  // the directories a --merge joined
};

// DIR/bench.json, atomically.
void write_manifest(const std::filesystem::path& dir, const BenchManifest& manifest);
// Throws PiecesError: no manifest (not a joule bench directory of this
// format), unreadable JSON, or a missing or mistyped key.
BenchManifest read_manifest(const std::filesystem::path& dir);

// What `joule bench --resume DIR` was also told, to be checked against the
// directory's manifest; nullopt: not given, the manifest's stands.
struct ResumeRequest {
  std::string joule_version;  // this program's
  std::optional<std::string> mode;
  std::optional<std::vector<std::string>> tasks;
  std::optional<std::vector<std::string>> models;
  std::optional<int> seeds;
  std::vector<std::string> known_tasks;  // this program's registered tasks
};

// Throws PiecesError naming `dir` and the reason when its benchmark cannot be
// continued as asked: another joule version (its pieces were measured with
// other code), another mode, task set, model list or seed count, or a task
// this joule does not know.
void check_resumable(const std::filesystem::path& dir, const BenchManifest& recorded,
                     const ResumeRequest& asked);

// DIR/pieces/<task>/<model>-seed<N>.json
std::filesystem::path piece_file(const std::filesystem::path& dir, const std::string& task,
                                 const std::string& model, std::uint64_t seed);
// The run as one piece, atomically: a reader sees no file or the whole one.
void write_piece(const std::filesystem::path& dir, const RunResult& run);
// Every finished piece under DIR/pieces, by task, model and seed. Throws
// PiecesError naming a damaged file. Temporary files of an interrupted write
// are not pieces and are ignored.
std::vector<RunResult> read_pieces(const std::filesystem::path& dir);

// One --only item: "cnn", "cnn/2", "austen-chars:lstm/1".
struct OnlySelector {
  std::string task;  // empty: every selected task that has the model
  std::string model;
  std::optional<std::uint64_t> seed;  // nullopt: every seed
};

// Items of repeated --only options, each possibly a comma list. Throws
// std::invalid_argument naming the item: an unknown task, a model that no task
// of `tasks` has (with the known ones), or a seed outside 1..seeds.
std::vector<OnlySelector> parse_only(const std::vector<std::string>& items,
                                     const std::vector<std::string>& tasks,
                                     const std::vector<ModelInfo>& registry, int seeds);

// Whether the piece is selected; an empty list selects every piece.
bool selected(const std::vector<OnlySelector>& only, const std::string& task,
              const std::string& model, std::uint64_t seed);

// The runs of `plan` (one task's, in order) that still have to run: those
// `only` selects and that have no piece among `finished`. When that leaves
// work and the task's `baselines` (which set its tiers) have no finished
// piece and none left to run, the first planned run of each baseline is put
// first, so that every piece trains against the same tiers.
std::vector<PlannedRun> pending_runs(const std::string& task, const std::vector<PlannedRun>& plan,
                                     const std::vector<RunResult>& finished,
                                     const std::vector<OnlySelector>& only,
                                     const std::vector<std::string>& baselines);

// The machines of `runs` (RunResult::machine), in order of first appearance.
std::vector<std::string> machines_of(const std::vector<RunResult>& runs);

// The pieces of several directories, for `joule bench --merge`.
struct MergedPieces {
  BenchManifest manifest;  // the first directory's, with every task, the most seeds, merged_from
  std::vector<RunResult> runs;
  std::vector<std::filesystem::path> record_files;  // records/*.json of every directory
  std::vector<std::string> notes;                   // duplicates left out
};

// Throws PiecesError naming the directory and the reason: not a joule bench
// directory, another joule version or mode than the first directory, or
// other --tiers. A (task, model, seed) found twice keeps the first
// directory's piece, with a note.
MergedPieces merge_directories(const std::vector<std::filesystem::path>& dirs);

}  // namespace joule::bench
