#pragma once
// Each rank's part of a distributed job's energy under one `joule run`: the
// rank's process tree (rooted at the pid it announced) gets its CPU-time
// share of the CPU-side domains, as the command does, and its processes'
// share of each GPU, from the same per-process split. Every rank's CPU time
// is part of the command's and every rank's GPU processes are among the
// command's, so the ranks' shares add up to at most the command's; the rest
// is the launcher's and whatever ran outside the ranks.
#include <sys/types.h>

#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "joule/meter.hpp"
#include "record/run_record.hpp"
#include "run/attribution.hpp"
#include "run/process_tree.hpp"

namespace joule::run {

class RankSplit {
 public:
  // `nvml_library`: where the GPUs' per-process shares are read, as for the command.
  RankSplit(std::vector<DomainInfo> domains, std::string nvml_library);

  // A rank announced itself (`rank=N hello pid=P`); from now on it is followed.
  void add(int rank, pid_t pid);

  // One interval: `interval` as the meter measured it, `machine_busy` the
  // machine's busy CPU seconds in it, and the command's shares of it (CPU
  // time, and per domain for GPUs), which the ranks' shares together never
  // exceed: each rank's processes are read a moment after the command's, so
  // their sum could otherwise poke above it.
  void tick(const Measurement& interval, Seconds machine_busy, double command_cpu_share,
            std::span<const GpuShare> command_gpu_shares);

  // Writes each followed rank's figures into its entry of `ranks`.
  void fill(std::vector<record::RankRecord>& ranks) const;

 private:
  struct Followed {
    std::unique_ptr<ProcessTree> tree;
    std::unique_ptr<GpuShareSource> gpus;
    Seconds cpu_last;
    Seconds cpu;
    Joules cpu_energy;
    Joules gpu_energy;
  };
  void add_cpu_parts(const Measurement& interval, Seconds machine_busy, double command_share);
  void add_gpu_parts(const Measurement& interval, std::span<const GpuShare> command_shares);

  std::vector<DomainInfo> domains_;
  std::string nvml_library_;
  bool has_gpu_ = false;
  std::map<int, Followed> ranks_;
};

}  // namespace joule::run
