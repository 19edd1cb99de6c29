#include "bench_driver.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "bench/analysis.hpp"
#include "bench/bench_record.hpp"
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
      if (inference.variant == "default" && inference.batch == 1) return inference.joules_per_1000;
    }
    return 0.0;
  }();
  return fmt::format(
      "{} {:.4f} after {:.2f} epochs, training {:.0f} J in {:.1f} s, "
      "inference {:.3g} J/1000 at batch 1{}",
      task.metric, run.final_quality, run.curve.empty() ? 0.0 : run.curve.back().epochs,
      run.training.joules, run.training.seconds, j_per_1000, run.disturbed ? "  [DISTURBED]" : "");
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

struct TaskData {
  std::optional<FashionMnist> fashion;
  std::optional<CharCorpus> chars;
};

TaskData load_task_data(const std::string& task, const BenchOptions& options,
                        const Budget& budget) {
  TaskData data;
  if (task == fashion_mnist) {
    data.fashion =
        load_fashion_mnist(options.fashion_dir, budget.train_samples, budget.test_samples);
  } else {
    data.chars = make_char_corpus(load_austen(options.austen_rdb));
  }
  return data;
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
  if (options.tasks.empty()) {
    options.tasks = options.quick ? std::vector<std::string>{fashion_mnist}
                                  : std::vector<std::string>{fashion_mnist, austen_chars};
  }
  if (options.seeds == 0) options.seeds = options.quick ? 1 : 3;
  if (options.order_seed == 0) options.order_seed = std::random_device{}() | 1u;

  const RuntimeInfo runtime = configure_runtime(options.threads);
  const SensorConfig sensors = SensorConfig::from_environment();
  MeterProbe probe(Meter::discover(sensors), sensors.proc_root);

  MeasurementSetup provenance;
  provenance.energy_source = probe.describe_sources();
  provenance.modelled = probe.modelled_only();
  provenance.relative_uncertainty = probe.relative_uncertainty();
  const record::HostInfo host = record::read_host_info();
  provenance.host = fmt::format("{}, {} logical cores", host.cpu_model, host.cpu_logical_cores);
  provenance.blas = runtime.blas;
  provenance.threads = runtime.threads;
  provenance.torch_version = runtime.torch_version;
  provenance.mode = options.quick ? "quick" : "full";
  provenance.date_utc = record::iso8601_utc(Clock::now());

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

  std::error_code made;
  std::filesystem::create_directories(options.out, made);
  if (made) {
    fmt::print(stderr, "joule bench: cannot create {}: {}\n", options.out.string(), made.message());
    return 2;
  }
  std::unique_ptr<record::RunJournal> journal;
  if (!driver.no_ledger)
    journal = std::make_unique<record::RunJournal>(record::Ledger::resolve_path(driver.ledger));

  std::vector<std::string> notes;
  RecordContext context;
  context.host = host;
  context.command = driver.argv;
  context.cwd = std::filesystem::current_path().string();
  context.mode = provenance.mode;
  context.energy_source = provenance.energy_source;
  context.modelled = provenance.modelled;
  context.sample_interval_s = std::chrono::duration<double>(probe.meter().interval()).count();
  context.blas = runtime.blas;
  context.threads = runtime.threads;
  context.domains = probe.meter().domains();
  // Carbon for the ledger's records, placed as `joule run` places a run
  // without flags: JOULE_COUNTRY / JOULE_REGION / JOULE_CLOUD, joule.toml, the
  // time zone's country (a guess, said so), else the world average.
  try {
    context.carbon = std::make_shared<const carbon::ResolvedContext>(
        carbon::resolve_context(carbon::ContextOptions{}));
    fmt::print("  carbon:  {} at {} gCO2e/kWh, PUE {} ({}{})\n", context.carbon->location_code,
               context.carbon->intensity_g_per_kwh.central, context.carbon->pue.central,
               context.carbon->how_decided, context.carbon->is_guess ? ", a guess" : "");
  } catch (const std::exception& error) {
    notes.push_back(fmt::format("no carbon figures in the run records: {}", error.what()));
  }

  nlohmann::json all_runs = nlohmann::json::array();
  nlohmann::json all_tasks = nlohmann::json::array();
  std::vector<TaskSummary> summaries;
  ProgressLine progress(stderr);
  int status = 0;

  for (const std::string& task_name : options.tasks) {
    const Budget budget = [&] {
      Budget b = budget_for(task_name, options.quick);
      b.variants = options.variants;
      return b;
    }();
    std::vector<std::string> models;
    TaskData data;
    try {
      models = select_models(task_name, options.models, registered_models());
      if (models.empty()) continue;
      if (task_name == austen_chars &&
          std::find(models.begin(), models.end(), "ngram") == models.end()) {
        // The tiers are set from the n-gram baseline, so it always runs.
        models.insert(models.begin(), "ngram");
      }
      fmt::print("\n{}: loading data\n", task_name);
      std::fflush(stdout);
      data = load_task_data(task_name, options, budget);
    } catch (const std::exception& error) {
      fmt::print(stderr, "joule bench: {}: {}\n", task_name, error.what());
      status = 2;
      continue;
    }
    TaskInfo task = task_name == fashion_mnist ? fashion_mnist_task() : TaskInfo{};
    if (task_name == austen_chars) task = austen_chars_task(0);
    const bool tiers_given = !options.tiers.empty();
    if (tiers_given) {
      task.tiers = options.tiers;
      task.tier_note = "set with --tiers";
    }

    const auto idle_length = std::chrono::milliseconds(options.quick ? 2000 : 5000);
    const Watts idle = probe.measure_idle(idle_length);
    context.idle_power_w = idle.watts;
    context.idle_duration_s = std::chrono::duration<double>(idle_length).count();
    fmt::print("{}: idle power {:.1f} W over {:.0f} s; {} model(s): {}\n", task_name, idle.watts,
               context.idle_duration_s, models.size(), fmt::join(models, ", "));
    std::fflush(stdout);

    const auto plan = plan_runs(models, options.seeds, options.order_seed, {"ngram"});
    std::vector<RunResult> results;
    for (std::size_t i = 0; i < plan.size(); ++i) {
      const PlannedRun& planned = plan[i];
      const std::string label = fmt::format("{} seed {}", planned.model, planned.seed);
      progress.begin(label, i, plan.size());
      RunRequest request;
      request.model = planned.model;
      request.seed = planned.seed;
      request.threads = runtime.threads;
      request.budget = budget;
      request.task = task;
      request.progress = [&](double fraction, const std::string& detail) {
        progress.update(fraction, detail);
      };
      const auto started = Clock::now();
      probe.take_domain_energy();  // this run's measurements only
      RunResult result;
      try {
        result = task_name == fashion_mnist ? run_fashion_mnist(request, *data.fashion, probe)
                                            : run_austen_chars(request, *data.chars, probe);
      } catch (const std::exception& error) {
        progress.end(fmt::format("FAILED: {}", error.what()));
        notes.push_back(fmt::format("{} {} failed: {}", task_name, label, error.what()));
        status = 1;
        continue;
      }
      progress.end(short_outcome(result, task));
      if (task_name == austen_chars && planned.model == "ngram" && !tiers_given &&
          task.tiers.front() == 0) {
        task = austen_chars_task(result.final_quality);
        fmt::print("{}: tiers {:.3f} bits/char ({})\n", task_name, fmt::join(task.tiers, ", "),
                   task.tier_note);
      }
      // One run record per model and seed: in the ledger, and as a file in
      // --out, in the schema every joule reader knows (docs/record.md).
      const record::RunRecord run_record =
          to_run_record(result, task, context, probe.take_domain_energy(), started, Clock::now());
      try {
        std::filesystem::create_directories(options.out / "records");
        record::write_json_file(
            options.out / "records" /
                fmt::format("{}-{}-seed{}.json", task_name, planned.model, planned.seed),
            run_record);
      } catch (const std::exception& error) {
        fmt::print(stderr, "joule bench: warning: run record not written: {}\n", error.what());
      }
      if (journal) {
        journal->finish(run_record);
        for (const std::string& warning : journal->take_warnings()) {
          fmt::print(stderr, "joule bench: warning: {}\n", warning);
        }
      }
      all_runs.push_back(to_json(result));
      results.push_back(std::move(result));
    }

    note_disturbed(results, notes);
    TaskSummary summary = summarize(task, results);
    fmt::print("\n{}\n", terminal_table(summary, provenance));
    std::fflush(stdout);
    try {
      write_text(options.out / (task_name + "-pareto.svg"), pareto_svg(summary));
    } catch (const std::exception& error) {
      fmt::print(stderr, "joule bench: {}\n", error.what());
      status = 2;
    }
    all_tasks.push_back(to_json(summary));
    summaries.push_back(std::move(summary));
  }

  for (const std::string& note : notes) fmt::print("note: {}\n", note);
  if (summaries.empty()) return status != 0 ? status : 2;

  nlohmann::json results_json;
  results_json["provenance"] = to_json(provenance);
  results_json["order_seed"] = options.order_seed;
  results_json["seeds"] = options.seeds;
  results_json["tasks"] = all_tasks;
  results_json["runs"] = all_runs;
  results_json["notes"] = notes;
  try {
    write_text(options.out / "results.json", results_json.dump(2) + "\n");
    write_text(options.out / "summary.md",
               markdown_report(summaries, provenance, "{task}-pareto.svg"));
  } catch (const std::exception& error) {
    fmt::print(stderr, "joule bench: {}\n", error.what());
    return 2;
  }
  fmt::print("\nwritten: {0}/summary.md, {0}/results.json, {0}/*-pareto.svg, {0}/records/{1}\n",
             options.out.string(),
             journal ? fmt::format("; runs recorded in {} (joule ls --tag bench)",
                                   record::Ledger::resolve_path(driver.ledger).string())
                     : "");
  return status;
}

}  // namespace joule::bench
