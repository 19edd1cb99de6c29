#pragma once
// A cgroup v2 of the command's own, when the machine allows one: every
// descendant is born in it and stays in it even if it detaches, and the
// kernel keeps its CPU time (cpu.stat usage_usec) after processes exit. That
// makes it the most complete way to count a command's CPU time; the process
// tree (process_tree.hpp) is the fallback.
//
// Where: <cgroup2 mount>/<joule's own cgroup>/joule-<pid>. Creating it needs
// write access to joule's cgroup (a delegated systemd scope or a container
// with its own cgroup namespace); on cgroup v1 or hybrid machines, or
// without permission, create() says why and the caller falls back.
//
// The child moves itself in by writing "0" to cgroup.procs between fork and
// exec, so nothing of the command ever runs outside it.
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "joule/units.hpp"

namespace joule::run {

// The unified-hierarchy ("0::/path") line of /proc/PID/cgroup; nullopt when
// the process is not in a cgroup v2 hierarchy.
std::optional<std::string> parse_unified_cgroup(std::string_view proc_cgroup_text);

// usage_usec from cpu.stat, as seconds; nullopt when absent or malformed.
std::optional<Seconds> parse_cpu_stat_usage(std::string_view cpu_stat_text);

// JOULE_CGROUP: unset or empty, a run tries a cgroup of its own; "off", it
// follows the process tree. Any other value throws std::invalid_argument
// naming the one it takes (a typo must not leave the cgroup on in silence).
bool cgroup_wanted(const char* joule_cgroup_value);

struct CgroupOptions {
  std::filesystem::path mount = "/sys/fs/cgroup";
  std::filesystem::path self_cgroup_file = "/proc/self/cgroup";
  // Check that `mount` is a cgroup2 file system (statfs). Off in tests, which
  // build a fake hierarchy in a temporary directory.
  bool require_cgroup2 = true;
};

class RunCgroup {
 public:
  struct Created {
    std::unique_ptr<RunCgroup> cgroup;  // null when not possible
    std::string reason;                 // why not, for the run's attribution notes
  };
  // Creates joule-<owner> under the caller's own cgroup.
  static Created create(pid_t owner, const CgroupOptions& options = {});

  ~RunCgroup();
  RunCgroup(const RunCgroup&) = delete;
  RunCgroup& operator=(const RunCgroup&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The file the child writes "0" into before exec.
  std::filesystem::path procs_file() const { return path_ / "cgroup.procs"; }

  // CPU time of every process that ever ran in the cgroup.
  std::optional<Seconds> cpu_usage() const;
  // Processes in it now.
  std::vector<pid_t> pids() const;

  // Moves any process still inside (a detached daemon the command left
  // behind) back to the parent cgroup and removes the directory. Called by
  // the destructor; safe to call twice. Returns false when the directory
  // could not be removed.
  bool release();

 private:
  RunCgroup(std::filesystem::path path, std::filesystem::path parent)
      : path_(std::move(path)), parent_(std::move(parent)) {}
  std::filesystem::path path_;
  std::filesystem::path parent_;
  bool released_ = false;
  bool fake_ = false;  // a test hierarchy of regular files
};

}  // namespace joule::run
