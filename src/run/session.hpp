#pragma once
// What is measured while a command runs: at each tick, the machine's energy
// since the last tick is split between the command and everything else
// (CPU-time share for CPU domains, the driver's per-process share for GPUs);
// control messages open and close phases and count functional units.
#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "joule/meter.hpp"
#include "joule/units.hpp"
#include "record/run_record.hpp"
#include "run/attribution.hpp"
#include "run/cgroup.hpp"
#include "run/control_channel.hpp"
#include "run/prediction.hpp"
#include "run/process_tree.hpp"
#include "run/rank_split.hpp"

namespace joule::run {

struct SessionOptions {
  std::string unit = "run";  // the unit a `units N` message without a name counts
  int predict_phases = 0;    // expected phases; 0 = no prediction
  int predict_after = 2;
  std::string nvml_library;  // where GPU per-process shares are read, when there are GPUs
};

class RunSession {
 public:
  // `cgroup` may be null: the command's process tree is followed instead.
  RunSession(SessionOptions options, Meter& meter, pid_t root, std::unique_ptr<RunCgroup> cgroup,
             const Snapshot& start);

  // A descendant was reaped with this much CPU time (its rusage).
  void on_reaped(pid_t pid, Seconds cpu) { tree_.add_reaped(pid, cpu); }

  // One attribution interval: from the last tick to now.
  void tick();

  // A phase boundary, a units count, or a rank's hello or bye from the
  // control channel. Each rank (and the unranked sender) has its own current
  // phase, so ranks' phases run side by side.
  void handle(const ControlEvent& event, record::RunRecord& record);

  // Closes every open phase at the last tick's snapshot.
  void end_phase(record::RunRecord& record, MonotonicTime at);

  // At the command's end: a rank that said hello but no bye died (or was
  // killed), and the record says so.
  void note_ranks_at_end(record::RunRecord& record) const;

  // Fills the record with everything so far (a checkpoint or the end).
  void fill(record::RunRecord& record, const std::optional<record::IdleBaseline>& idle);

  // A rank named a job other than the run's: the run fails (see
  // kConflictingJobsStatus) and the record's exit.error says why.
  bool job_conflict() const { return job_conflict_; }

  Joules machine_so_far() const { return meter_.measure(start_, last_).total; }
  Joules attributed_so_far() const { return attribution_.attributed_total(); }
  Watts power_now() const { return power_now_; }
  Seconds elapsed() const { return seconds_between(start_.at, last_.at); }
  std::vector<Prediction> take_predictions() { return std::exchange(predictions_, {}); }
  RunCgroup* cgroup() { return cgroup_.get(); }

 private:
  struct OpenPhase {
    std::string name;
    Snapshot snapshot;
    MonotonicTime received;
    Joules attributed;
  };

  Seconds command_cpu();
  std::vector<GpuShare> gpu_shares();
  void count_units(const ControlMessage& message, record::RunRecord& record) const;
  void end_phase_of(std::optional<int> rank, record::RunRecord& record, MonotonicTime at);
  void greet(const ControlMessage& message, record::RunRecord& record);
  void fill_ranks(record::RunRecord& record) const;

  SessionOptions options_;
  Meter& meter_;
  std::unique_ptr<RunCgroup> cgroup_;
  ProcessTree tree_;
  Snapshot start_;
  Snapshot last_;
  AttributionAccumulator attribution_;
  std::unique_ptr<GpuShareSource> gpu_source_;
  Seconds command_last_;
  Seconds busy_last_;
  Watts power_now_;
  RankSplit rank_split_;
  std::map<std::optional<int>, OpenPhase> phases_;  // by rank; nullopt: no rank given
  Predictor predictor_;
  std::vector<Prediction> predictions_;
  bool job_conflict_ = false;
};

}  // namespace joule::run
