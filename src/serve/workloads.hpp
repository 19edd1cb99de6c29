#pragma once
// Energy by workload: every cgroup at a chosen depth of the cgroup v2 tree
// (containers, systemd units) gets the share of the machine's energy that
// `joule run` gives a command in its own cgroup: per interval, its CPU time
// (cpu.stat usage_usec) over the machine's busy CPU time (/proc/stat) for
// CPU-side domains, and the driver's per-process share of each GPU for the
// processes in it. Cardinality is bounded: past `max_cgroups`, the rest are
// counted, not exported, and a gauge says how many were left out.
//
// A scrape reads each known cgroup's cpu.stat through a descriptor held open
// since the cgroup was found: one pread(2), no path lookup. The tree itself
// is walked only every `rescan_interval`, to find cgroups that appeared or
// went. A cgroup removed in between fails its read (the kernel answers ENODEV)
// and is dropped at once; one created in between is found at the next walk
// and, as every cgroup, starts counting from then, so up to a rescan
// interval of its first CPU time is not attributed. One descriptor per cgroup:
// `max_cgroups` bounds them.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "joule/meter.hpp"
#include "joule/units.hpp"
#include "run/attribution.hpp"

namespace joule::serve {

struct WorkloadOptions {
  std::filesystem::path root = "/sys/fs/cgroup";
  // 1: the root's children (system.slice, user.slice, kubepods.slice); 2:
  // their children (one per service or pod).
  int depth = 2;
  std::size_t max_cgroups = 500;
  // How often the tree is walked for new and removed cgroups; zero: at every
  // interval.
  std::chrono::seconds rescan_interval{60};
  std::filesystem::path proc_root = "/proc";
  std::string nvml_library;  // GPU per-process shares, when there are GPUs
};

struct WorkloadEnergy {
  std::string cgroup;  // relative to the root: "system.slice/nginx.service"
  Joules attributed;   // over the domains the machine total sums
};

class WorkloadAttribution {
 public:
  WorkloadAttribution(WorkloadOptions options, const std::vector<DomainInfo>& domains);
  ~WorkloadAttribution();

  // One interval of the machine's energy (domains in Meter::domains() order).
  void add(const Measurement& interval);

  // Cgroups tracked at the last interval, sorted by path.
  std::vector<WorkloadEnergy> energy() const;
  std::size_t left_out() const { return left_out_; }
  std::string method() const;

 private:
  struct Tracked;
  void rescan();
  // Reads each tracked cgroup's CPU time and attributes the interval; drops
  // those whose cpu.stat no longer reads.
  void attribute(const Measurement& interval, Seconds busy_delta);

  WorkloadOptions options_;
  std::vector<DomainInfo> domains_;
  bool has_gpu_ = false;
  std::unique_ptr<run::GpuShareSource> gpu_source_;
  Seconds busy_last_;
  std::map<std::string, Tracked> tracked_;
  std::size_t left_out_ = 0;
  std::optional<MonotonicTime> last_scan_;
};

// Cgroup directories exactly `depth` levels under `root` (cgroup v2 keeps
// only directories there), sorted; unreadable branches are skipped.
std::vector<std::filesystem::path> cgroups_at_depth(const std::filesystem::path& root, int depth);

}  // namespace joule::serve
