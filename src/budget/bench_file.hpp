#pragma once
// The results.json of `joule bench` (src/bench/report_json.cpp writes it),
// read as plain JSON: the budget needs the per-model summaries, not LibTorch
// or the bench layer.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "joule/carbon.hpp"

namespace joule::budget {

struct BenchTier {
  double tier = 0;
  std::optional<carbon::Estimate> energy_j;  // training energy to first reach it; none: never
};

struct BenchModel {
  std::string name;
  double flops_per_sample = 0;
  double quality = 0;  // median over seeds
  bool pareto = false;
  std::vector<BenchTier> tiers;
  std::optional<carbon::Estimate> batch1_j_per_1000;
  std::optional<carbon::Estimate> large_batch_j_per_1000;
  int large_batch = 0;
};

struct BenchTask {
  std::string name;
  std::string metric;
  bool higher_is_better = true;
  std::vector<double> tiers;
  std::vector<BenchModel> models;
};

struct BenchFile {
  std::filesystem::path path;
  std::string energy_source;  // "measured: system:psys (±5%)"
  bool modelled = false;
  double relative_uncertainty = 0;
  std::string date_utc;
  std::string host;
  std::vector<BenchTask> tasks;
};

// Throws DataError naming the file and what is missing.
BenchFile load_bench_file(const std::filesystem::path& path);

// The energy of one request (J) at `batch` (1 or the file's large batch), as
// measured; nullopt when the file has no figure for that batch.
std::optional<carbon::Estimate> joules_per_request(const BenchFile& file, const BenchModel& model,
                                                   int batch);
// The training energy to first reach `tier`; nullopt when no seed reached it.
std::optional<carbon::Estimate> joules_to_tier(const BenchFile& file, const BenchModel& model,
                                               double tier);

}  // namespace joule::budget
