#pragma once
// Splitting machine energy to one command.
//
// CPU-side domains (packages, cores, uncore, DRAM, psys, whole-system rails):
// the command's share over an interval is its process tree's CPU seconds over
// the machine's busy CPU seconds (/proc/stat) in the same interval. It is
// applied per interval, so a command that is busy while power is high gets
// more than one busy while power is low.
//
// GPUs: the per-process utilization the driver reports where it can (NVML);
// otherwise the whole GPU when no other process is seen on it, or an equal
// split among the running compute processes (with a warning); a GPU in MIG
// mode is split equally among its active GPU instances, and each instance
// equally among its processes. The method says which one was used.
#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "joule/meter.hpp"
#include "joule/sensor.hpp"
#include "joule/units.hpp"

namespace joule::run {

// command / machine busy CPU seconds, clamped to [0, 1]. 0 when the machine
// did no measurable work (the command cannot have either).
double cpu_time_share(Seconds command_cpu, Seconds machine_busy);

enum class ShareKind { cpu_time, gpu };
ShareKind share_kind(Component component);

// One GPU's share for the command over the last interval.
struct GpuShare {
  double fraction = 1.0;
  std::string method{};   // "per-process SM utilization (NVML)", "whole GPU (...)"
  std::string warning{};  // set when the split is a guess the reader must know of
  // The fraction follows from which processes use the GPU (given pids vs the
  // driver's list), so it holds for any subset of the command's processes,
  // such as one rank's; false for "whole GPU" answers that ignore the pids.
  bool by_process = false;
};

// Answers, for a GPU domain, what share the given processes had since the
// last call. Implementations: NVML (nvml_library.hpp), or whole-GPU.
class GpuShareSource {
 public:
  virtual ~GpuShareSource() = default;
  virtual GpuShare share(const DomainInfo& domain, std::span<const pid_t> command_pids) = 0;
};

// Every GPU wholly to the command: right when it is the only GPU user, which
// is the common case for a training job; stated as such.
class WholeGpuShare : public GpuShareSource {
 public:
  explicit WholeGpuShare(std::string why) : why_(std::move(why)) {}
  GpuShare share(const DomainInfo&, std::span<const pid_t>) override {
    return {1.0, "whole GPU (" + why_ + ")"};
  }

 private:
  std::string why_;
};

// NVML when the library opens, else WholeGpuShare saying why.
std::unique_ptr<GpuShareSource> make_gpu_share_source(const std::string& nvml_library);

// Per-domain running sums: machine energy and the command's share of it.
class AttributionAccumulator {
 public:
  explicit AttributionAccumulator(std::vector<DomainInfo> domains);

  // One interval. `interval` is the meter's measurement of it (domains in
  // Meter::domains() order); gpu_shares has one entry per domain (ignored
  // for non-GPU domains; may be empty when there are no GPUs).
  void add(const Measurement& interval, double cpu_share, std::span<const GpuShare> gpu_shares);

  const std::vector<DomainInfo>& domains() const { return domains_; }
  const std::vector<Joules>& machine() const { return machine_; }
  const std::vector<Joules>& attributed() const { return attributed_; }
  // Sums over domains with in_total (as the meter decides), machine and attributed.
  Joules machine_total() const;
  Joules attributed_total() const;
  // The methods used, one line each, without repeats.
  const std::vector<std::string>& methods() const { return methods_; }
  // The GPU shares' warnings, one line each, without repeats.
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  static void note(std::vector<std::string>& lines, const std::string& line);

  std::vector<DomainInfo> domains_;
  std::vector<bool> in_total_;
  std::vector<Joules> machine_;
  std::vector<Joules> attributed_;
  std::vector<std::string> methods_;
  std::vector<std::string> warnings_;
};

}  // namespace joule::run
