#include "run/process_tree.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <deque>
#include <set>

#include <fmt/format.h>

namespace joule::run {
namespace {

// Next space-separated field of `text` from `pos`; empty at the end.
std::string_view next_field(std::string_view text, std::size_t& pos) {
  while (pos < text.size() && text[pos] == ' ') ++pos;
  std::size_t end = text.find(' ', pos);
  if (end == std::string_view::npos) end = text.size();
  std::string_view field = text.substr(pos, end - pos);
  pos = end;
  return field;
}

template <typename T>
bool parse_number(std::string_view field, T& out) {
  auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), out);
  return ec == std::errc() && ptr == field.data() + field.size();
}

// Reads a small file with plain syscalls: /proc files are read whole in one
// call, and this runs for every process on the machine once a second.
std::optional<std::string> read_small_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buffer[1024];
  ssize_t n = ::read(fd, buffer, sizeof buffer);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  return std::string(buffer, static_cast<std::size_t>(n));
}

// Reads a /proc file to its end: a children list has no size bound (one
// "PID " per child), unlike a stat line.
std::string read_whole_file(const std::string& path) {
  std::string text;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

}  // namespace

std::optional<ProcessStat> parse_process_stat(std::string_view text) {
  // "pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt
  //  majflt cmajflt utime stime cutime cstime priority nice num_threads
  //  itrealvalue starttime ..." (proc(5)).
  std::size_t open = text.find('(');
  std::size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return std::nullopt;
  }
  ProcessStat stat;
  std::string_view pid_text = text.substr(0, open);
  while (!pid_text.empty() && pid_text.back() == ' ') pid_text.remove_suffix(1);
  if (!parse_number(pid_text, stat.pid)) return std::nullopt;
  stat.comm = std::string(text.substr(open + 1, close - open - 1));

  std::size_t pos = close + 1;
  std::string_view state = next_field(text, pos);
  if (state.size() != 1) return std::nullopt;
  stat.state = state[0];
  // Fields 4.. (1-based, as proc(5) numbers them).
  std::uint64_t values[19] = {};  // fields 4..22
  for (int i = 0; i < 19; ++i) {
    std::string_view field = next_field(text, pos);
    if (field.empty()) return std::nullopt;
    // tty_nr, tpgid, priority, nice may be negative; we only keep unsigned ones.
    if (field[0] == '-') continue;
    if (!parse_number(field, values[i])) return std::nullopt;
  }
  stat.ppid = static_cast<pid_t>(values[0]);     // 4
  stat.pgrp = static_cast<pid_t>(values[1]);     // 5
  stat.session = static_cast<pid_t>(values[2]);  // 6
  stat.utime_ticks = values[14 - 4];             // 14
  stat.stime_ticks = values[15 - 4];             // 15
  stat.cutime_ticks = values[16 - 4];            // 16
  stat.cstime_ticks = values[17 - 4];            // 17
  stat.start_ticks = values[22 - 4];             // 22
  return stat;
}

double clock_ticks_per_second() {
  static const double ticks = [] {
    long v = ::sysconf(_SC_CLK_TCK);
    return v > 0 ? static_cast<double>(v) : 100.0;
  }();
  return ticks;
}

ProcessTree::ProcessTree(pid_t root, Options options) : root_(root), options_(std::move(options)) {}

std::vector<ProcessStat> ProcessTree::read_every_process() const {
  std::vector<ProcessStat> all;
  all.reserve(256);
  DIR* dir = ::opendir(options_.proc_root.c_str());
  if (!dir) return all;
  const std::string prefix = options_.proc_root.string() + "/";
  while (dirent* entry = ::readdir(dir)) {
    const char* name = entry->d_name;
    if (name[0] < '0' || name[0] > '9') continue;
    auto text = read_small_file(prefix + name + "/stat");
    if (!text) continue;  // exited since readdir
    if (auto stat = parse_process_stat(*text)) all.push_back(std::move(*stat));
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
    std::string text = read_whole_file(task_dir + "/" + entry->d_name + "/children");
    std::replace(text.begin(), text.end(), '\n', ' ');
    std::size_t pos = 0;
    for (auto field = next_field(text, pos); !field.empty(); field = next_field(text, pos)) {
      pid_t child = 0;
      if (parse_number(field, child)) children.push_back(child);
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
  const std::string prefix = options_.proc_root.string() + "/";
  while (!pending.empty()) {
    const pid_t pid = pending.back();
    pending.pop_back();
    if (!visited.insert(pid).second) continue;
    auto text = read_small_file(prefix + std::to_string(pid) + "/stat");
    if (!text) continue;  // exited
    auto stat = parse_process_stat(*text);
    if (!stat) continue;
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
