#pragma once
// Following a command's process tree through /proc, so its CPU time can be
// counted when no cgroup of its own is available.
//
// How every descendant stays visible: the supervisor (joule) makes itself a
// child subreaper (prctl PR_SET_CHILD_SUBREAPER), so a grandchild that
// detaches (double fork + setsid) is reparented to joule instead of init. A
// process is in the tree when it is the root, its parent is in the tree, its
// parent is the supervisor, or it is in the root's process group. (When the
// tree is walked through the children files, only descendants are read, so a
// process that joined the group without descending from the supervisor is
// not seen; with joule as subreaper every process the command starts is a
// descendant.)
//
// How CPU time is summed without double counting: each live process counts
// utime+stime (itself) + cutime+cstime (its children it has waited for, whose
// own entries are gone from /proc). Processes the supervisor reaps (the root,
// and orphans reparented to it) are counted from wait4's rusage, handed in
// with add_reaped(). A child that exits and is reaped by a process in the tree
// moves into its parent's cutime, so the sum does not drop; a process that
// lives and dies between two scans is still counted through its parent.
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "joule/units.hpp"
#include "support/proc.hpp"

namespace joule::run {

class ProcessTree {
 public:
  struct Options {
    // Where to read processes from. Always the real /proc in production: the
    // sensors' JOULE_PROC_ROOT fixture has nothing to do with the command.
    std::filesystem::path proc_root = "/proc";
    // The process that started the root and reaps orphans (joule itself);
    // 0 = none (tests that build a tree from a fixture).
    pid_t supervisor = 0;
    // The command's own process group (the root leads it); 0 = do not use.
    pid_t process_group = 0;
  };

  ProcessTree(pid_t root, Options options);

  // Reads /proc once and updates the tree. Where the kernel lists each task's
  // children (/proc/PID/task/TID/children, CONFIG_PROC_CHILDREN) it walks down
  // from the supervisor (the root, without one) and reads only the tree: a
  // few small reads per process in it. Elsewhere it reads every process on
  // the machine, so callers scan about once a second.
  void scan();

  // The supervisor reaped `pid` (wait4); `cpu` is its rusage utime+stime,
  // which includes the children it had waited for.
  void add_reaped(pid_t pid, Seconds cpu);

  // CPU time of the whole tree so far: reaped + live (self + waited children).
  // Never decreases between calls, even when a parent that ignores SIGCHLD
  // lets a child's time vanish with it.
  Seconds cpu_time();

  // Processes in the tree at the last scan, excluding zombies.
  std::vector<pid_t> live_pids() const;
  std::size_t live_count() const { return live_pids().size(); }
  // Whether scan() walks the children files (decided at the first scan).
  bool walks_children_files() const { return walk_children_.value_or(false); }

 private:
  struct Live {
    std::uint64_t start_ticks = 0;
    std::uint64_t ticks = 0;            // self + waited children, at the last scan
    bool zombie_of_supervisor = false;  // its time arrives through add_reaped
  };

  std::vector<support::ProcessStat> read_every_process() const;
  // The supervisor's descendants (the root's, without one) and the processes
  // tracked before, found through the children files.
  std::vector<support::ProcessStat> read_descendants() const;
  std::vector<pid_t> children_of(pid_t pid) const;

  pid_t root_;
  Options options_;
  std::optional<bool> walk_children_;  // decided at the first scan
  std::map<pid_t, Live> live_;
  double reaped_seconds_ = 0;
  double floor_seconds_ = 0;
};

}  // namespace joule::run
