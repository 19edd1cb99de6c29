#include "bench_driver.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>

#include "bench/analysis.hpp"
#include "bench/bench_record.hpp"
#include "bench/engine/task.hpp"
#include "bench/probe.hpp"
#include "bench/report.hpp"
#include "progress.hpp"
#include "record/json_io.hpp"
#include "record/ledger.hpp"
#include "record/run_metadata.hpp"

namespace joule::bench {
namespace {

using Clock = std::chrono::system_clock;

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error(fmt::format("cannot write {}", path.string()));
}

std::string short_outcome(const RunResult& run, const TaskInfo& task) {
  const double j_per_1000 = [&] {
    for (const InferenceResult& inference : run.inference) {
      if (inference.variant == "default" && inference.batch == 1) {
        return inference.energy_per_1000.joules;
      }
    }
    return 0.0;
  }();
  // A separate test split is scored once, after training: beside the
  // validation figure that steered it, never instead of it.
  const std::string test = std::isnan(run.test_quality)
                               ? ""
                               : fmt::format(" (validation), {:.4f} (test)", run.test_quality);
  const std::string stopped = run.stopped_by.empty() ? "" : ", stopped by " + run.stopped_by;
  return fmt::format(
      "{} {:.4f}{} after {:.2f} epochs{}, training {:.0f} J in {:.1f} s, "
      "inference {:.3g} J/1000 at batch 1{}",
      task.metric, run.final_quality, test, run.curve.empty() ? 0.0 : run.curve.back().epochs,
      stopped, run.training.energy.joules, run.training.duration.seconds, j_per_1000,
      run.disturbed ? "  [DISTURBED]" : "");
}

// summarize() leaves a disturbed run out of the figures while its model has
// an undisturbed one; say which runs that was, for the notes.
void note_disturbed(const std::vector<RunResult>& runs, std::vector<std::string>& notes) {
  std::map<std::string, bool> has_clean;
  for (const RunResult& run : runs) has_clean[run.model] |= !run.disturbed;
  for (const RunResult& run : runs) {
    if (!run.disturbed) continue;
    notes.push_back(has_clean[run.model]
                        ? fmt::format("{} seed {} was disturbed by other processes and is left "
                                      "out of the figures",
                                      run.model, run.seed)
                        : fmt::format("{} seed {} was disturbed by other processes and is kept "
                                      "only because no run of {} was clean: treat its figures "
                                      "as unreliable",
                                      run.model, run.seed, run.model));
  }
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
  nlohmann::json runs = nlohmann::json::array();
  nlohmann::json tasks = nlohmann::json::array();
  std::vector<TaskSummary> summaries;
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
  if (options.seeds == 0) options.seeds = options.quick ? 1 : 3;
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

// The task's models and data; nullopt when it has no model to run, or when
// its data cannot be read (said on stderr, exit status 2).
std::optional<PreparedTask> prepare_task(Session& session, const std::string& name) {
  PreparedTask prepared;
  try {
    prepared.task = &find_task(name);
    prepared.budget = prepared.task->budget(session.options.quick);
    prepared.budget.variants = session.options.variants;
    prepared.models = select_models(name, session.options.models, registered_models());
    if (prepared.models.empty()) return std::nullopt;
    add_baselines(*prepared.task, prepared.models);
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

TaskInfo starting_definition(const Task& task, const BenchOptions& options) {
  TaskInfo info = task.definition();
  if (!options.tiers.empty()) {
    info.tiers = options.tiers;
    info.tier_note = "set with --tiers";
  }
  return info;
}

// Before each task's block of runs, charged to every measurement after it.
void measure_idle_power(Session& session, const PreparedTask& prepared) {
  const auto idle_length = std::chrono::milliseconds(session.options.quick ? 2000 : 5000);
  const Watts idle = session.probe.measure_idle(idle_length);
  session.context.idle_power = idle;
  session.context.idle_duration = Seconds{std::chrono::duration<double>(idle_length).count()};
  fmt::print("{}: idle power {:.1f} W over {:.0f} s; {} model(s): {}\n", prepared.task->name(),
             idle.watts, session.context.idle_duration.seconds, prepared.models.size(),
             fmt::join(prepared.models, ", "));
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

// Every (model, seed) of the task in the planned order, each recorded as it
// ends. `info` takes the tiers that a baseline sets.
std::vector<RunResult> run_plan(Session& session, const PreparedTask& prepared, TaskInfo& info) {
  const Task& task = *prepared.task;
  const BenchOptions& options = session.options;
  const auto plan = plan_runs(prepared.models, options.seeds, options.order_seed, task.baselines());
  std::vector<RunResult> results;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const PlannedRun& planned = plan[i];
    const std::string label = fmt::format("{} seed {}", planned.model, planned.seed);
    session.progress.begin(label, i, plan.size());
    const auto started = Clock::now();
    std::optional<RunResult> result = run_one(session, prepared, info, planned, label);
    if (!result) continue;
    session.progress.end(short_outcome(*result, info));
    adopt_tiers(task, *result, !options.tiers.empty(), info);
    record_run(session, info, planned, *result, started);
    session.runs.push_back(to_json(*result));
    results.push_back(std::move(*result));
  }
  return results;
}

// The task's table on the terminal and its Pareto chart; its summary is kept
// for results.json and summary.md.
void report_task(Session& session, const TaskInfo& info, const std::vector<RunResult>& results) {
  note_disturbed(results, session.notes);
  TaskSummary summary = summarize(info, results);
  fmt::print("\n{}\n", terminal_table(summary, session.provenance));
  std::fflush(stdout);
  try {
    write_text(session.options.out / (info.name + "-pareto.svg"),
               pareto_svg(summary, session.provenance));
  } catch (const std::exception& error) {
    fmt::print(stderr, "joule bench: {}\n", error.what());
    session.status = 2;
  }
  session.tasks.push_back(to_json(summary));
  session.summaries.push_back(std::move(summary));
}

void run_task(Session& session, const std::string& name) {
  const std::optional<PreparedTask> prepared = prepare_task(session, name);
  if (!prepared) return;
  TaskInfo info = starting_definition(*prepared->task, session.options);
  measure_idle_power(session, *prepared);
  const std::vector<RunResult> results = run_plan(session, *prepared, info);
  report_task(session, info, results);
}

// The notes, then results.json and summary.md over every task.
int write_results(Session& session, const DriverOptions& driver) {
  const BenchOptions& options = session.options;
  for (const std::string& note : session.notes) fmt::print("note: {}\n", note);
  if (session.summaries.empty()) return session.status != 0 ? session.status : 2;

  nlohmann::json results_json;
  results_json["provenance"] = to_json(session.provenance);
  results_json["order_seed"] = options.order_seed;
  results_json["seeds"] = options.seeds;
  results_json["tasks"] = session.tasks;
  results_json["runs"] = session.runs;
  results_json["notes"] = session.notes;
  try {
    write_text(options.out / "results.json", results_json.dump(2) + "\n");
    write_text(options.out / "summary.md",
               markdown_report(session.summaries, session.provenance, "{task}-pareto.svg"));
  } catch (const std::exception& error) {
    fmt::print(stderr, "joule bench: {}\n", error.what());
    return 2;
  }
  fmt::print(
      "\nwritten: {0}/summary.md, {0}/results.json, {0}/*-pareto.svg, {0}/records/{1}\n",
      options.out.string(),
      session.journal
          ? fmt::format("; runs recorded in {} (joule ls --tag bench)",
                        record::Ledger::shown(record::Ledger::resolve_path(driver.ledger).string()))
          : "");
  return session.status;
}

}  // namespace

int print_models() {
  for (const ModelInfo& model : registered_models()) {
    fmt::print("{:<14} {:<12} {:<14} {}\n{:<14} {:<12} {:<14} source: {}\n", model.task, model.name,
               model.family, model.description, "", "", "", model.citation);
  }
  return 0;
}

int run_bench(BenchOptions options, const DriverOptions& driver) {
  apply_defaults(options);
  const RuntimeInfo runtime = configure_runtime(options.threads);
  const SensorConfig sensors = SensorConfig::from_environment();
  MeterProbe probe(Meter::discover(sensors), sensors.proc_root);
  const record::HostInfo host = record::read_host_info();
  const MeasurementSetup provenance = describe_setup(probe, runtime, host, options.quick);
  print_header(provenance, runtime, options);

  std::error_code made;
  std::filesystem::create_directories(options.out, made);
  if (made) {
    fmt::print(stderr, "joule bench: cannot create {}: {}\n", options.out.string(), made.message());
    return 2;
  }
  Session session(options, runtime, provenance, probe);
  if (!driver.no_ledger)
    session.journal =
        std::make_unique<record::RunJournal>(record::Ledger::resolve_path(driver.ledger));
  session.context = record_context(host, driver, provenance, probe, runtime);
  session.context.carbon = resolve_carbon(session.notes);

  for (const std::string& name : options.tasks) run_task(session, name);
  return write_results(session, driver);
}

}  // namespace joule::bench
