// The list of tasks, in the order of `--task all` and of the reports. Adding a
// task is its file (task_<name>.cpp, defining make_<name>_task) and its entry
// here: the declaration below and one line in make_tasks().
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>

#include "bench/engine/task.hpp"

namespace joule::bench {

std::unique_ptr<const Task> make_fashion_mnist_task();  // task_fashion_mnist.cpp
std::unique_ptr<const Task> make_austen_chars_task();   // task_austen_chars.cpp
std::unique_ptr<const Task> make_austen_novel_task();   // task_austen_novel.cpp

namespace {

std::vector<std::unique_ptr<const Task>> make_tasks() {
  std::vector<std::unique_ptr<const Task>> tasks;
  tasks.push_back(make_fashion_mnist_task());
  tasks.push_back(make_austen_chars_task());
  tasks.push_back(make_austen_novel_task());
  return tasks;
}

}  // namespace

const std::vector<std::unique_ptr<const Task>>& registered_tasks() {
  static const std::vector<std::unique_ptr<const Task>> tasks = make_tasks();
  return tasks;
}

const Task& find_task(std::string_view name) {
  for (const auto& task : registered_tasks()) {
    if (task->name() == name) return *task;
  }
  throw std::invalid_argument(
      fmt::format("no task '{}' (known: {})", name, fmt::join(task_names(), ", ")));
}

std::vector<std::string> task_names() {
  std::vector<std::string> names;
  for (const auto& task : registered_tasks()) names.push_back(task->name());
  return names;
}

}  // namespace joule::bench
