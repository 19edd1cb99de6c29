#pragma once
// Energy by workload: every cgroup at a chosen depth of the cgroup v2 tree
// (containers, systemd units) gets the share of the machine's energy that
// `joule run` gives a command in its own cgroup: per interval, its CPU time
// (cpu.stat usage_usec) over the machine's busy CPU time (/proc/stat) for
// CPU-side domains, and the driver's per-process share of each GPU for the
// processes in it. Cardinality is bounded: past `max_cgroups`, the rest are
// counted, not exported, and a gauge says how many were left out.
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
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

  // Cgroups present at the last interval, sorted by path.
  std::vector<WorkloadEnergy> energy() const;
  std::size_t left_out() const { return left_out_; }
  std::string method() const;

 private:
  struct Tracked;
  std::vector<std::filesystem::path> scan() const;

  WorkloadOptions options_;
  std::vector<DomainInfo> domains_;
  bool has_gpu_ = false;
  std::unique_ptr<run::GpuShareSource> gpu_source_;
  Seconds busy_last_;
  std::map<std::string, Tracked> tracked_;
  std::size_t left_out_ = 0;
};

// Cgroup directories exactly `depth` levels under `root` (cgroup v2 keeps
// only directories there), sorted; unreadable branches are skipped.
std::vector<std::filesystem::path> cgroups_at_depth(const std::filesystem::path& root, int depth);

}  // namespace joule::serve
