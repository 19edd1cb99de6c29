#include "run/process_tree.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <deque>
#include <set>

#include <fmt/format.h>

#include "support/files.hpp"
#include "support/strings.hpp"

namespace joule::run {

using support::clock_ticks_per_second;
using support::ProcessStat;

namespace {

// A /proc directory or children-list entry as a pid; nullopt for anything else.
std::optional<pid_t> pid_from(std::string_view text) {
  pid_t pid = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), pid);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return pid;
}

}  // namespace

ProcessTree::ProcessTree(pid_t root, Options options) : root_(root), options_(std::move(options)) {}

std::vector<ProcessStat> ProcessTree::read_every_process() const {
  std::vector<ProcessStat> all;
  all.reserve(256);
  DIR* dir = ::opendir(options_.proc_root.c_str());
  if (!dir) return all;
  while (dirent* entry = ::readdir(dir)) {
    const auto pid = pid_from(entry->d_name);
    if (!pid) continue;
    // nullopt when it exited since readdir
    if (auto stat = support::read_process_stat(options_.proc_root, *pid)) {
      all.push_back(std::move(*stat));
    }
  }
  ::closedir(dir);
  return all;
}

std::vector<pid_t> ProcessTree::children_of(pid_t pid) const {
  std::vector<pid_t> children;
  const std::string task_dir = fmt::format("{}/{}/task", options_.proc_root.string(), pid);
  DIR* dir = ::opendir(task_dir.c_str());
  if (!dir) return children;  // exited
  while (dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    // Each thread lists the children it forked itself.
    std::string text =
        support::read_file(task_dir + "/" + entry->d_name + "/children").value_or("");
    std::replace(text.begin(), text.end(), '\n', ' ');
    for (std::string_view field : support::split_list(text, ' ')) {
      if (auto child = pid_from(field)) children.push_back(*child);
    }
  }
  ::closedir(dir);
  return children;
}

std::vector<ProcessStat> ProcessTree::read_descendants() const {
  std::vector<ProcessStat> found;
  std::set<pid_t> visited;
  std::vector<pid_t> pending;
  if (options_.supervisor != 0) {
    pending = children_of(options_.supervisor);
  } else {
    pending.push_back(root_);
  }
  // Processes tracked before stay tracked, as in a full scan (the caller
  // checks their start time against pid reuse).
  for (const auto& [pid, live] : live_) pending.push_back(pid);
  while (!pending.empty()) {
    const pid_t pid = pending.back();
    pending.pop_back();
    if (!visited.insert(pid).second) continue;
    auto stat = support::read_process_stat(options_.proc_root, pid);
    if (!stat) continue;  // exited
    found.push_back(std::move(*stat));
    for (pid_t child : children_of(pid)) pending.push_back(child);
  }
  return found;
}

void ProcessTree::scan() {
  if (!walk_children_) {
    // Decided once: the file exists for every live task when the kernel has
    // CONFIG_PROC_CHILDREN, and for none otherwise.
    const pid_t start = options_.supervisor != 0 ? options_.supervisor : root_;
    std::error_code error;
    walk_children_ = std::filesystem::exists(
        options_.proc_root / std::to_string(start) / "task" / std::to_string(start) / "children",
        error);
  }
  std::vector<ProcessStat> all = *walk_children_ ? read_descendants() : read_every_process();

  // Fixed point from the roots: the parent may have a larger pid than its child
  // after pid wrap-around, so one pass in /proc order is not enough.
  std::map<pid_t, std::vector<std::size_t>> children;
  std::map<pid_t, std::size_t> by_pid;
  for (std::size_t i = 0; i < all.size(); ++i) {
    children[all[i].ppid].push_back(i);
    by_pid[all[i].pid] = i;
  }
  std::set<pid_t> in_tree;
  std::deque<std::size_t> queue;
  auto add = [&](std::size_t index) {
    if (in_tree.insert(all[index].pid).second) queue.push_back(index);
  };
  for (std::size_t i = 0; i < all.size(); ++i) {
    const ProcessStat& p = all[i];
    bool previously = false;
    if (auto it = live_.find(p.pid); it != live_.end()) {
      previously = it->second.start_ticks == p.start_ticks;  // not a reused pid
    }
    bool orphan = options_.supervisor != 0 && p.ppid == options_.supervisor;
    bool group = options_.process_group != 0 && p.pgrp == options_.process_group;
    if (p.pid == root_ || previously || orphan || group) add(i);
  }
  while (!queue.empty()) {
    std::size_t index = queue.front();
    queue.pop_front();
    if (auto it = children.find(all[index].pid); it != children.end()) {
      for (std::size_t child : it->second) add(child);
    }
  }

  std::map<pid_t, Live> next;
  for (pid_t pid : in_tree) {
    const ProcessStat& p = all[by_pid.at(pid)];
    Live live;
    live.start_ticks = p.start_ticks;
    live.ticks = p.with_children_ticks();
    live.zombie_of_supervisor =
        p.state == 'Z' && options_.supervisor != 0 && p.ppid == options_.supervisor;
    next.emplace(pid, live);
  }
  live_ = std::move(next);
}

void ProcessTree::add_reaped(pid_t pid, Seconds cpu) {
  live_.erase(pid);
  reaped_seconds_ += cpu.seconds;
}

Seconds ProcessTree::cpu_time() {
  std::uint64_t ticks = 0;
  for (const auto& [pid, live] : live_) {
    if (!live.zombie_of_supervisor) ticks += live.ticks;
  }
  double total = reaped_seconds_ + static_cast<double>(ticks) / clock_ticks_per_second();
  floor_seconds_ = std::max(floor_seconds_, total);
  return {floor_seconds_};
}

std::vector<pid_t> ProcessTree::live_pids() const {
  std::vector<pid_t> pids;
  for (const auto& [pid, live] : live_) {
    if (!live.zombie_of_supervisor) pids.push_back(pid);
  }
  return pids;
}

}  // namespace joule::run
