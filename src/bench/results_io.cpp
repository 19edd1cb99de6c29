#include "bench/results_io.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "record/json_io.hpp"
#include "support/files.hpp"

namespace joule::bench {
namespace {

using nlohmann::json;

// Walks results.json naming where it is, so that an error says
// "results.json: runs[3].training.joules: expected a number".
class Reader {
 public:
  Reader(std::string file, const json& value, std::string path = "")
      : file_(std::move(file)), value_(value), path_(std::move(path)) {}

  Reader operator[](const char* key) const {
    const std::string where = path_.empty() ? key : path_ + "." + key;
    if (!value_.is_object() || !value_.contains(key)) fail(where, "missing");
    return Reader(file_, value_.at(key), where);
  }
  Reader at(std::size_t index) const {
    return Reader(file_, value_.at(index), fmt::format("{}[{}]", path_, index));
  }
  std::size_t size() const {
    if (!value_.is_array()) fail(path_, "expected an array");
    return value_.size();
  }
  bool has(const char* key) const { return value_.is_object() && value_.contains(key); }
  // null is NaN: results.json writes non-finite numbers as null.
  double number() const {
    if (value_.is_null()) return NAN;
    if (!value_.is_number()) fail(path_, "expected a number");
    return value_.get<double>();
  }
  std::string text() const {
    if (!value_.is_string()) fail(path_, "expected a string");
    return value_.get<std::string>();
  }
  bool boolean() const {
    if (!value_.is_boolean()) fail(path_, "expected true or false");
    return value_.get<bool>();
  }
  [[noreturn]] void fail(const std::string& what) const { fail(path_, what); }
  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw ResultsError(fmt::format("{}: {}: {}", file_, where, what));
  }

 private:
  std::string file_;
  const json& value_;
  std::string path_;
};

Cost read_cost(const Reader& r) {
  Cost cost;
  cost.energy = Joules{r["joules"].number()};
  cost.duration = Seconds{r["seconds"].number()};
  cost.relative_uncertainty = r["relative_uncertainty"].number();
  cost.idle_energy = Joules{r["idle_joules"].number()};
  cost.self_cpu_time = Seconds{r["self_cpu_seconds"].number()};
  cost.other_cpu_time = Seconds{r["other_cpu_seconds"].number()};
  return cost;
}

InferenceResult read_inference(const Reader& r) {
  InferenceResult result;
  result.variant = r["variant"].text();
  result.baseline = r["baseline"].text();
  result.batch = static_cast<int>(r["batch"].number());
  result.threads = static_cast<int>(r["threads"].number());
  result.supported = r["supported"].boolean();
  result.note = r["note"].text();
  result.samples = r["samples"].number();
  result.energy_per_1000 = Joules{r["j_per_1000"].number()};
  result.latency_ms = r["latency_ms"].number();
  result.quality = r["quality"].number();
  result.cost = read_cost(r["cost"]);
  return result;
}

StopReason read_stop_reason(const Reader& r) {
  const std::string name = r.text();
  const std::optional<StopReason> reason = parse_stop_reason(name);
  if (!reason) {
    r.fail("expected last_tier, plateau, single_pass, epoch_cap, time_cap or unknown, not '" +
           name + "'");
  }
  return *reason;
}

// Format 2's tuning: every learning rate tried and the cost of the others.
void read_tuning(const Reader& r, RunResult& run) {
  run.tuning = read_cost(r["cost"]);
  const Reader trials = r["trials"];
  for (std::size_t i = 0; i < trials.size(); ++i) {
    const Reader trial = trials.at(i);
    run.tuning_trials.push_back({trial["learning_rate"].number(), trial["quality"].number(),
                                 read_cost(trial["training"]),
                                 read_stop_reason(trial["stopped_by"]), trial["chosen"].boolean()});
  }
}

// Fields format 1 lacks: format 1 scored everything on test, so its
// final_quality is kept as it was and the test score is unknown.
void read_format2_fields(const Reader& r, RunResult& run) {
  run.test_quality = r.has("test_quality") ? r["test_quality"].number() : NAN;
  run.stopped_by = r.has("stopped_by") ? read_stop_reason(r["stopped_by"]) : StopReason::unknown;
  if (r.has("learning_rate")) run.learning_rate = r["learning_rate"].number();
  if (r.has("tuning")) read_tuning(r["tuning"], run);
  if (r.has("machine")) run.machine = r["machine"].text();
  if (r.has("family")) run.family = r["family"].text();
  run.wall_duration = Seconds{r.has("wall_seconds") ? r["wall_seconds"].number() : NAN};
}

}  // namespace

RunResult read_run(const nlohmann::json& value, const std::string& file, const std::string& path) {
  const Reader r(file, value, path);
  RunResult run;
  run.task = r["task"].text();
  run.model = r["model"].text();
  run.seed = static_cast<std::uint64_t>(r["seed"].number());
  run.parameters = r["parameters"].number();
  run.flops_per_sample = r["flops_per_sample"].number();
  run.final_quality = r["final_quality"].number();
  run.training = read_cost(r["training"]);
  const Reader curve = r["curve"];
  for (std::size_t i = 0; i < curve.size(); ++i) {
    const Reader point = curve.at(i);
    run.curve.push_back({point["epochs"].number(), Seconds{point["seconds"].number()},
                         Joules{point["joules"].number()}, point["quality"].number()});
  }
  const Reader inference = r["inference"];
  for (std::size_t i = 0; i < inference.size(); ++i) {
    run.inference.push_back(read_inference(inference.at(i)));
  }
  run.disturbed = r["disturbed"].boolean();
  const Reader warnings = r["warnings"];
  for (std::size_t i = 0; i < warnings.size(); ++i) run.warnings.push_back(warnings.at(i).text());
  read_format2_fields(r, run);
  return run;
}

namespace {

TaskInfo read_task(const Reader& r) {
  TaskInfo task;
  task.name = r["name"].text();
  task.metric = r["metric"].text();
  const std::string direction = r["direction"].text();
  if (direction != "higher_is_better" && direction != "lower_is_better") {
    r["direction"].fail("task.direction",
                        "expected higher_is_better or lower_is_better, not '" + direction + "'");
  }
  task.direction =
      direction == "higher_is_better" ? Direction::higher_is_better : Direction::lower_is_better;
  const Reader tiers = r["tiers"];
  for (std::size_t i = 0; i < tiers.size(); ++i) task.tiers.push_back(tiers.at(i).number());
  task.tier_note = r["tier_note"].text();
  return task;
}

}  // namespace

MeasurementSetup read_measurement_setup(const nlohmann::json& value, const std::string& file,
                                        const std::string& path) {
  const Reader r(file, value, path);
  MeasurementSetup setup;
  setup.energy_source = r["energy_source"].text();
  setup.modelled = r["modelled"].boolean();
  setup.relative_uncertainty = r["relative_uncertainty"].number();
  setup.host = r["host"].text();
  setup.blas = r["blas"].text();
  setup.threads = static_cast<int>(r["threads"].number());
  setup.torch_version = r["torch_version"].text();
  setup.mode = r["mode"].text();
  setup.date_utc = r["date_utc"].text();
  if (r.has("machines")) {
    const Reader machines = r["machines"];
    for (std::size_t i = 0; i < machines.size(); ++i) {
      setup.machines.push_back(machines.at(i).text());
    }
  }
  return setup;
}

namespace {

std::vector<record::RunRecord> read_records(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "records", error)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<record::RunRecord> records;
  records.reserve(files.size());
  for (const auto& file : files) records.push_back(record::read_json_file(file));
  return records;
}

}  // namespace

BenchResults read_bench_results(const std::filesystem::path& dir) {
  const std::filesystem::path file = dir / "results.json";
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) {
    throw ResultsError(
        fmt::format("{}: no such directory (joule bench --out DIR writes one)", dir.string()));
  }
  const auto text = support::read_file(file);
  if (!text) {
    throw ResultsError(fmt::format(
        "{}: no results.json: not the output of a finished joule bench (joule bench --out {})",
        dir.string(), dir.string()));
  }
  json root;
  try {
    root = json::parse(*text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number past double
    throw ResultsError(fmt::format("{}: not valid JSON: {}", file.string(), e.what()));
  }
  const Reader reader(file.string(), root);
  // Format 1 has no version; a newer one than this joule knows is refused
  // rather than half read.
  if (reader.has("format_version") && reader["format_version"].number() > kResultsFormatVersion) {
    reader["format_version"].fail(
        "format_version", fmt::format("written by a newer joule (format {}); this one reads "
                                      "formats 1 to {}",
                                      reader["format_version"].number(), kResultsFormatVersion));
  }
  BenchResults results;
  results.dir = dir;
  reader["provenance"];  // names the file when the key is missing
  results.provenance = read_measurement_setup(root.at("provenance"), file.string(), "provenance");
  const Reader runs = reader["runs"];
  for (std::size_t i = 0; i < runs.size(); ++i) {
    results.runs.push_back(
        read_run(root.at("runs").at(i), file.string(), fmt::format("runs[{}]", i)));
  }
  const Reader tasks = reader["tasks"];
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    results.summaries.push_back(summarize(read_task(tasks.at(i)["task"]), results.runs));
  }
  if (results.summaries.empty()) reader["tasks"].fail("tasks", "no task has results");
  if (reader.has("notes")) {
    const Reader notes = reader["notes"];
    for (std::size_t i = 0; i < notes.size(); ++i) results.notes.push_back(notes.at(i).text());
  }
  results.records = read_records(dir);
  return results;
}

std::string bench_out_name(const BenchResults& results) {
  std::filesystem::path dir = results.dir;
  if (dir.filename().empty()) dir = dir.parent_path();  // "quick/"
  std::string name = dir.filename().string();
  return name.empty() || name == "." || name == ".." ? "joule-bench" : name;
}

namespace {

// The record of this task and model; the first record when they are empty.
const record::RunRecord* record_of(const BenchResults& results, const std::string& task,
                                   const std::string& model) {
  for (const auto& record : results.records) {
    const auto task_tag = record.tags.find("bench");
    const auto model_tag = record.tags.find("model");
    const bool task_ok =
        task.empty() || (task_tag != record.tags.end() && task_tag->second == task);
    const bool model_ok =
        model.empty() || (model_tag != record.tags.end() && model_tag->second == model);
    if (task_ok && model_ok && !record.command.empty()) return &record;
  }
  return nullptr;
}

}  // namespace

std::string reproduce_bench_command(const BenchResults& results, const std::string& task,
                                    const std::string& model) {
  std::string command = "joule bench";
  if (const record::RunRecord* record = record_of(results, task, model)) {
    const auto& argv = record->command;
    for (std::size_t i = 1; i < argv.size(); ++i) {
      if (argv[i] == "--out") {
        ++i;  // and its value
      } else if (!argv[i].starts_with("--out=")) {
        command += " " + argv[i];
      }
    }
  } else {
    command += " --" + results.provenance.mode;
    if (!task.empty()) command += " --task " + task;
    if (!model.empty()) command += " --models " + model;
  }
  return command + " --out " + bench_out_name(results);
}

}  // namespace joule::bench
