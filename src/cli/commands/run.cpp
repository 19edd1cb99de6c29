// `joule run [options] -- COMMAND [ARGS...]`: measure a command's energy and
// carbon the way `time` measures its duration. The helpers beside this file
// hold one concern each: run_supervisor (process, signals), run_live (the
// stderr line), run_prediction, run_outputs (record, carbon, files),
// run_metadata (host, git). This file is the loop that ties them together.
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/format.hpp"
#include "cli/run_live.hpp"
#include "cli/run_options.hpp"
#include "cli/run_outputs.hpp"
#include "run/prediction.hpp"
#include "run/supervisor.hpp"
#include "joule/meter.hpp"
#include "run/attribution.hpp"
#include "run/cgroup.hpp"
#include "run/control_channel.hpp"
#include "run/process_tree.hpp"
#include "record/carbon_record.hpp"
#include "record/ledger.hpp"
#include "record/run_metadata.hpp"
#include "report/summary.hpp"

namespace joule::cli {
namespace {

using Nanos = std::chrono::nanoseconds;

Nanos duration_option(const std::string& name, const std::string& text) {
  auto parsed = parse_duration(text);
  if (!parsed) {
    throw CLI::ValidationError(name,
                               "expected a duration such as 500ms, 2s or 1m, got '" + text + "'");
  }
  return *parsed;
}

Seconds own_cpu_time() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return {static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
          (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6};
}

void add_unique(std::vector<std::string>& list, const std::string& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

// Everything measured while the command runs.
class RunSession {
 public:
  RunSession(const RunOptions& options, Meter& meter, pid_t root,
             std::unique_ptr<run::RunCgroup> cgroup, const Snapshot& start, bool gpus,
             const std::string& nvml_library)
      : options_(options),
        meter_(meter),
        cgroup_(std::move(cgroup)),
        tree_(root, {"/proc", ::getpid(), root}),
        start_(start),
        last_(start),
        attribution_(meter.domains()),
        predictor_(options.predict_phases, options.predict_after) {
    busy_last_ = run::read_machine_busy_cpu().value_or(Seconds{});
    if (gpus) gpu_source_ = run::make_gpu_share_source(nvml_library);
  }

  void on_reaped(pid_t pid, Seconds cpu) { tree_.add_reaped(pid, cpu); }

  // One attribution interval: from the last tick to now.
  void tick() {
    Snapshot now = meter_.snapshot();
    Measurement interval = meter_.measure(last_, now);
    Seconds command = command_cpu();
    Seconds busy = run::read_machine_busy_cpu().value_or(busy_last_);
    double share = run::cpu_time_share(command - command_last_, busy - busy_last_);
    std::vector<run::GpuShare> gpu(meter_.domains().size());
    if (gpu_source_) {
      std::vector<pid_t> pids = cgroup_ ? cgroup_->pids() : tree_.live_pids();
      for (std::size_t i = 0; i < gpu.size(); ++i) {
        if (meter_.domains()[i].component == Component::gpu) {
          gpu[i] = gpu_source_->share(meter_.domains()[i], pids);
        }
      }
    }
    attribution_.add(interval, share, gpu);
    power_now_ = interval.mean_power;
    command_last_ = command;
    busy_last_ = busy;
    last_ = std::move(now);
  }

  void handle(const run::ControlEvent& event, record::RunRecord& record) {
    using Kind = run::ControlMessage::Kind;
    const auto& m = event.message;
    if (m.kind == Kind::units) {
      std::string unit = m.unit.empty() ? options_.unit : m.unit;
      auto it = std::find_if(record.units.begin(), record.units.end(),
                             [&](const auto& u) { return u.name == unit; });
      if (it == record.units.end()) {
        record.units.push_back({unit, m.count});
      } else {
        it->count += m.count;
      }
      return;
    }
    end_phase(record, event.received);
    if (m.kind == Kind::phase) {
      phase_ = OpenPhase{m.name, last_, event.received, attribution_.attributed_total()};
    }
  }

  // Closes the open phase, if any, at the last tick's snapshot.
  void end_phase(record::RunRecord& record, MonotonicTime at) {
    if (!phase_) return;
    record::Phase p;
    p.name = phase_->name;
    p.start_offset_s = seconds_between(start_.at, phase_->received).seconds;
    p.end_offset_s = seconds_between(start_.at, at).seconds;
    p.machine_energy_j = meter_.measure(phase_->snapshot, last_).total.joules;
    p.attributed_energy_j = (attribution_.attributed_total() - phase_->attributed).joules;
    record.phases.push_back(p);
    auto prediction = predictor_.phase_ended(
        Joules{p.attributed_energy_j}, Seconds{p.end_offset_s - p.start_offset_s},
        attribution_.attributed_total(), seconds_between(start_.at, at));
    if (prediction) predictions_.push_back(*prediction);
    phase_.reset();
  }

  // Fills the record with everything so far (a checkpoint or the end).
  void fill(record::RunRecord& record, const std::optional<record::IdleBaseline>& idle) {
    Measurement whole = meter_.measure(start_, last_);
    fill_energy(record, meter_, attribution_, whole, idle);
    fill_timeline(record, meter_, start_);
    record.attribution.method =
        cgroup_ ? "CPU-time share: the command's cgroup (cpu.stat usage_usec) over the machine's "
                  "busy CPU time (/proc/stat), per interval"
                : "CPU-time share: the command's process tree (utime+stime+cutime+cstime from "
                  "/proc, joule as subreaper) over the machine's busy CPU time (/proc/stat), "
                  "per interval";
    record.attribution.cpu_time_s = command_last_.seconds;
    for (const auto& m : attribution_.methods()) add_unique(record.attribution.notes, m);
    for (const auto& w : whole.warnings) add_unique(record.warnings, w);
    record.overhead_cpu_s = own_cpu_time().seconds;
    record.ended_at = record::iso8601_utc(std::chrono::system_clock::now());
  }

  Joules machine_so_far() const { return meter_.measure(start_, last_).total; }
  Joules attributed_so_far() const { return attribution_.attributed_total(); }
  Watts power_now() const { return power_now_; }
  Seconds elapsed() const { return seconds_between(start_.at, last_.at); }
  std::vector<run::Prediction> take_predictions() { return std::exchange(predictions_, {}); }
  run::RunCgroup* cgroup() { return cgroup_.get(); }

 private:
  struct OpenPhase {
    std::string name;
    Snapshot snapshot;
    MonotonicTime received;
    Joules attributed;
  };

  Seconds command_cpu() {
    if (cgroup_) {
      if (auto usage = cgroup_->cpu_usage()) return *usage;
    }
    tree_.scan();
    return tree_.cpu_time();
  }

  const RunOptions& options_;
  Meter& meter_;
  std::unique_ptr<run::RunCgroup> cgroup_;
  run::ProcessTree tree_;
  Snapshot start_;
  Snapshot last_;
  run::AttributionAccumulator attribution_;
  std::unique_ptr<run::GpuShareSource> gpu_source_;
  Seconds command_last_;
  Seconds busy_last_;
  Watts power_now_;
  std::optional<OpenPhase> phase_;
  run::Predictor predictor_;
  std::vector<run::Prediction> predictions_;
};

void print_prediction(const run::Prediction& p, const std::optional<carbon::ResolvedContext>& ctx) {
  if (!ctx) {
    fmt::print(stderr, "joule: after {} of {} phases, predicted for all {}: {} over {}\n",
               p.completed, p.expected, p.expected, format_energy(p.total),
               format_duration(p.duration));
    return;
  }
  carbon::EnergyInput energy;
  energy.energy = p.total;
  auto fp = carbon::footprint(*ctx, energy, std::nullopt, carbon::FunctionalUnit{});
  fmt::print(stderr,
             "joule: after {} of {} phases, predicted for all {}: {} over {}, {} CO2e "
             "[{} .. {}] ({})\n",
             p.completed, p.expected, p.expected, format_energy(p.total),
             format_duration(p.duration), carbon::format_grams(fp.total_g.central),
             carbon::format_grams(fp.total_g.low), carbon::format_grams(fp.total_g.high),
             ctx->location_code);
}

// Measures the machine before the command starts. nullopt when a signal
// asked joule to stop meanwhile (Supervisor::early_signal says which).
std::optional<record::IdleBaseline> measure_idle(Meter& meter, run::Supervisor& supervisor,
                                                 Nanos length) {
  Snapshot from = meter.snapshot();
  auto until = MonotonicClock::now() + length;
  while (MonotonicClock::now() < until) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - MonotonicClock::now());
    pollfd fd{supervisor.signal_fd(), POLLIN, 0};
    ::poll(&fd, 1, static_cast<int>(std::max<long>(left.count(), 1)));
    supervisor.handle_signals([](pid_t, Seconds) {});
    if (supervisor.early_signal()) return std::nullopt;
  }
  Measurement m = meter.measure(from, meter.snapshot());
  return record::IdleBaseline{m.mean_power.watts, m.duration.seconds, "measured before the run"};
}

int run(const RunOptions& options) {
  if (options.command.empty()) throw CLI::ValidationError("COMMAND", "no command given after --");
  // Counters lose nothing between reads, so unless told otherwise the meter
  // reads them once a second, as joule's tick does; power readings are
  // integrated at 100 ms. Each read costs a wake-up and, modelled, /proc/stat.
  const bool auto_interval = options.interval.empty();
  const Nanos interval = auto_interval ? Nanos{std::chrono::milliseconds(100)}
                                       : duration_option("--interval", options.interval);
  const Nanos checkpoint = duration_option("--checkpoint", options.checkpoint);
  const Nanos idle_length =
      options.idle.empty() ? Nanos{} : duration_option("--idle", options.idle);
  if (interval <= Nanos{}) throw CLI::ValidationError("--interval", "must be more than 0");
  auto tags = parse_tags(options.tags);
  // Malformed --pue/--context fail here, before the command runs. Resolving
  // the place (parsing the reference tables) waits until the command has
  // started: it costs tens of milliseconds that would delay its exec.
  const carbon::ContextOptions context_options = to_context_options(options.place);

  run::Supervisor supervisor;  // before any thread: it blocks the signals it forwards
  const SensorConfig config = SensorConfig::from_environment();
  MeterOptions meter_options;
  meter_options.interval = interval;
  if (auto_interval) meter_options.counter_interval = std::chrono::seconds(1);
  meter_options.start_sampler = false;
  auto meter = Meter::discover(config, meter_options);
  // The main loop reads the meter at every tick: a sampler thread is needed
  // only to read it more often than that, or during the idle baseline, when
  // nothing else does.
  const Nanos tick_period = std::min<Nanos>(std::chrono::seconds(1), checkpoint);
  if (meter->interval() < tick_period || idle_length > Nanos{}) meter->start_sampler();

  std::optional<record::IdleBaseline> idle;
  if (idle_length > Nanos{}) {
    idle = measure_idle(*meter, supervisor, idle_length);
    if (!idle) return 128 + *supervisor.early_signal();
  }

  record::RunRecord record;
  record.id = record::make_run_id();
  record.status = record::RunStatus::running;
  record.started_at = record::iso8601_utc(std::chrono::system_clock::now());
  record.joule_version = JOULE_VERSION_STRING;
  record.command = options.command;
  record.tags = tags;
  record.sample_interval_s = std::chrono::duration<double>(meter->interval()).count();
  record.attribution.method = "CPU-time share";

  std::unique_ptr<run::ControlServer> control;
  try {
    control = run::ControlServer::create();
  } catch (const std::exception& e) {
    record.warnings.push_back(fmt::format("no control channel (phases and units): {}", e.what()));
  }
  std::unique_ptr<run::RunCgroup> cgroup;
  std::string cgroup_reason = "disabled by JOULE_CGROUP=off";
  if (const char* v = std::getenv("JOULE_CGROUP"); !(v && std::string(v) == "off")) {
    auto created = run::RunCgroup::create(::getpid());
    cgroup = std::move(created.cgroup);
    cgroup_reason = created.reason;
  }

  run::ChildSpec spec;
  spec.argv = options.command;
  if (control) {
    spec.environment.push_back(
        fmt::format("{}={}", run::kControlEnvironmentVariable, control->path().string()));
  }
  spec.environment.push_back("JOULE_RUN_ID=" + record.id);
  if (cgroup) spec.cgroup_procs = cgroup->procs_file().string();

  const Snapshot start = meter->snapshot();
  run::Spawned child = supervisor.spawn(spec);

  // After the exec: nothing here delays the command's start.
  // A place joule cannot resolve, or a broken data file, must not lose the
  // measurement: the run goes on without carbon and says why (the energy can
  // be turned into carbon later with `joule carbon`).
  std::optional<carbon::ResolvedContext> ctx;
  try {
    ctx = carbon::resolve_context(context_options);
  } catch (const std::exception& e) {
    std::string problem = fmt::format("no carbon figures: {}", e.what());
    fmt::print(stderr, "joule: warning: {}\n", problem);
    record.warnings.push_back(problem);
  }
  record.host = record::read_host_info();
  std::error_code cwd_error;
  record.cwd = std::filesystem::current_path(cwd_error).string();
  record.git = record::read_git_info(record.cwd);
  std::unique_ptr<record::RunJournal> journal;
  if (!options.no_ledger) {
    journal = std::make_unique<record::RunJournal>(resolve_ledger_path(options.ledger));
  }
  auto collect_journal_warnings = [&] {
    if (!journal) return;
    for (auto& w : journal->take_warnings()) {
      fmt::print(stderr, "joule: warning: {}\n", w);
      add_unique(record.warnings, w);
    }
  };

  if (child.pid < 0) {
    fmt::print(stderr, "joule: cannot run {}\n", child.error);
    record.status = record::RunStatus::failed_to_start;
    record.exit.error = child.error;
    record.ended_at = record::iso8601_utc(std::chrono::system_clock::now());
    if (journal) journal->finish(record);
    collect_journal_warnings();
    write_outputs(record, options.json_path, options.csv_path);
    return child.exit_status;
  }
  if (cgroup && !child.in_cgroup) {
    cgroup_reason = fmt::format("the command could not join {}", cgroup->path().string());
    cgroup.reset();
  }
  if (!cgroup) {
    record.attribution.notes.push_back(fmt::format(
        "no cgroup of its own ({}); following the process tree instead", cgroup_reason));
  }
  if (journal) journal->begin(record);
  collect_journal_warnings();

  const bool gpus = std::any_of(meter->domains().begin(), meter->domains().end(),
                                [](const DomainInfo& d) { return d.component == Component::gpu; });
  RunSession session(options, *meter, child.pid, std::move(cgroup), start, gpus,
                     config.nvml_library);
  LiveLine live(options.quiet);

  auto next_tick = MonotonicClock::now() + tick_period;
  auto next_checkpoint = MonotonicClock::now() + checkpoint;
  std::vector<std::string> control_errors;
  auto on_reaped = [&session](pid_t pid, Seconds cpu) { session.on_reaped(pid, cpu); };

  while (!supervisor.root_exit()) {
    auto wake = std::min(next_tick, next_checkpoint);
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake - MonotonicClock::now());
    pollfd fds[2] = {{supervisor.signal_fd(), POLLIN, 0},
                     {control ? control->fd() : -1, POLLIN, 0}};
    ::poll(fds, control ? 2 : 1, static_cast<int>(std::max<long>(wait.count(), 0)));
    if (fds[0].revents & POLLIN) supervisor.handle_signals(on_reaped);
    if (control && (fds[1].revents & POLLIN)) {
      auto events = control->drain(control_errors);
      bool phases = std::any_of(events.begin(), events.end(), [](const auto& e) {
        return e.message.kind != run::ControlMessage::Kind::units;
      });
      // A phase boundary is an attribution boundary: the phase gets the
      // share measured up to the moment it began or ended.
      if (phases) session.tick();
      for (const auto& e : events) session.handle(e, record);
      for (const auto& p : session.take_predictions()) print_prediction(p, ctx);
    }
    const auto now = MonotonicClock::now();
    if (now >= next_tick) {
      session.tick();
      live.update(session.elapsed(), session.power_now(), session.machine_so_far(),
                  session.attributed_so_far());
      next_tick = now + tick_period;
    }
    if (now >= next_checkpoint) {
      if (journal) {
        session.fill(record, idle);
        journal->checkpoint(record);
        collect_journal_warnings();
      }
      next_checkpoint = now + checkpoint;
    }
  }

  // The command has ended: the last interval, then whatever it sent last.
  if (control) {
    auto events = control->drain(control_errors);
    session.tick();
    for (const auto& e : events) session.handle(e, record);
  } else {
    session.tick();
  }
  session.end_phase(record, MonotonicClock::now());
  live.clear();
  for (const auto& p : session.take_predictions()) print_prediction(p, ctx);

  const run::RootExit& exit = *supervisor.root_exit();
  record.status = record::RunStatus::finished;
  record.exit.exit_code = exit.exit_code;
  record.exit.signal = exit.signal;
  session.fill(record, idle);
  for (const auto& e : control_errors) add_unique(record.warnings, "control channel: " + e);
  if (auto* cg = session.cgroup(); cg && !cg->release()) {
    add_unique(record.warnings, fmt::format("could not remove {}", cg->path().string()));
  }
  if (ctx) record::fill_carbon(record, *ctx);
  if (journal) journal->finish(record);
  collect_journal_warnings();
  for (const auto& p : write_outputs(record, options.json_path, options.csv_path)) {
    fmt::print(stderr, "joule: warning: {}\n", p);
  }
  if (!options.quiet) fmt::print(stderr, "{}", report::render_summary(record));
  return exit.shell_status();
}

const CommandRegistrar registrar{
    "run", [](CLI::App& app) {
      auto options = std::make_shared<RunOptions>();
      auto* cmd = app.add_subcommand(
          "run", "Run a command and measure its energy and carbon: joule run [options] -- COMMAND");
      cmd->add_option(
          "--interval", options->interval,
          "Sampling interval (default: 1s when every sensor is an energy counter, else 100ms)");
      cmd->add_option("--idle", options->idle,
                      "Measure the idle machine for this long before starting (e.g. 10s)");
      cmd->add_option("--checkpoint", options->checkpoint,
                      "How often the ledger row is updated while it runs (default 5s)");
      cmd->add_option("--json", options->json_path, "Write the run record as JSON to FILE");
      cmd->add_option("--csv", options->csv_path, "Append one CodeCarbon-compatible row to FILE");
      cmd->add_option("--tag", options->tags, "Tag the run KEY=VALUE (repeatable)");
      cmd->add_flag("--no-ledger", options->no_ledger, "Do not record the run in the ledger");
      cmd->add_flag("-q,--quiet", options->quiet, "No live line and no summary");
      cmd->add_option("--unit", options->unit,
                      "Name of the functional unit `joule units N` counts (default run)");
      cmd->add_option("--predict", options->predict_phases,
                      "Expected number of phases (epochs): predict the total after the first ones");
      cmd->add_option("--predict-after", options->predict_after,
                      "Phases to complete before predicting (default 2)");
      add_place_options(*cmd, options->place);
      add_ledger_option(*cmd, options->ledger);
      // Everything from the first non-option on is the command, even words that
      // look like joule options (`joule run python -q train.py`), and a "--"
      // inside it is the command's own. CLI11 may also hand back the leading
      // "--" as an unused extra (remaining()); it is not part of the command.
      cmd->add_option("command", options->command, "The command and its arguments (after --)");
      cmd->positionals_at_end();
      cmd->callback([options] { exit_status() = run(*options); });
    }};

}  // namespace
}  // namespace joule::cli
