#include "run/attribution.hpp"

#include <unistd.h>

#include <cerrno>
#include <csignal>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <set>

#include <fmt/format.h>

#include "sensors/nvml_library.hpp"

namespace joule::run {

double cpu_time_share(Seconds command_cpu, Seconds machine_busy) {
  if (machine_busy.seconds <= 0 || command_cpu.seconds <= 0) return 0.0;
  // Both clocks tick in USER_HZ, but /proc/stat and /proc/PID/stat are read a
  // moment apart, so the ratio can poke above 1 by a tick.
  return std::clamp(command_cpu.seconds / machine_busy.seconds, 0.0, 1.0);
}

ShareKind share_kind(Component component) {
  return component == Component::gpu ? ShareKind::gpu : ShareKind::cpu_time;
}

namespace {

// "gpu:3" -> 3, as the NVML sensor names its domains.
std::optional<unsigned> gpu_index(const std::string& id) {
  if (!id.starts_with("gpu:")) return std::nullopt;
  unsigned index = 0;
  auto [ptr, ec] = std::from_chars(id.data() + 4, id.data() + id.size(), index);
  if (ec != std::errc() || ptr != id.data() + id.size()) return std::nullopt;
  return index;
}

using PidSet = std::set<pid_t>;

bool is_ours(const PidSet& ours, unsigned int pid) {
  return ours.count(static_cast<pid_t>(pid)) > 0;
}

// The fallback where the driver gives no utilization: every running compute
// process an equal part, so the command's is its count over theirs.
GpuShare equal_process_split(std::span<const sensors::nvml::ProcessInfo> processes,
                             const PidSet& ours, std::string_view why) {
  const auto mine = std::count_if(processes.begin(), processes.end(),
                                  [&](const auto& p) { return is_ours(ours, p.pid); });
  const double fraction =
      processes.empty() ? 1.0 : static_cast<double>(mine) / static_cast<double>(processes.size());
  return {fraction,
          fmt::format("equal split among {} running compute processes, {} of them the "
                      "command's ({})",
                      processes.size(), mine, why),
          fmt::format("GPU shared with other processes and {}: split equally among its {} "
                      "compute processes, which ignores how hard each one works it",
                      why, processes.size()),
          true};
}

// MIG: NVML reads neither energy nor per-process utilization per instance.
// The board is split among the GPU instances that run a process, in
// proportion to their slices (`slices` maps an instance id to its slice
// count; empty when NVML could not tell, and then equally), and each
// instance equally among its processes.
GpuShare mig_split(std::span<const sensors::nvml::ProcessInfo> processes, const PidSet& ours,
                   unsigned int instances, const std::map<unsigned int, unsigned int>& slices) {
  std::map<unsigned int, std::pair<int, int>> by_instance;  // id -> (processes, ours)
  for (const auto& p : processes) {
    auto& [all, mine] = by_instance[p.gpu_instance_id];
    ++all;
    mine += is_ours(ours, p.pid) ? 1 : 0;
  }
  const bool sized = std::all_of(by_instance.begin(), by_instance.end(),
                                 [&](const auto& i) { return slices.count(i.first) > 0; });
  auto weight = [&](unsigned int id) { return sized ? double(slices.at(id)) : 1.0; };
  double total_weight = 0;
  std::string sizes;
  for (const auto& [id, counts] : by_instance) {
    total_weight += weight(id);
    if (sized)
      sizes +=
          fmt::format("{}instance {}: {} slice(s)", sizes.empty() ? "" : ", ", id, slices.at(id));
  }
  double fraction = 0;
  for (const auto& [id, counts] : by_instance) {
    fraction += weight(id) / total_weight * static_cast<double>(counts.second) / counts.first;
  }
  if (sized) {
    return {fraction,
            fmt::format("MIG: the board split among its {} active GPU instance(s) of {} by their "
                        "slice counts ({}; nvmlDeviceGetGpuInstanceProfileInfo), each instance "
                        "equally among its processes",
                        by_instance.size(), instances, sizes),
            fmt::format("GPU in MIG mode shared with other processes: NVML reads no energy or "
                        "utilization per instance, so the board is split among the {} active "
                        "instance(s) by their slice counts, idle slices included",
                        by_instance.size()),
            true};
  }
  return {fraction,
          fmt::format("MIG: the board split equally among its {} active GPU instance(s) of {} "
                      "(NVML gave no instance profile), each instance equally among its "
                      "processes",
                      by_instance.size(), instances),
          fmt::format("GPU in MIG mode shared with other processes: NVML reads no energy or "
                      "utilization per instance, and gave no instance sizes, so the board is "
                      "split equally among the {} active instance(s), whatever their size",
                      by_instance.size()),
          true};
}

// Whether `pid` names a process in this pid namespace (EPERM: it exists, owned
// by another user).
bool process_visible(pid_t pid) {
  return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM);
}

class NvmlGpuShare : public GpuShareSource {
 public:
  explicit NvmlGpuShare(std::shared_ptr<sensors::nvml::Library> library)
      : library_(std::move(library)) {}

  GpuShare share(const DomainInfo& domain, std::span<const pid_t> command_pids) override {
    auto index = gpu_index(domain.id);
    sensors::nvml::Device device = nullptr;
    if (!index || library_->device_handle(*index, device) != sensors::nvml::kSuccess) {
      return {1.0, "whole GPU (not an NVML device)", ""};
    }
    const PidSet ours(command_pids.begin(), command_pids.end());
    std::vector<sensors::nvml::ProcessInfo> processes;
    if (library_->compute_processes(device, processes) != sensors::nvml::kSuccess) {
      return {1.0, "whole GPU (NVML lists no processes here)", ""};
    }
    // The driver does not know pid namespaces: inside a container NVML lists
    // host pids (NVIDIA/nvidia-docker#1483), the command's own included, and
    // they name no process here or, by chance, another one. One listed pid
    // that this /proc lacks is enough to know the list cannot be matched
    // against ours. Comparing /proc/self/ns/pid with /proc/1/ns/pid cannot
    // tell: inside a container both are the container's namespace.
    const auto invisible = std::count_if(processes.begin(), processes.end(), [](const auto& p) {
      return !process_visible(static_cast<pid_t>(p.pid));
    });
    if (invisible > 0) {
      return {1.0,
              fmt::format("whole GPU, an upper bound: NVML lists {} process(es) whose pids "
                          "are not in this pid namespace (in a container?), so the "
                          "command's share cannot be told and the GPU may be shared",
                          invisible),
              ""};
    }
    if (processes.empty()) return {1.0, "whole GPU (no compute process runs on it)", ""};
    const bool others = std::any_of(processes.begin(), processes.end(),
                                    [&](const auto& p) { return !is_ours(ours, p.pid); });
    if (!others) return {1.0, "whole GPU (only the command's processes use it)", "", true};

    std::optional<unsigned int> instances;
    if (library_->mig_instances(device, instances) == sensors::nvml::kSuccess && instances) {
      return mig_split(processes, ours, *instances, instance_slices(device, processes));
    }
    // Accounting stats, where an administrator enabled them, cover every
    // moment of every process; utilization samples only what the driver
    // sampled, so they come second.
    if (auto share = accounting_share(*index, device, processes, ours)) return *share;
    if (auto share = utilization_share(*index, device, ours)) return *share;
    return equal_process_split(processes, ours, "NVML gave no per-process utilization");
  }

 private:
  // Each listed GPU instance's slice count, where NVML tells it.
  std::map<unsigned int, unsigned int> instance_slices(
      sensors::nvml::Device device, std::span<const sensors::nvml::ProcessInfo> processes) const {
    std::map<unsigned int, unsigned int> slices;
    for (const auto& p : processes) {
      unsigned int count = 0;
      if (slices.count(p.gpu_instance_id) == 0 &&
          library_->gpu_instance_slices(device, p.gpu_instance_id, count) ==
              sensors::nvml::kSuccess) {
        slices[p.gpu_instance_id] = count;
      }
    }
    return slices;
  }

  // The command's part of the GPU busy time accounting mode kept since the
  // last call: per process, utilization (percent of its active time with a
  // kernel running) x active time, a running total whose growth is the
  // interval's. A process already running when joule started counts from
  // its first sighting; one started since, from its start. nullopt when
  // accounting is off or nothing was busy.
  std::optional<GpuShare> accounting_share(unsigned index, sensors::nvml::Device device,
                                           std::span<const sensors::nvml::ProcessInfo> processes,
                                           const PidSet& ours) {
    bool enabled = false;
    if (library_->accounting_enabled(device, enabled) != sensors::nvml::kSuccess || !enabled) {
      return std::nullopt;
    }
    auto& last_busy = busy_ms_[index];
    double total = 0;
    double mine = 0;
    for (const auto& p : processes) {
      sensors::nvml::AccountingStats stats{};
      if (library_->accounting_stats(device, p.pid, stats) != sensors::nvml::kSuccess) continue;
      const double busy = stats.gpu_utilization / 100.0 * static_cast<double>(stats.time_ms);
      auto seen = last_busy.find(p.pid);
      const double before = seen != last_busy.end()              ? seen->second
                            : stats.start_time_us >= created_us_ ? 0.0
                                                                 : busy;
      last_busy[p.pid] = busy;
      const double grown = std::max(0.0, busy - before);
      total += grown;
      if (is_ours(ours, p.pid)) mine += grown;
    }
    if (total <= 0) return std::nullopt;
    return GpuShare{mine / total,
                    "per-process GPU busy time from accounting stats "
                    "(nvmlDeviceGetAccountingStats: utilization x active time)",
                    "", true};
  }

  // The command's part of the SM utilization the driver sampled since the
  // last call; nullopt without samples.
  std::optional<GpuShare> utilization_share(unsigned index, sensors::nvml::Device device,
                                            const PidSet& ours) {
    std::vector<sensors::nvml::ProcessUtilizationSample> samples;
    unsigned long long& last = last_seen_us_[index];
    if (library_->process_utilization(device, last, samples) != sensors::nvml::kSuccess ||
        samples.empty()) {
      return std::nullopt;
    }
    double total = 0;
    double mine = 0;
    for (const auto& s : samples) {
      last = std::max(last, s.time_stamp_us);
      total += s.sm_util;
      if (is_ours(ours, s.pid)) mine += s.sm_util;
    }
    if (total <= 0) return std::nullopt;
    return GpuShare{mine / total, "per-process SM utilization (NVML)", "", true};
  }

  std::shared_ptr<sensors::nvml::Library> library_;
  std::map<unsigned, unsigned long long> last_seen_us_;
  std::map<unsigned, std::map<unsigned int, double>> busy_ms_;  // GPU -> pid -> busy ms
  // Accounting's startTime is the CPU clock in microseconds.
  const unsigned long long created_us_ =
      static_cast<unsigned long long>(std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
};

}  // namespace

std::unique_ptr<GpuShareSource> make_gpu_share_source(const std::string& nvml_library) {
  auto opened = sensors::nvml::Library::open(nvml_library);
  if (!opened.library) {
    return std::make_unique<WholeGpuShare>("no per-process data: NVML not available");
  }
  return std::make_unique<NvmlGpuShare>(std::move(opened.library));
}

AttributionAccumulator::AttributionAccumulator(std::vector<DomainInfo> domains)
    : domains_(std::move(domains)),
      in_total_(domains_.size(), false),
      machine_(domains_.size()),
      attributed_(domains_.size()) {}

void AttributionAccumulator::add(const Measurement& interval, double cpu_share,
                                 std::span<const GpuShare> gpu_shares) {
  for (std::size_t i = 0; i < domains_.size() && i < interval.domains.size(); ++i) {
    const DomainEnergy& d = interval.domains[i];
    in_total_[i] = d.in_total;
    machine_[i] += d.energy;
    if (share_kind(domains_[i].component) == ShareKind::gpu && i < gpu_shares.size()) {
      attributed_[i] += d.energy * std::clamp(gpu_shares[i].fraction, 0.0, 1.0);
      note(methods_, fmt::format("{}: {}", domains_[i].id, gpu_shares[i].method));
      if (!gpu_shares[i].warning.empty()) {
        note(warnings_, fmt::format("{}: {}", domains_[i].id, gpu_shares[i].warning));
      }
    } else {
      attributed_[i] += d.energy * cpu_share;
    }
  }
}

Joules AttributionAccumulator::machine_total() const {
  Joules total;
  for (std::size_t i = 0; i < machine_.size(); ++i) {
    if (in_total_[i]) total += machine_[i];
  }
  return total;
}

Joules AttributionAccumulator::attributed_total() const {
  Joules total;
  for (std::size_t i = 0; i < attributed_.size(); ++i) {
    if (in_total_[i]) total += attributed_[i];
  }
  return total;
}

void AttributionAccumulator::note(std::vector<std::string>& lines, const std::string& line) {
  if (std::find(lines.begin(), lines.end(), line) == lines.end()) lines.push_back(line);
}

}  // namespace joule::run
