#pragma once
// What one `joule bench` invocation runs: tasks, models, seeds in a
// randomized order, and the work budget of quick and full mode.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "bench/engine/engine.hpp"

namespace joule::bench {

inline constexpr const char* fashion_mnist = "fashion-mnist";
inline constexpr const char* austen_chars = "austen-chars";

struct BenchOptions {
  bool quick = false;
  std::vector<std::string> tasks;   // empty: quick -> fashion-mnist, full -> both
  std::vector<std::string> models;  // empty: every registered model of each task
  int seeds = 0;                    // 0: quick -> 1, full -> 3
  int threads = 0;                  // 0: every core
  std::vector<double> tiers;        // overrides the task's tiers when set
  std::filesystem::path out = "joule-bench";
  std::filesystem::path fashion_dir = default_fashion_mnist_dir;
  std::filesystem::path austen_rdb = default_austen_rdb;
  bool variants = true;
  std::uint64_t order_seed = 0;  // 0: chosen at random and reported
};

struct PlannedRun {
  std::string model;
  std::uint64_t seed = 0;
};

// How much work each run of `task` does in quick or full mode.
Budget budget_for(std::string_view task, bool quick);

// Every (model, seed) pair, shuffled with `order_seed` so that no model always
// runs first (warm caches, thermal state, a neighbour's load). Models listed in
// `first` (the n-gram baseline that sets the austen-chars tiers) run before
// the rest.
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
