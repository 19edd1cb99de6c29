#pragma once
// A rank of a distributed job that measures itself (no `joule run` above
// it): the ranks on one node agree on which of them counts the machine-wide
// domains, and each counts only the GPUs it was given, so the ranks' figures
// add up to the node's energy once.
//
// Machine-wide domains (CPU packages, cores, DRAM, psys, board meters, the
// estimator, and GPUs no rank can call its own): the first rank to take an
// exclusive flock on `<runtime dir>/ranks-<job>-<boot id>.lock` owns them
// for its session's life; the others keep the domains but read 0 J, and the
// domain's label says which rank counts them.
//
// GPUs (see select_rank_gpus): the devices the rank may use, from
// CUDA_VISIBLE_DEVICES (NVIDIA) or HIP_VISIBLE_DEVICES (AMD) when set, else
// all; of those, the one GPU when only one is visible, the LOCAL_RANK-th when
// there are as many as the node has ranks (one GPU per rank), else all of
// them are shared and machine-wide.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "joule/discovery.hpp"
#include "joule/sensor.hpp"
#include "support/file_lock.hpp"

namespace joule::detail {

// What torchrun (or a launcher like it) tells a rank about its place.
struct RankEnvironment {
  int rank = 0;
  int local_rank = 0;
  std::optional<int> local_world_size;  // LOCAL_WORLD_SIZE, else WORLD_SIZE
  std::string group;                    // the job id, else a stand-in (see rank_group)
  std::optional<std::string> cuda_visible_devices;
  std::optional<std::string> hip_visible_devices;
};

// nullopt when neither RANK nor LOCAL_RANK is set (not a rank). Throws
// UsageError naming the variable when one is not a non-negative integer.
std::optional<RankEnvironment> rank_environment();

// The GPU domains this rank counts, and why, for its report.
struct GpuSelection {
  std::set<std::string> mine;  // domain ids
  bool shared = false;         // the visible GPUs are machine-wide (the owner counts them)
  std::string why;
};
GpuSelection select_rank_gpus(const RankEnvironment& rank, const std::vector<DomainInfo>& domains);

// Which rank counts the machine-wide domains. The owner holds the lock.
struct MachineClaim {
  std::optional<support::FileLock> lock;  // set: this rank owns them
  std::optional<int> owner;               // the owning rank, as its lock file says
  std::string lock_path;
  std::string problem;  // set when no agreement was possible: this rank counts everything
  bool owns() const { return lock.has_value() || !problem.empty(); }
};
MachineClaim claim_machine_domains(const RankEnvironment& rank);

// Wraps the discovered sensors so that the domains this rank does not count
// read 0 J, and adds a `local-rank` report saying who counts what.
ProbeResult assign_to_rank(ProbeResult found, const RankEnvironment& rank,
                           const MachineClaim& claim);

}  // namespace joule::detail
