#include "outputs.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "bench/analysis.hpp"
#include "bench/report.hpp"
#include "support/files.hpp"

namespace joule::bench {
namespace {

namespace fs = std::filesystem;

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

// The family is the registry's; runs recorded before runs carried it get it
// here, so that merged older pieces still join the matched comparison.
std::vector<RunResult> runs_of(const std::string& task, const std::vector<RunResult>& runs) {
  std::vector<RunResult> kept;
  for (const RunResult& run : runs) {
    if (run.task != task) continue;
    kept.push_back(run);
    if (!kept.back().family.empty()) continue;
    const auto& models = registered_models();
    const auto info = std::find_if(models.begin(), models.end(), [&](const ModelInfo& model) {
      return model.task == task && model.name == run.model;
    });
    if (info != models.end()) kept.back().family = info->family;
  }
  return kept;
}

// The directory's provenance, with the machines of its pieces: one machine
// is named as the host, several are said to be mixed.
MeasurementSetup provenance_of(const BenchManifest& manifest, const std::vector<RunResult>& runs) {
  MeasurementSetup provenance = manifest.provenance;
  provenance.machines = machines_of(runs);
  if (provenance.machines.size() > 1) {
    provenance.host = fmt::format("{} machines (mixed)", provenance.machines.size());
  }
  return provenance;
}

}  // namespace

TaskInfo definition_from_runs(const Task& task, const std::vector<double>& tiers_override,
                              const std::vector<RunResult>& runs) {
  TaskInfo info = task.definition();
  if (!tiers_override.empty()) {
    info.tiers = tiers_override;
    info.tier_note = "set with --tiers";
    return info;
  }
  for (const RunResult& run : runs) {
    if (run.task != task.name()) continue;
    if (std::optional<TaskInfo> set = task.tiers_after(info, run)) info = std::move(*set);
  }
  return info;
}

int write_outputs(const fs::path& dir, const BenchManifest& manifest,
                  const std::vector<RunResult>& runs, std::vector<std::string> notes) {
  const MeasurementSetup provenance = provenance_of(manifest, runs);
  if (const std::string mixed = mixed_machines_line(provenance); !mixed.empty()) {
    notes.push_back(mixed);
  }
  nlohmann::json tasks = nlohmann::json::array();
  nlohmann::json runs_json = nlohmann::json::array();
  std::vector<TaskSummary> summaries;
  int status = 0;
  for (const std::string& name : manifest.tasks) {
    const std::vector<RunResult> task_runs = runs_of(name, runs);
    if (task_runs.empty()) continue;
    note_disturbed(task_runs, notes);
    TaskSummary summary =
        summarize(definition_from_runs(find_task(name), manifest.tiers, task_runs), task_runs);
    fmt::print("\n{}\n", terminal_table(summary, provenance));
    try {
      support::write_file_atomically(dir / (name + "-pareto.svg"), pareto_svg(summary, provenance));
    } catch (const std::exception& error) {
      fmt::print(stderr, "joule bench: {}\n", error.what());
      status = 2;
    }
    for (const RunResult& run : task_runs) runs_json.push_back(to_json(run));
    tasks.push_back(to_json(summary));
    summaries.push_back(std::move(summary));
  }
  for (const std::string& note : notes) fmt::print("note: {}\n", note);
  if (summaries.empty()) {
    fmt::print(stderr, "joule bench: {}: no finished piece to report\n", dir.string());
    return 2;
  }
  nlohmann::json results;
  results["format_version"] = kResultsFormatVersion;
  results["provenance"] = to_json(provenance);
  results["order_seed"] = manifest.order_seed;
  results["seeds"] = manifest.seeds;
  results["tasks"] = tasks;
  results["runs"] = runs_json;
  results["notes"] = notes;
  try {
    support::write_file_atomically(dir / "results.json", results.dump(2) + "\n");
    support::write_file_atomically(dir / "summary.md",
                                   markdown_report(summaries, provenance, "{task}-pareto.svg"));
  } catch (const std::exception& error) {
    fmt::print(stderr, "joule bench: {}\n", error.what());
    return 2;
  }
  fmt::print(
      "\nwritten: {0}/summary.md, {0}/results.json, {0}/*-pareto.svg ({1} piece(s) in "
      "{0}/pieces)\n",
      dir.string(), runs.size());
  return status;
}

int run_merge(const std::vector<fs::path>& dirs, const fs::path& out) {
  if (fs::exists(out / "bench.json")) {
    fmt::print(stderr, "joule bench: --merge: {} already holds a benchmark; choose a new --out\n",
               out.string());
    return 2;
  }
  try {
    MergedPieces merged = merge_directories(dirs);
    for (const RunResult& run : merged.runs) write_piece(out, run);
    fs::create_directories(out / "records");
    for (const fs::path& record : merged.record_files) {
      fs::copy_file(record, out / "records" / record.filename(), fs::copy_options::skip_existing);
    }
    write_manifest(out, merged.manifest);
    fmt::print("joule bench: merged {} piece(s) of {} into {}\n", merged.runs.size(),
               fmt::join(merged.manifest.merged_from, ", "), out.string());
    return write_outputs(out, merged.manifest, merged.runs, merged.notes);
  } catch (const std::exception& error) {
    fmt::print(stderr, "joule bench: {}\n", error.what());
    return 2;
  }
}

}  // namespace joule::bench
