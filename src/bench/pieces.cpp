#include "bench/pieces.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "bench/results_io.hpp"
#include "support/files.hpp"

namespace joule::bench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kManifestName = "bench.json";

json parse_file(const fs::path& file) {
  const auto text = support::read_file(file);
  if (!text) throw PiecesError(fmt::format("{}: cannot read it", file.string()));
  try {
    return json::parse(*text);
  } catch (const json::exception& error) {  // parse_error, or out_of_range for a number past double
    throw PiecesError(fmt::format("{}: not valid JSON: {}", file.string(), error.what()));
  }
}

std::string list_or_every(const std::vector<std::string>& names, const char* every) {
  return names.empty() ? std::string(every) : fmt::format("{}", fmt::join(names, ", "));
}

// "fashion-mnist:" prefix and "/2" suffix of an --only item.
OnlySelector split_only_item(std::string_view item) {
  OnlySelector selector;
  if (const auto colon = item.find(':'); colon != std::string_view::npos) {
    selector.task = std::string(item.substr(0, colon));
    item.remove_prefix(colon + 1);
  }
  const auto slash = item.find('/');
  selector.model = std::string(item.substr(0, slash));
  if (slash == std::string_view::npos) return selector;
  const std::string_view seed = item.substr(slash + 1);
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(seed.data(), seed.data() + seed.size(), value);
  if (error != std::errc() || end != seed.data() + seed.size() || seed.empty()) {
    throw std::invalid_argument(
        fmt::format("--only {}: '{}' is not a seed number (expected MODEL or MODEL/SEED)",
                    std::string(item), std::string(seed)));
  }
  selector.seed = value;
  return selector;
}

bool has_model(const std::vector<ModelInfo>& registry, const std::string& task,
               const std::string& model) {
  return std::any_of(registry.begin(), registry.end(), [&](const ModelInfo& info) {
    return info.task == task && info.name == model;
  });
}

std::vector<std::string> known_models(const std::vector<ModelInfo>& registry,
                                      const std::vector<std::string>& tasks) {
  std::vector<std::string> known;
  for (const ModelInfo& info : registry) {
    if (std::find(tasks.begin(), tasks.end(), info.task) != tasks.end()) {
      known.push_back(fmt::format("{} ({})", info.name, info.task));
    }
  }
  return known;
}

void refuse(const fs::path& dir, const std::string& reason) {
  throw PiecesError(fmt::format("cannot resume {}: {}", dir.string(), reason));
}

}  // namespace

void write_manifest(const fs::path& dir, const BenchManifest& manifest) {
  const json value = {{"format_version", manifest.format_version},
                      {"joule_version", manifest.joule_version},
                      {"mode", manifest.mode},
                      {"tasks", manifest.tasks},
                      {"models", manifest.models},
                      {"seeds", manifest.seeds},
                      {"order_seed", manifest.order_seed},
                      {"threads", manifest.threads},
                      {"variants", manifest.variants},
                      {"tiers", manifest.tiers},
                      {"provenance", to_json(manifest.provenance)},
                      {"merged_from", manifest.merged_from}};
  fs::create_directories(dir);
  support::write_file_atomically(dir / kManifestName, value.dump(2) + "\n");
}

BenchManifest read_manifest(const fs::path& dir) {
  const fs::path file = dir / kManifestName;
  if (!fs::exists(file)) {
    throw PiecesError(fmt::format(
        "{}: no {}: not a directory that joule bench {} or later writes (joule bench --out DIR)",
        dir.string(), kManifestName, "with resumable pieces"));
  }
  const json root = parse_file(file);
  BenchManifest manifest;
  try {
    manifest.format_version = root.at("format_version").get<int>();
    manifest.joule_version = root.at("joule_version").get<std::string>();
    manifest.mode = root.at("mode").get<std::string>();
    manifest.tasks = root.at("tasks").get<std::vector<std::string>>();
    manifest.models = root.at("models").get<std::vector<std::string>>();
    manifest.seeds = root.at("seeds").get<int>();
    manifest.order_seed = root.at("order_seed").get<std::uint64_t>();
    manifest.threads = root.at("threads").get<int>();
    manifest.variants = root.at("variants").get<bool>();
    manifest.tiers = root.at("tiers").get<std::vector<double>>();
    manifest.merged_from = root.value("merged_from", std::vector<std::string>{});
  } catch (const json::exception& error) {
    throw PiecesError(fmt::format("{}: {}", file.string(), error.what()));
  }
  if (!root.contains("provenance")) {
    throw PiecesError(fmt::format("{}: provenance: missing", file.string()));
  }
  try {
    manifest.provenance =
        read_measurement_setup(root.at("provenance"), file.string(), "provenance");
  } catch (const ResultsError& error) {
    throw PiecesError(error.what());
  }
  return manifest;
}

void check_resumable(const fs::path& dir, const BenchManifest& recorded,
                     const ResumeRequest& asked) {
  if (recorded.format_version != kResultsFormatVersion) {
    refuse(dir, fmt::format("its pieces are in format {}, this joule writes format {}",
                            recorded.format_version, kResultsFormatVersion));
  }
  if (recorded.joule_version != asked.joule_version) {
    refuse(dir, fmt::format("it was started by joule {}, this is joule {}: pieces measured by "
                            "different code are not one benchmark (start a new --out)",
                            recorded.joule_version, asked.joule_version));
  }
  for (const std::string& task : recorded.tasks) {
    if (std::find(asked.known_tasks.begin(), asked.known_tasks.end(), task) ==
        asked.known_tasks.end()) {
      refuse(dir, fmt::format("its task '{}' is unknown to this joule (known: {})", task,
                              fmt::join(asked.known_tasks, ", ")));
    }
  }
  if (asked.mode && *asked.mode != recorded.mode) {
    refuse(dir, fmt::format("it is a {} mode benchmark, not {} mode", recorded.mode, *asked.mode));
  }
  if (asked.tasks && *asked.tasks != recorded.tasks) {
    refuse(dir, fmt::format("its tasks are {}, not {}", fmt::join(recorded.tasks, ", "),
                            fmt::join(*asked.tasks, ", ")));
  }
  if (asked.models && *asked.models != recorded.models) {
    refuse(dir,
           fmt::format("its models are {}, not {}", list_or_every(recorded.models, "every model"),
                       list_or_every(*asked.models, "every model")));
  }
  if (asked.seeds && *asked.seeds != recorded.seeds) {
    refuse(dir, fmt::format("it runs {} seed(s) per model, not {}", recorded.seeds, *asked.seeds));
  }
}

fs::path piece_file(const fs::path& dir, const std::string& task, const std::string& model,
                    std::uint64_t seed) {
  return dir / "pieces" / task / fmt::format("{}-seed{}.json", model, seed);
}

void write_piece(const fs::path& dir, const RunResult& run) {
  const fs::path file = piece_file(dir, run.task, run.model, run.seed);
  fs::create_directories(file.parent_path());
  const json piece = {{"format_version", kResultsFormatVersion}, {"run", to_json(run)}};
  support::write_file_atomically(file, piece.dump(1) + "\n");
}

std::vector<RunResult> read_pieces(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code error;
  for (const auto& entry : fs::recursive_directory_iterator(dir / "pieces", error)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<RunResult> runs;
  for (const fs::path& file : files) {
    const json piece = parse_file(file);
    if (!piece.is_object() || !piece.contains("run")) {
      throw PiecesError(fmt::format("{}: run: missing", file.string()));
    }
    try {
      runs.push_back(read_run(piece.at("run"), file.string(), "run"));
    } catch (const ResultsError& e) {
      throw PiecesError(e.what());
    }
    const RunResult& run = runs.back();
    if (file != piece_file(dir, run.task, run.model, run.seed)) {
      throw PiecesError(fmt::format("{}: holds {} {} seed {}, which belongs in {}", file.string(),
                                    run.task, run.model, run.seed,
                                    piece_file(dir, run.task, run.model, run.seed).string()));
    }
  }
  return runs;
}

std::vector<OnlySelector> parse_only(const std::vector<std::string>& items,
                                     const std::vector<std::string>& tasks,
                                     const std::vector<ModelInfo>& registry, int seeds) {
  std::vector<OnlySelector> selectors;
  for (const std::string& option : items) {
    std::size_t start = 0;
    while (start <= option.size()) {
      const std::size_t comma = std::min(option.find(',', start), option.size());
      const std::string item = option.substr(start, comma - start);
      start = comma + 1;
      if (item.empty())
        throw std::invalid_argument("--only: an empty item (expected MODEL[/SEED])");
      OnlySelector selector = split_only_item(item);
      if (!selector.task.empty() &&
          std::find(tasks.begin(), tasks.end(), selector.task) == tasks.end()) {
        throw std::invalid_argument(fmt::format("--only {}: task '{}' is not run here (tasks: {})",
                                                item, selector.task, fmt::join(tasks, ", ")));
      }
      const std::vector<std::string> scope =
          selector.task.empty() ? tasks : std::vector<std::string>{selector.task};
      const bool known = std::any_of(scope.begin(), scope.end(), [&](const std::string& task) {
        return has_model(registry, task, selector.model);
      });
      if (!known) {
        throw std::invalid_argument(fmt::format("--only {}: no model '{}' in {} (known: {})", item,
                                                selector.model, fmt::join(scope, ", "),
                                                fmt::join(known_models(registry, scope), ", ")));
      }
      if (selector.seed &&
          (*selector.seed < 1 || *selector.seed > static_cast<std::uint64_t>(seeds))) {
        throw std::invalid_argument(
            fmt::format("--only {}: seed {} is not one of this benchmark's seeds 1 to {}", item,
                        *selector.seed, seeds));
      }
      selectors.push_back(std::move(selector));
    }
  }
  return selectors;
}

bool selected(const std::vector<OnlySelector>& only, const std::string& task,
              const std::string& model, std::uint64_t seed) {
  if (only.empty()) return true;
  return std::any_of(only.begin(), only.end(), [&](const OnlySelector& selector) {
    return (selector.task.empty() || selector.task == task) && selector.model == model &&
           (!selector.seed || *selector.seed == seed);
  });
}

std::vector<PlannedRun> pending_runs(const std::string& task, const std::vector<PlannedRun>& plan,
                                     const std::vector<RunResult>& finished,
                                     const std::vector<OnlySelector>& only,
                                     const std::vector<std::string>& baselines) {
  auto is_finished = [&](const std::string& model, std::uint64_t seed) {
    return std::any_of(finished.begin(), finished.end(), [&](const RunResult& run) {
      return run.task == task && run.model == model && (seed == 0 || run.seed == seed);
    });
  };
  std::vector<PlannedRun> pending;
  for (const PlannedRun& run : plan) {
    if (selected(only, task, run.model, run.seed) && !is_finished(run.model, run.seed)) {
      pending.push_back(run);
    }
  }
  if (pending.empty()) return pending;
  std::vector<PlannedRun> needed;
  for (const std::string& baseline : baselines) {
    const bool pending_already =
        std::any_of(pending.begin(), pending.end(),
                    [&](const PlannedRun& run) { return run.model == baseline; });
    if (pending_already || is_finished(baseline, 0)) continue;
    const auto first = std::find_if(plan.begin(), plan.end(),
                                    [&](const PlannedRun& run) { return run.model == baseline; });
    if (first != plan.end()) needed.push_back(*first);
  }
  pending.insert(pending.begin(), needed.begin(), needed.end());
  return pending;
}

std::vector<std::string> machines_of(const std::vector<RunResult>& runs) {
  std::vector<std::string> machines;
  for (const RunResult& run : runs) {
    if (run.machine.empty()) continue;
    if (std::find(machines.begin(), machines.end(), run.machine) == machines.end()) {
      machines.push_back(run.machine);
    }
  }
  return machines;
}

namespace {

void check_mergeable(const fs::path& dir, const BenchManifest& first, const BenchManifest& other,
                     const fs::path& first_dir) {
  auto differ = [&](const std::string& what, const std::string& theirs, const std::string& ours) {
    throw PiecesError(fmt::format("cannot merge {} with {}: {} {} there, {} in {}", dir.string(),
                                  first_dir.string(), what, theirs, ours, first_dir.string()));
  };
  if (other.format_version != first.format_version) {
    differ("format", std::to_string(other.format_version), std::to_string(first.format_version));
  }
  if (other.joule_version != first.joule_version) {
    differ("joule version", other.joule_version, first.joule_version);
  }
  if (other.mode != first.mode) differ("mode", other.mode, first.mode);
  if (other.tiers != first.tiers) {
    differ("--tiers", fmt::format("{}", fmt::join(other.tiers, ",")),
           fmt::format("{}", fmt::join(first.tiers, ",")));
  }
}

void add_unique(std::vector<std::string>& into, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (std::find(into.begin(), into.end(), name) == into.end()) into.push_back(name);
  }
}

}  // namespace

MergedPieces merge_directories(const std::vector<fs::path>& dirs) {
  if (dirs.empty()) throw PiecesError("--merge needs at least one directory");
  MergedPieces merged;
  for (const fs::path& dir : dirs) {
    const BenchManifest manifest = read_manifest(dir);
    if (dir == dirs.front()) {
      merged.manifest = manifest;
      merged.manifest.merged_from.clear();
    } else {
      check_mergeable(dir, merged.manifest, manifest, dirs.front());
      add_unique(merged.manifest.tasks, manifest.tasks);
      merged.manifest.seeds = std::max(merged.manifest.seeds, manifest.seeds);
      if (merged.manifest.models.empty() || manifest.models.empty()) {
        merged.manifest.models.clear();
      } else {
        add_unique(merged.manifest.models, manifest.models);
      }
    }
    merged.manifest.merged_from.push_back(dir.string());
    for (RunResult& run : read_pieces(dir)) {
      const auto same = std::find_if(merged.runs.begin(), merged.runs.end(), [&](const auto& kept) {
        return kept.task == run.task && kept.model == run.model && kept.seed == run.seed;
      });
      if (same != merged.runs.end()) {
        merged.notes.push_back(fmt::format(
            "{} {} seed {} is in more than one directory: kept the first, left out {}'s", run.task,
            run.model, run.seed, dir.string()));
        continue;
      }
      merged.runs.push_back(std::move(run));
    }
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(dir / "records", error)) {
      if (entry.path().extension() == ".json") merged.record_files.push_back(entry.path());
    }
  }
  return merged;
}

}  // namespace joule::bench
