#include "run/command_run.hpp"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "joule/meter.hpp"
#include "record/footprint.hpp"
#include "record/ledger.hpp"
#include "record/run_metadata.hpp"
#include "run/cgroup.hpp"
#include "run/control_channel.hpp"
#include "run/hardware.hpp"
#include "run/idle_baseline.hpp"
#include "run/record_fill.hpp"
#include "run/session.hpp"
#include "run/supervisor.hpp"

namespace joule::run {
namespace {

using Nanos = std::chrono::nanoseconds;

bool any_phase(const std::vector<ControlEvent>& events) {
  return std::any_of(events.begin(), events.end(), [](const ControlEvent& e) {
    return e.message.kind == ControlMessage::Kind::phase ||
           e.message.kind == ControlMessage::Kind::end_phase;
  });
}

// The steps of one run, in the order they happen; the state they share.
class CommandRun {
 public:
  CommandRun(const RunSettings& settings, RunObserver& observer)
      : settings_(settings), observer_(observer) {}

  RunOutcome execute();

 private:
  void discover_meter();
  IdleWait wait_for_signals();
  void start_record();
  void open_control_channel();
  void create_cgroup();
  Spawned spawn_command();
  void describe_place_and_host();
  void open_journal();
  void collect_journal_warnings();
  RunOutcome failed_to_start(const Spawned& child);
  void note_cgroup(const Spawned& child);
  void supervise(RunSession& session);
  void drain_control(RunSession& session, bool last);
  void report_predictions(RunSession& session);
  void finish(RunSession& session, const RootExit& exit);
  void complete_record(RunSession& session);
  void abandon(RunSession& session);
  void fill_carbon();

  const RunSettings& settings_;
  RunObserver& observer_;
  Supervisor supervisor_;  // before any thread: it blocks the signals it forwards
  SensorConfig config_;
  std::unique_ptr<Meter> meter_;
  Nanos tick_period_{};
  std::optional<record::IdleBaseline> idle_;
  record::RunRecord record_;
  std::unique_ptr<ControlServer> control_;
  std::vector<std::string> control_errors_;
  std::unique_ptr<RunCgroup> cgroup_;
  bool want_cgroup_ = true;
  std::string cgroup_reason_ = "disabled by JOULE_CGROUP=off";
  std::optional<carbon::ResolvedContext> place_;
  std::optional<carbon::DetectedHardware> hardware_;
  std::unique_ptr<record::RunJournal> journal_;
};

RunOutcome CommandRun::execute() {
  want_cgroup_ = cgroup_wanted(std::getenv("JOULE_CGROUP"));
  discover_meter();
  if (settings_.idle > Nanos{}) {
    idle_ = measure_idle(*meter_, settings_.idle, wait_for_signals(), "measured before the run");
    if (!idle_) return {std::nullopt, 128 + *supervisor_.early_signal()};
  }
  start_record();
  open_control_channel();
  create_cgroup();
  const Snapshot start = meter_->snapshot();
  Spawned child = spawn_command();
  // After the exec: nothing from here on delays the command's start.
  describe_place_and_host();
  open_journal();
  if (child.pid < 0) return failed_to_start(child);
  note_cgroup(child);
  if (journal_) journal_->begin(record_);
  collect_journal_warnings();

  SessionOptions session_options{settings_.unit, settings_.predict_phases, settings_.predict_after,
                                 config_.nvml_library};
  RunSession session(session_options, *meter_, child.pid, std::move(cgroup_), start);
  supervise(session);
  if (!supervisor_.root_exit()) {
    abandon(session);
    return {std::move(record_), 128 + SIGINT};
  }
  finish(session, *supervisor_.root_exit());
  int status = supervisor_.root_exit()->shell_status();
  if (session.job_conflict() && status == 0) status = kConflictingJobsStatus;
  return {std::move(record_), status};
}

// Counters lose nothing between reads, so unless told otherwise the meter
// reads them once a second, as the tick does; power readings are integrated
// at 100 ms. Each read costs a wake-up and, modelled, /proc/stat. A sampler
// thread is needed only to read more often than the tick, or during the idle
// baseline, when nothing else reads the meter.
void CommandRun::discover_meter() {
  config_ = SensorConfig::from_environment();
  MeterOptions options;
  options.interval = settings_.interval.value_or(std::chrono::milliseconds(100));
  if (!settings_.interval) options.counter_interval = std::chrono::seconds(1);
  options.start_sampler = false;
  meter_ = Meter::discover(config_, options);
  tick_period_ = std::min<Nanos>(std::chrono::seconds(1), settings_.checkpoint);
  if (meter_->interval() < tick_period_ || settings_.idle > Nanos{}) meter_->start_sampler();
}

// During the idle baseline there is no command yet: a signal stops joule
// (Supervisor::early_signal says which).
IdleWait CommandRun::wait_for_signals() {
  return [this](std::chrono::milliseconds left) {
    pollfd fd{supervisor_.signal_fd(), POLLIN, 0};
    ::poll(&fd, 1, static_cast<int>(left.count()));
    supervisor_.handle_signals([](pid_t, Seconds) {});
    return !supervisor_.early_signal();
  };
}

void CommandRun::start_record() {
  record_ = begin_record(settings_.command);
  record_.tags = settings_.tags;
  record_.job_id = settings_.job_id;
  record_.sample_interval_s = std::chrono::duration<double>(meter_->interval()).count();
  record_.attribution.method = "CPU-time share";
}

void CommandRun::open_control_channel() {
  try {
    control_ = ControlServer::create();
  } catch (const std::exception& e) {
    record_.warnings.push_back(fmt::format("no control channel (phases and units): {}", e.what()));
  }
}

void CommandRun::create_cgroup() {
  if (!want_cgroup_) return;
  auto created = RunCgroup::create(::getpid());
  cgroup_ = std::move(created.cgroup);
  cgroup_reason_ = created.reason;
}

Spawned CommandRun::spawn_command() {
  ChildSpec spec;
  spec.argv = settings_.command;
  if (control_) {
    spec.environment.push_back(
        fmt::format("{}={}", kControlEnvironmentVariable, control_->path().string()));
  }
  spec.environment.push_back("JOULE_RUN_ID=" + record_.id);
  if (cgroup_) spec.cgroup_procs = cgroup_->procs_file().string();
  return supervisor_.spawn(spec);
}

// A place joule cannot resolve, or a broken data file, must not lose the
// measurement: the run goes on without carbon and says why (the energy can be
// turned into carbon later with `joule carbon`). Resolving waits until the
// command has started: parsing the tables would delay its exec.
void CommandRun::describe_place_and_host() {
  try {
    place_ = carbon::resolve_context(settings_.place);
  } catch (const std::exception& e) {
    std::string problem = fmt::format("no carbon figures: {}", e.what());
    observer_.warning(problem);
    record_.warnings.push_back(problem);
  }
  record_.host = record::read_host_info();
  auto hardware = detect_hardware({config_.proc_root, config_.sysfs_root, config_.nvml_library});
  if (!hardware.read_from.empty()) hardware_ = std::move(hardware);
  std::error_code cwd_error;
  record_.cwd = std::filesystem::current_path(cwd_error).string();
  record_.git = record::read_git_info(record_.cwd);
}

void CommandRun::open_journal() {
  if (settings_.ledger) journal_ = std::make_unique<record::RunJournal>(*settings_.ledger);
}

void CommandRun::collect_journal_warnings() {
  if (!journal_) return;
  for (auto& w : journal_->take_warnings()) {
    observer_.warning(w);
    add_once(record_.warnings, w);
  }
}

RunOutcome CommandRun::failed_to_start(const Spawned& child) {
  observer_.cannot_start(child.error);
  record_.status = record::RunStatus::failed_to_start;
  record_.exit.error = child.error;
  record_.ended_at = record::iso8601_utc(std::chrono::system_clock::now());
  if (journal_) journal_->finish(record_);
  collect_journal_warnings();
  return {std::move(record_), child.exit_status};
}

void CommandRun::note_cgroup(const Spawned& child) {
  if (cgroup_ && !child.in_cgroup) {
    cgroup_reason_ = fmt::format("the command could not join {}", cgroup_->path().string());
    cgroup_.reset();
  }
  if (!cgroup_) {
    record_.attribution.notes.push_back(fmt::format(
        "no cgroup of its own ({}); following the process tree instead", cgroup_reason_));
  }
}

// Until the command's root process is reaped, or a second Ctrl-C asks joule
// to stop without it: signals, control messages, ticks and checkpoints, each
// when it is due.
void CommandRun::supervise(RunSession& session) {
  auto next_tick = MonotonicClock::now() + tick_period_;
  auto next_checkpoint = MonotonicClock::now() + settings_.checkpoint;
  auto on_reaped = [&session](pid_t pid, Seconds cpu) { session.on_reaped(pid, cpu); };
  while (!supervisor_.root_exit() && !supervisor_.interrupted_twice()) {
    auto wake = std::min(next_tick, next_checkpoint);
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake - MonotonicClock::now());
    pollfd fds[2] = {{supervisor_.signal_fd(), POLLIN, 0},
                     {control_ ? control_->fd() : -1, POLLIN, 0}};
    ::poll(fds, control_ ? 2 : 1, static_cast<int>(std::max<long>(wait.count(), 0)));
    if (fds[0].revents & POLLIN) supervisor_.handle_signals(on_reaped);
    if (control_ && (fds[1].revents & POLLIN)) {
      drain_control(session, false);
      report_predictions(session);
    }
    const auto now = MonotonicClock::now();
    if (now >= next_tick) {
      session.tick();
      observer_.progress(session.elapsed(), session.power_now(), session.machine_so_far(),
                         session.attributed_so_far());
      next_tick = now + tick_period_;
    }
    if (now >= next_checkpoint) {
      if (journal_) {
        session.fill(record_, idle_);
        journal_->checkpoint(record_);
        collect_journal_warnings();
      }
      next_checkpoint = now + settings_.checkpoint;
    }
  }
}

// A phase boundary is an attribution boundary: the phase gets the share
// measured up to the moment it began or ended, so a tick comes first. After
// the command's end (`last`) the last interval is ticked in any case.
void CommandRun::drain_control(RunSession& session, bool last) {
  auto events = control_->drain(control_errors_);
  if (last || any_phase(events)) session.tick();
  for (const auto& e : events) session.handle(e, record_);
}

void CommandRun::report_predictions(RunSession& session) {
  for (const auto& p : session.take_predictions()) observer_.prediction(p, place_);
}

// The command has ended: the last interval, then whatever it sent last.
void CommandRun::finish(RunSession& session, const RootExit& exit) {
  if (control_) {
    drain_control(session, true);
  } else {
    session.tick();
  }
  session.end_phase(record_, MonotonicClock::now());
  observer_.command_ended();
  report_predictions(session);

  record_.status = record::RunStatus::finished;
  record_.exit.exit_code = exit.exit_code;
  record_.exit.signal = exit.signal;
  complete_record(session);
  if (journal_) journal_->finish(record_);
  collect_journal_warnings();
}

// The figures up to now, what the ranks and the control channel said, the
// cgroup given back and the carbon: for a finished run and an abandoned one.
void CommandRun::complete_record(RunSession& session) {
  record_.exit.ended_by_signal = supervisor_.first_forwarded();
  session.fill(record_, idle_);
  session.note_ranks_at_end(record_);
  for (const auto& e : control_errors_) add_once(record_.warnings, "control channel: " + e);
  if (auto* cg = session.cgroup(); cg && !cg->release()) {
    add_once(record_.warnings, fmt::format("could not remove {}", cg->path().string()));
  }
  if (place_) fill_carbon();
}

// A second Ctrl-C within a second: the person wants joule back now, whether
// or not the command has stopped. What was measured up to now is kept; the
// ledger row is a checkpoint, which the ledger reads as interrupted once
// joule has exited, and joule exits as a shell does after SIGINT.
void CommandRun::abandon(RunSession& session) {
  session.tick();
  session.end_phase(record_, MonotonicClock::now());
  observer_.command_ended();
  record_.status = record::RunStatus::interrupted;
  complete_record(session);
  const std::string why = fmt::format(
      "interrupted: a second SIGINT within {} s; joule stopped without waiting for the command "
      "(pid {}), which was sent both; figures are those up to {}",
      kSecondInterruptWindow.count(), supervisor_.root(), record_.ended_at);
  observer_.warning(why);
  add_once(record_.warnings, why);
  if (journal_) journal_->checkpoint(record_);
  collect_journal_warnings();
}

// O, and M for the hardware stated or detected over the run's duration. A
// hardware option that cannot be used must not lose the measurement either.
void CommandRun::fill_carbon() {
  try {
    const carbon::HardwarePlan plan =
        carbon::plan_hardware(*place_, settings_.hardware, hardware_ ? &*hardware_ : nullptr,
                              Seconds{record_.duration_s});
    record::fill_footprint(record_, *place_, &plan);
  } catch (const std::exception& e) {
    std::string problem = fmt::format("no embodied emissions: {}", e.what());
    observer_.warning(problem);
    record_.warnings.push_back(problem);
    record::fill_footprint(record_, *place_);
  }
}

}  // namespace

RunOutcome run_command(const RunSettings& settings, RunObserver& observer) {
  CommandRun run(settings, observer);
  return run.execute();
}

}  // namespace joule::run
