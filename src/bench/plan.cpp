#include "bench/plan.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <random>
#include <stdexcept>

namespace joule::bench {

std::vector<PlannedRun> plan_runs(const std::vector<std::string>& models, int seeds,
                                  std::uint64_t order_seed, const std::vector<std::string>& first) {
  std::vector<PlannedRun> leading;
  std::vector<PlannedRun> rest;
  for (const std::string& model : models) {
    const bool goes_first = std::find(first.begin(), first.end(), model) != first.end();
    for (int seed = 1; seed <= seeds; ++seed) {
      (goes_first ? leading : rest).push_back({model, static_cast<std::uint64_t>(seed)});
    }
  }
  std::mt19937_64 order(order_seed);
  // Fisher-Yates with our own index draw: std::shuffle's sequence differs
  // between standard libraries, and the order is part of the report.
  for (std::size_t i = rest.size(); i > 1; --i) {
    std::swap(rest[i - 1], rest[order() % i]);
  }
  leading.insert(leading.end(), rest.begin(), rest.end());
  return leading;
}

std::vector<double> parse_tiers(std::string_view text) {
  std::vector<double> tiers;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, comma - start);
    double tier = 0;
    const auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), tier);
    if (item.empty() || error != std::errc() || end != item.data() + item.size() || tier <= 0) {
      throw std::invalid_argument(fmt::format(
          "--tiers: '{}' is not a positive number (expected e.g. 0.84,0.88,0.91)", item));
    }
    tiers.push_back(tier);
    start = comma + 1;
  }
  return tiers;
}

std::vector<std::string> select_models(std::string_view task, const std::vector<std::string>& asked,
                                       const std::vector<ModelInfo>& registry) {
  std::vector<std::string> of_task;
  std::vector<std::string> everywhere;
  for (const ModelInfo& model : registry) {
    if (model.task == task) of_task.push_back(model.name);
    everywhere.push_back(fmt::format("{} ({})", model.name, model.task));
  }
  if (asked.empty()) return of_task;
  std::vector<std::string> chosen;
  for (const std::string& name : asked) {
    const bool anywhere = std::any_of(registry.begin(), registry.end(),
                                      [&](const ModelInfo& model) { return model.name == name; });
    if (!anywhere) {
      throw std::invalid_argument(fmt::format("--models: no task has a model '{}' (known: {})",
                                              name, fmt::join(everywhere, ", ")));
    }
    if (std::find(of_task.begin(), of_task.end(), name) != of_task.end()) chosen.push_back(name);
  }
  return chosen;
}

}  // namespace joule::bench
