#pragma once
// A benchmark task: its data, its metric and quality tiers, how much work a
// run does, and how a model of the task is trained and served. Each task is
// one file (task_<name>.cpp) and one entry in the list of tasks.cpp; the
// driver asks the list and never branches on a task's name. Free of LibTorch,
// like engine.hpp.
#include <any>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench/engine/engine.hpp"
#include "bench/plan.hpp"

namespace joule::bench {

// A task's loaded data, of the type its own file reads (FashionMnist,
// CharCorpus, ...). Only the task that loaded it looks inside.
using TaskData = std::any;

class Task {
 public:
  explicit Task(TaskInfo definition) : definition_(std::move(definition)) {}
  virtual ~Task() = default;
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;

  const std::string& name() const { return definition_.name; }
  // Metric, direction and tiers before any run. Tiers that a baseline sets
  // are placeholders until tiers_after() replaces them.
  const TaskInfo& definition() const { return definition_; }

  // Whether --quick runs this task when no --task is given (full mode runs
  // every task).
  virtual bool in_quick_mode() const { return false; }
  // How much work each run does in quick or full mode.
  virtual Budget budget(bool quick) const = 0;
  // The data a run under `budget` needs, from the locations in `options`.
  // Throws DataError naming the missing or corrupt file.
  virtual TaskData load(const BenchOptions& options, const Budget& budget) const = 0;

  // Models that always run, before the others, because the tiers are set
  // from them.
  virtual std::vector<std::string> baselines() const { return {}; }
  // The task definition once `run` has finished, when that run sets the
  // tiers; nullopt when `current` stands.
  virtual std::optional<TaskInfo> tiers_after(const TaskInfo& /*current*/,
                                              const RunResult& /*run*/) const {
    return std::nullopt;
  }

  // One model, one seed (RunRequest) on data from load(), or on data of the
  // same type made by a test. Throws std::invalid_argument for a model the
  // task does not have.
  virtual RunResult run(const RunRequest& request, const TaskData& data,
                        EnergyProbe& probe) const = 0;

  // Tests: train `steps` mini-batches of `model` on the first few samples of
  // `data` and return the training loss after each step (it must fall).
  virtual std::vector<double> smoke_train(const std::string& model, const TaskData& data,
                                          std::size_t steps, std::uint64_t seed) const = 0;

 private:
  TaskInfo definition_;
};

// Every task, in the order of `--task all` and of the reports.
const std::vector<std::unique_ptr<const Task>>& registered_tasks();

// Throws std::invalid_argument naming `name` and the known tasks.
const Task& find_task(std::string_view name);

std::vector<std::string> task_names();

}  // namespace joule::bench
