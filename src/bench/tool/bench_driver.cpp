#include "bench_driver.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <random>

#include "bench/bench_record.hpp"
#include "bench/engine/task.hpp"
#include "bench/probe.hpp"
#include "bench/report.hpp"
#include "joule/version.h"
#include "outputs.hpp"
#include "progress.hpp"
#include "record/json_io.hpp"
#include "record/ledger.hpp"
#include "record/run_metadata.hpp"

namespace joule::bench {
namespace {

using Clock = std::chrono::system_clock;

std::string short_outcome(const RunResult& run, const TaskInfo& task) {
  const double j_per_1000 = [&] {
    for (const InferenceResult& inference : run.inference) {
      if (inference.variant == "default" && inference.batch == 1) {
        return inference.energy_per_1000.joules;
      }
    }
    return 0.0;
  }();
  const std::string tuning = run.tuning_trials.empty()
                                 ? std::string()
                                 : fmt::format(", tuning {:.0f} J, kept lr {:g}",
                                               run.tuning.energy.joules, run.learning_rate);
  return fmt::format(
      "validation {} {:.4f} (test {:.4f}) after {:.2f} epochs, stopped by {}, training {:.0f} J "
      "in {:.1f} s{}, inference {:.3g} J/1000 at batch 1{}",
      task.metric, run.final_quality, run.test_quality,
      run.curve.empty() ? 0.0 : run.curve.back().epochs, stop_reason_name(run.stopped_by),
      run.training.energy.joules, run.training.duration.seconds, tuning, j_per_1000,
      run.disturbed ? "  [DISTURBED]" : "");
}

// What every task's block of runs shares: the probe, the record context,
// the ledger journal, and what the reports collect.
struct Session {
  Session(const BenchOptions& options, const RuntimeInfo& runtime,
          const MeasurementSetup& provenance, MeterProbe& probe)
      : options(options), runtime(runtime), provenance(provenance), probe(probe) {}

  const BenchOptions& options;
  const RuntimeInfo& runtime;
  const MeasurementSetup& provenance;
  MeterProbe& probe;
  RecordContext context;
  std::unique_ptr<record::RunJournal> journal;
  ProgressLine progress{stderr};
  std::vector<std::string> notes;
  std::string machine;              // RunResult::machine of every run here
  std::vector<OnlySelector> only;   // --only
  std::vector<RunResult> finished;  // the directory's pieces before this invocation
  int status = 0;
};

// A task ready to run: its models (baselines first), budget and data.
struct PreparedTask {
  const Task* task = nullptr;
  std::vector<std::string> models;
  Budget budget;
  TaskData data;
};

void apply_defaults(BenchOptions& options) {
  if (options.tasks.empty()) {
    for (const auto& task : registered_tasks()) {
      if (!options.quick || task->in_quick_mode()) options.tasks.push_back(task->name());
    }
  }
  if (options.seeds == 0) options.seeds = options.quick ? kQuickModeSeeds : kFullModeSeeds;
  if (options.order_seed == 0) options.order_seed = std::random_device{}() | 1u;
}

MeasurementSetup describe_setup(const MeterProbe& probe, const RuntimeInfo& runtime,
                                const record::HostInfo& host, bool quick) {
  MeasurementSetup provenance;
  provenance.energy_source = probe.describe_sources();
  provenance.modelled = probe.modelled_only();
  provenance.relative_uncertainty = probe.relative_uncertainty();
  provenance.host = fmt::format("{}, {} logical cores", host.cpu_model, host.cpu_logical_cores);
  provenance.blas = runtime.blas;
  provenance.threads = runtime.threads;
  provenance.torch_version = runtime.torch_version;
  provenance.mode = quick ? "quick" : "full";
  provenance.date_utc = record::iso8601_utc(Clock::now());
  return provenance;
}

void print_header(const MeasurementSetup& provenance, const RuntimeInfo& runtime,
                  const BenchOptions& options) {
  fmt::print("joule bench ({} mode): {} seed(s), run order seed {}\n", provenance.mode,
             options.seeds, options.order_seed);
  fmt::print("  host:    {}\n", provenance.host);
  fmt::print("  LibTorch {}, {} intra-op thread(s), OMP_WAIT_POLICY={}\n", runtime.torch_version,
             runtime.threads, runtime.omp_wait_policy);
  fmt::print("  BLAS:    {}\n", runtime.blas);
  fmt::print("  energy:  {}\n", provenance.energy_source);
  fmt::print("  tuning:  {}\n",
             options.quick ? std::string("none in quick mode: each network trains once at its "
                                         "default learning rate")
                           : fmt::format("each network at {}x its default learning rate, the "
                                         "best on validation kept",
                                         fmt::join(kFullModeLearningRateFactors, "x, ")));
  if (provenance.modelled) {
    fmt::print(
        "  NOTE: no energy counter here. Every joule below is a model of CPU time, not a "
        "measurement; ratios between models are more trustworthy than absolute values.\n");
  }
  std::fflush(stdout);
}

RecordContext record_context(const record::HostInfo& host, const DriverOptions& driver,
                             const MeasurementSetup& provenance, const MeterProbe& probe,
                             const RuntimeInfo& runtime) {
  RecordContext context;
  context.host = host;
  context.command = driver.argv;
  context.cwd = std::filesystem::current_path().string();
  context.mode = provenance.mode;
  context.energy_source = provenance.energy_source;
  context.modelled = provenance.modelled;
  context.sample_interval =
      Seconds{std::chrono::duration<double>(probe.meter().interval()).count()};
  context.blas = runtime.blas;
  context.threads = runtime.threads;
  context.domains = probe.meter().domains();
  return context;
}

// Carbon for the ledger's records, placed as `joule run` places a run
// without flags: JOULE_COUNTRY / JOULE_REGION / JOULE_CLOUD, joule.toml, the
// time zone's country (a guess, said so), else the world average.
std::shared_ptr<const carbon::ResolvedContext> resolve_carbon(std::vector<std::string>& notes) {
  try {
    auto carbon = std::make_shared<const carbon::ResolvedContext>(
        carbon::resolve_context(carbon::ContextOptions{}));
    fmt::print("  carbon:  {} at {} gCO2e/kWh, PUE {} ({}{})\n", carbon->location_code,
               carbon->intensity_g_per_kwh.central, carbon->pue.central, carbon->how_decided,
               carbon->is_guess ? ", a guess" : "");
    return carbon;
  } catch (const std::exception& error) {
    notes.push_back(fmt::format("no carbon figures in the run records: {}", error.what()));
    return nullptr;
  }
}

// The tiers are set from the task's baselines, so they always run.
void add_baselines(const Task& task, std::vector<std::string>& models) {
  std::ptrdiff_t at = 0;
  for (const std::string& baseline : task.baselines()) {
    if (std::find(models.begin(), models.end(), baseline) != models.end()) continue;
    models.insert(models.begin() + at++, baseline);
  }
}

// The task's budget and data; nullopt when its data cannot be read (said on
// stderr, exit status 2).
std::optional<PreparedTask> prepare_task(Session& session, const std::string& name,
                                         std::vector<std::string> models) {
  PreparedTask prepared;
  try {
    prepared.task = &find_task(name);
    prepared.models = std::move(models);
    prepared.budget = prepared.task->budget(session.options.quick);
    prepared.budget.variants = session.options.variants;
    // Equal tuning in full mode; quick mode trains each model once.
    prepared.budget.learning_rate_factors =
        session.options.quick ? std::vector<double>{1.0} : kFullModeLearningRateFactors;
    fmt::print("\n{}: loading data\n", name);
    std::fflush(stdout);
    prepared.data = prepared.task->load(session.options, prepared.budget);
  } catch (const std::exception& error) {
    fmt::print(stderr, "joule bench: {}: {}\n", name, error.what());
    session.status = 2;
    return std::nullopt;
  }
  return prepared;
}

// Before each task's block of runs, charged to every measurement after it.
void measure_idle_power(Session& session, const PreparedTask& prepared, std::size_t runs) {
  const auto idle_length = std::chrono::milliseconds(session.options.quick ? 2000 : 5000);
  const Watts idle = session.probe.measure_idle(idle_length);
  session.context.idle_power = idle;
  session.context.idle_duration = Seconds{std::chrono::duration<double>(idle_length).count()};
  fmt::print("{}: idle power {:.1f} W over {:.0f} s; {} model(s): {}; {} run(s) to do\n",
             prepared.task->name(), idle.watts, session.context.idle_duration.seconds,
             prepared.models.size(), fmt::join(prepared.models, ", "), runs);
  std::fflush(stdout);
}

// One model and seed under the probe; nullopt when it failed (a note, exit
// status 1).
std::optional<RunResult> run_one(Session& session, const PreparedTask& prepared,
                                 const TaskInfo& info, const PlannedRun& planned,
                                 const std::string& label) {
  RunRequest request;
  request.model = planned.model;
  request.seed = planned.seed;
  request.threads = session.runtime.threads;
  request.budget = prepared.budget;
  request.task = info;
  request.progress = [&](double fraction, const std::string& detail) {
    session.progress.update(fraction, detail);
  };
  session.probe.take_domain_energy();  // this run's measurements only
  try {
    return prepared.task->run(request, prepared.data, session.probe);
  } catch (const std::exception& error) {
    session.progress.end(fmt::format("FAILED: {}", error.what()));
    session.notes.push_back(
        fmt::format("{} {} failed: {}", prepared.task->name(), label, error.what()));
    session.status = 1;
    return std::nullopt;
  }
}

// A baseline's run sets the tiers of the runs after it, unless --tiers did.
void adopt_tiers(const Task& task, const RunResult& run, bool tiers_given, TaskInfo& info) {
  if (tiers_given) return;
  std::optional<TaskInfo> set = task.tiers_after(info, run);
  if (!set) return;
  info = std::move(*set);
  fmt::print("{}: tiers {:.3f} {} ({})\n", task.name(), fmt::join(info.tiers, ", "), info.metric,
             info.tier_note);
}

// One run record per model and seed: in the ledger, and as a file in --out,
// in the schema every joule reader knows (docs/record.md).
void record_run(Session& session, const TaskInfo& info, const PlannedRun& planned,
                const RunResult& result, Clock::time_point started) {
  const record::RunRecord run_record = to_run_record(
      result, info, session.context, session.probe.take_domain_energy(), started, Clock::now());
  const std::filesystem::path records = session.options.out / "records";
  try {
    std::filesystem::create_directories(records);
    record::write_json_file(
        records / fmt::format("{}-{}-seed{}.json", info.name, planned.model, planned.seed),
        run_record);
  } catch (const std::exception& error) {
    fmt::print(stderr, "joule bench: warning: run record not written: {}\n", error.what());
  }
  if (session.journal) {
    session.journal->finish(run_record);
    for (const std::string& warning : session.journal->take_warnings()) {
      fmt::print(stderr, "joule bench: warning: {}\n", warning);
    }
  }
}

// The task's runs that have no piece yet (and that --only selects), in the
// planned order, with the baseline first when the tiers still need it.
std::vector<PlannedRun> pending_for(const Session& session, const Task& task,
                                    const std::vector<std::string>& models) {
  const BenchOptions& options = session.options;
  const auto plan = plan_runs(models, options.seeds, options.order_seed, task.baselines());
  return pending_runs(task.name(), plan, session.finished, session.only, task.baselines());
}

// Each pending (model, seed), written as a piece the moment it ends so that
// a kill loses at most the run in progress. `info` takes the tiers that a
// baseline sets.
void run_pending(Session& session, const PreparedTask& prepared,
                 const std::vector<PlannedRun>& pending, TaskInfo& info) {
  const Task& task = *prepared.task;
  for (std::size_t i = 0; i < pending.size(); ++i) {
    const PlannedRun& planned = pending[i];
    const std::string label = fmt::format("{} seed {}", planned.model, planned.seed);
    session.progress.begin(label, i, pending.size());
    const auto started = Clock::now();
    const auto started_monotonic = std::chrono::steady_clock::now();
    std::optional<RunResult> result = run_one(session, prepared, info, planned, label);
    if (!result) continue;
    result->machine = session.machine;
    result->wall_duration = seconds_between(started_monotonic, std::chrono::steady_clock::now());
    session.progress.end(short_outcome(*result, info));
    adopt_tiers(task, *result, !session.options.tiers.empty(), info);
    try {
      write_piece(session.options.out, *result);
    } catch (const std::exception& error) {
      fmt::print(stderr, "joule bench: piece not written, it will run again on --resume: {}\n",
                 error.what());
      session.status = 2;
    }
    record_run(session, info, planned, *result, started);
  }
}

void run_task(Session& session, const std::string& name) {
  const Task& task = find_task(name);
  std::vector<std::string> models;
  try {
    models = select_models(name, session.options.models, registered_models());
  } catch (const std::exception& error) {
    fmt::print(stderr, "joule bench: {}: {}\n", name, error.what());
    session.status = 2;
    return;
  }
  if (models.empty()) return;
  add_baselines(task, models);
  const std::vector<PlannedRun> pending = pending_for(session, task, models);
  if (pending.empty()) {
    fmt::print("\n{}: nothing left to run here\n", name);
    return;
  }
  const std::optional<PreparedTask> prepared = prepare_task(session, name, models);
  if (!prepared) return;
  TaskInfo info = definition_from_runs(task, session.options.tiers, session.finished);
  measure_idle_power(session, *prepared, pending.size());
  run_pending(session, *prepared, pending, info);
}

}  // namespace

int print_models() {
  for (const ModelInfo& model : registered_models()) {
    fmt::print("{:<14} {:<12} {:<14} {}\n{:<14} {:<12} {:<14} source: {}\n", model.task, model.name,
               model.family, model.description, "", "", "", model.citation);
  }
  return 0;
}

namespace {

// The options of the benchmark recorded in `manifest`, for --resume; the
// data locations stay as given.
BenchOptions options_from(const BenchManifest& manifest, BenchOptions given,
                          const std::filesystem::path& dir) {
  given.quick = manifest.mode == "quick";
  given.tasks = manifest.tasks;
  given.models = manifest.models;
  given.seeds = manifest.seeds;
  given.order_seed = manifest.order_seed;
  given.threads = manifest.threads;
  given.variants = manifest.variants;
  given.tiers = manifest.tiers;
  given.out = dir;
  return given;
}

BenchManifest new_manifest(const BenchOptions& options, const MeasurementSetup& provenance) {
  BenchManifest manifest;
  manifest.joule_version = JOULE_VERSION_STRING;
  manifest.mode = options.quick ? "quick" : "full";
  manifest.tasks = options.tasks;
  manifest.models = options.models;
  manifest.seeds = options.seeds;
  manifest.order_seed = options.order_seed;
  manifest.threads = options.threads;
  manifest.variants = options.variants;
  manifest.tiers = options.tiers;
  manifest.provenance = provenance;
  return manifest;
}

// --resume's manifest (checked against what was asked) or a fresh directory's
// options; throws with the reason when neither can go on.
std::optional<BenchManifest> settle_options(BenchOptions& options, const DriverOptions& driver) {
  if (!driver.resume.empty()) {
    if (driver.out_given && options.out != driver.resume) {
      throw std::invalid_argument("--resume DIR writes into DIR: leave out --out");
    }
    BenchManifest manifest = read_manifest(driver.resume);
    ResumeRequest asked = driver.asked;
    asked.joule_version = JOULE_VERSION_STRING;
    asked.known_tasks = task_names();
    check_resumable(driver.resume, manifest, asked);
    options = options_from(manifest, options, driver.resume);
    return manifest;
  }
  apply_defaults(options);
  if (std::filesystem::exists(options.out / "bench.json")) {
    throw std::invalid_argument(fmt::format(
        "{} already holds a benchmark: continue it with --resume {}, or choose another --out",
        options.out.string(), options.out.string()));
  }
  return std::nullopt;
}

// --only, checked against the tasks and --models of this benchmark.
std::vector<OnlySelector> only_selectors(const BenchOptions& options, const DriverOptions& driver) {
  std::vector<OnlySelector> only =
      parse_only(driver.only, options.tasks, registered_models(), options.seeds);
  for (const OnlySelector& selector : only) {
    if (!options.models.empty() && std::find(options.models.begin(), options.models.end(),
                                             selector.model) == options.models.end()) {
      throw std::invalid_argument(fmt::format("--only {}: not among this benchmark's models ({})",
                                              selector.model, fmt::join(options.models, ", ")));
    }
  }
  return only;
}

std::string machine_name(const record::HostInfo& host) {
  return fmt::format("{} ({}, {} logical cores)", host.hostname, host.cpu_model,
                     host.cpu_logical_cores);
}

}  // namespace

int run_bench(BenchOptions options, const DriverOptions& driver) {
  if (!driver.merge.empty()) return run_merge(driver.merge, options.out);
  std::optional<BenchManifest> manifest;
  std::vector<OnlySelector> only;
  try {
    manifest = settle_options(options, driver);
    // An unknown --models name is an error before anything is written.
    for (const std::string& task : options.tasks) {
      select_models(task, options.models, registered_models());
    }
    only = only_selectors(options, driver);
  } catch (const std::exception& error) {
    fmt::print(stderr, "joule bench: {}\n", error.what());
    return 2;
  }
  const RuntimeInfo runtime = configure_runtime(options.threads);
  const SensorConfig sensors = SensorConfig::from_environment();
  MeterProbe probe(Meter::discover(sensors), sensors.proc_root);
  const record::HostInfo host = record::read_host_info();
  const MeasurementSetup provenance = describe_setup(probe, runtime, host, options.quick);
  print_header(provenance, runtime, options);

  Session session(options, runtime, provenance, probe);
  session.machine = machine_name(host);
  session.only = std::move(only);
  try {
    if (!manifest) {
      manifest = new_manifest(options, provenance);
      write_manifest(options.out, *manifest);
    }
    session.finished = read_pieces(options.out);
  } catch (const std::exception& error) {
    fmt::print(stderr, "joule bench: {}\n", error.what());
    return 2;
  }
  if (!session.finished.empty()) {
    fmt::print("  resuming {}: {} piece(s) already finished\n", options.out.string(),
               session.finished.size());
  }
  if (!driver.no_ledger)
    session.journal =
        std::make_unique<record::RunJournal>(record::Ledger::resolve_path(driver.ledger));
  session.context = record_context(host, driver, provenance, probe, runtime);
  session.context.carbon = resolve_carbon(session.notes);

  for (const std::string& name : options.tasks) run_task(session, name);
  std::vector<RunResult> pieces;
  try {
    pieces = read_pieces(options.out);
  } catch (const std::exception& error) {
    fmt::print(stderr, "joule bench: {}\n", error.what());
    return 2;
  }
  const int written = write_outputs(options.out, *manifest, pieces, session.notes);
  if (session.journal) {
    fmt::print("runs recorded in {} (joule ls --tag bench)\n",
               record::Ledger::shown(record::Ledger::resolve_path(driver.ledger).string()));
  }
  return session.status != 0 ? session.status : written;
}

}  // namespace joule::bench
