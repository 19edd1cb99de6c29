#include "run/rank_split.hpp"

#include <algorithm>

namespace joule::run {

RankSplit::RankSplit(std::vector<DomainInfo> domains, std::string nvml_library)
    : domains_(std::move(domains)), nvml_library_(std::move(nvml_library)) {
  has_gpu_ = std::any_of(domains_.begin(), domains_.end(),
                         [](const DomainInfo& d) { return d.component == Component::gpu; });
}

void RankSplit::add(int rank, pid_t pid) {
  if (pid <= 0 || ranks_.count(rank) > 0) return;
  Followed followed;
  // The rank's own tree: not joule's (joule reaps none of it), not the
  // command's process group (every rank shares that).
  followed.tree = std::make_unique<ProcessTree>(pid, ProcessTree::Options{"/proc", 0, 0});
  followed.tree->scan();
  followed.cpu_last = followed.tree->cpu_time();
  followed.cpu = followed.cpu_last;
  // Each rank reads the driver's samples on its own, since a share source
  // hands out each sample once.
  if (has_gpu_) followed.gpus = make_gpu_share_source(nvml_library_);
  ranks_.emplace(rank, std::move(followed));
}

void RankSplit::tick(const Measurement& interval, Seconds machine_busy, double command_cpu_share,
                     std::span<const GpuShare> command_gpu_shares) {
  add_cpu_parts(interval, machine_busy, command_cpu_share);
  add_gpu_parts(interval, command_gpu_shares);
}

namespace {

// Scales `fractions` down so that they sum to at most `cap`.
void cap_sum(std::vector<double>& fractions, double cap) {
  double sum = 0;
  for (double f : fractions) sum += f;
  if (sum <= cap || sum <= 0) return;
  for (double& f : fractions) f *= std::max(cap, 0.0) / sum;
}

}  // namespace

void RankSplit::add_cpu_parts(const Measurement& interval, Seconds machine_busy,
                              double command_share) {
  Joules cpu_side;
  for (std::size_t i = 0; i < domains_.size() && i < interval.domains.size(); ++i) {
    if (interval.domains[i].in_total && share_kind(domains_[i].component) == ShareKind::cpu_time) {
      cpu_side += interval.domains[i].energy;
    }
  }
  std::vector<double> shares;
  for (auto& [rank, followed] : ranks_) {
    followed.tree->scan();
    const Seconds cpu = followed.tree->cpu_time();
    shares.push_back(cpu_time_share(cpu - followed.cpu_last, machine_busy));
    followed.cpu = cpu;
    followed.cpu_last = cpu;
  }
  cap_sum(shares, command_share);
  std::size_t k = 0;
  for (auto& [rank, followed] : ranks_) followed.cpu_energy += cpu_side * shares[k++];
}

void RankSplit::add_gpu_parts(const Measurement& interval,
                              std::span<const GpuShare> command_shares) {
  if (!has_gpu_) return;
  std::vector<std::vector<pid_t>> pids;
  for (auto& [rank, followed] : ranks_) pids.push_back(followed.tree->live_pids());
  for (std::size_t i = 0; i < domains_.size() && i < interval.domains.size(); ++i) {
    if (!interval.domains[i].in_total || domains_[i].component != Component::gpu) continue;
    std::vector<double> shares;
    std::size_t k = 0;
    for (auto& [rank, followed] : ranks_) {
      const GpuShare share = followed.gpus->share(domains_[i], pids[k++]);
      // A "whole GPU" answer that ignores the pids would give every rank the
      // whole board: such a GPU stays with the command, not with any rank.
      shares.push_back(share.by_process ? std::clamp(share.fraction, 0.0, 1.0) : 0.0);
    }
    cap_sum(shares, i < command_shares.size() ? command_shares[i].fraction : 1.0);
    k = 0;
    for (auto& [rank, followed] : ranks_)
      followed.gpu_energy += interval.domains[i].energy * shares[k++];
  }
}

void RankSplit::fill(std::vector<record::RankRecord>& ranks) const {
  for (auto& record : ranks) {
    auto it = ranks_.find(record.rank);
    if (it == ranks_.end()) continue;
    record.cpu_time_s = it->second.cpu.seconds;
    record.cpu_energy_j = it->second.cpu_energy.joules;
    record.gpu_energy_j = it->second.gpu_energy.joules;
  }
}

}  // namespace joule::run
