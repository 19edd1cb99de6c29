#pragma once
// A command run from start to end: the meter, the optional idle baseline, the
// command spawned into its own cgroup (or followed as a process tree), the
// tick that attributes energy to it, phases and units from the control
// channel, ledger checkpoints while it lives, and the finished record with
// its carbon. `joule run` is this plus option parsing and printing.
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "joule/carbon.hpp"
#include "joule/units.hpp"
#include "record/run_record.hpp"
#include "run/prediction.hpp"

namespace joule::run {

struct RunSettings {
  std::vector<std::string> command;
  // Meter sampling interval; nullopt: 1 s for energy counters, 100 ms for
  // power readings, which must be integrated.
  std::optional<std::chrono::nanoseconds> interval;
  std::chrono::nanoseconds checkpoint = std::chrono::seconds(5);
  std::chrono::nanoseconds idle{0};  // idle baseline before the command; 0 = none
  std::map<std::string, std::string> tags;
  std::string job_id;  // --job, else TORCHELASTIC_RUN_ID or SLURM_JOB_ID; may be empty
  std::string unit = "run";
  int predict_phases = 0;
  int predict_after = 2;
  carbon::ContextOptions place;
  // The hardware of M as stated (--embodied, --gpu, ...); what is not stated
  // is detected (run/hardware.hpp).
  carbon::HardwareOptions hardware;
  std::optional<std::filesystem::path> ledger;  // nullopt: not recorded
};

// What a run tells the person watching it while it goes on.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void warning(const std::string& /*text*/) {}
  virtual void cannot_start(const std::string& /*error*/) {}
  // At every tick while the command runs.
  virtual void progress(Seconds /*elapsed*/, Watts /*power_now*/, Joules /*machine*/,
                        Joules /*attributed*/) {}
  virtual void command_ended() {}
  virtual void prediction(const Prediction& /*prediction*/,
                          const std::optional<carbon::ResolvedContext>& /*place*/) {}
};

// joule's exit status when the command succeeded but its ranks named
// different jobs (sysexits.h EX_DATAERR): the record cannot be filed under
// one job, and a script must not take the run as good. A command that failed
// keeps its own status.
inline constexpr int kConflictingJobsStatus = 65;

struct RunOutcome {
  // nullopt when a signal stopped joule during the idle baseline, before
  // there was a command or a record.
  std::optional<record::RunRecord> record;
  int shell_status = 0;  // the command's, as a shell reports it, or kConflictingJobsStatus
};

// Runs the command to its end. Throws only before the command starts (no
// sensors, bad settings); afterwards every problem is a warning in the record.
RunOutcome run_command(const RunSettings& settings, RunObserver& observer);

}  // namespace joule::run
