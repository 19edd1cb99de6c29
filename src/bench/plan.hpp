#pragma once
// What one `joule bench` invocation runs: tasks, models and seeds in a
// randomized order. Each task's work budget is its own (task.hpp).
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "bench/engine/engine.hpp"

namespace joule::bench {

struct BenchOptions {
  bool quick = false;
  std::vector<std::string> tasks;   // empty: quick -> the quick-mode tasks, full -> every task
  std::vector<std::string> models;  // empty: every registered model of each task
  int seeds = 0;                    // 0: quick -> 1, full -> 3
  int threads = 0;                  // 0: every core
  std::vector<double> tiers;        // overrides the task's tiers when set
  std::filesystem::path out = "joule-bench";
  std::filesystem::path fashion_dir = kDefaultFashionMnistDir;
  std::filesystem::path austen_rdb = default_austen_rdb;
  bool variants = true;
  std::uint64_t order_seed = 0;  // 0: chosen at random and reported
};

struct PlannedRun {
  std::string model;
  std::uint64_t seed = 0;
};

// Every (model, seed) pair, shuffled with `order_seed` so that no model always
// runs first (warm caches, thermal state, a neighbour's load). Models listed in
// `first` (a task's baselines, which set its tiers) run before the rest.
std::vector<PlannedRun> plan_runs(const std::vector<std::string>& models, int seeds,
                                  std::uint64_t order_seed, const std::vector<std::string>& first);

// "0.84,0.88": ascending numbers; throws std::invalid_argument naming the
// offending item.
std::vector<double> parse_tiers(std::string_view text);

// The models of `task` in `registry`, or those of `asked` that belong to it.
// Throws std::invalid_argument naming a model that no task knows, with the
// known ones.
std::vector<std::string> select_models(std::string_view task, const std::vector<std::string>& asked,
                                       const std::vector<ModelInfo>& registry);

}  // namespace joule::bench
