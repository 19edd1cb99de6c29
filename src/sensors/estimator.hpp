#pragma once
// The modelled estimator's pure pieces, shared with process attribution:
// /proc parsing (CPU jiffies, cpuinfo, meminfo), the CPU model -> per-vCPU
// watts lookup, the DRAM W/GB model, and the sensor built on them.
//
// Model (docs/sensors.md, "Estimator"): each vCPU draws min_w when idle and
// max_w when busy, linearly in between, so the energy over an interval is
//   E_cpu = n_vcpu * min_w * dt + (max_w - min_w) * d(busy CPU seconds)
// The dynamic part depends only on CPU-time deltas, which is what lets a
// process's share be its CPU time times (max_w - min_w).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "joule/discovery.hpp"
#include "joule/sensor.hpp"
#include "joule/units.hpp"
#include "support/proc.hpp"

namespace joule::sensors::estimator {

// Linux reports /proc/stat times in USER_HZ ticks, which is 100 on every
// architecture the kernel supports today (it is fixed ABI, unlike CONFIG_HZ).
inline constexpr double kUserHz = 100.0;
inline constexpr double jiffies_to_seconds(std::uint64_t jiffies) {
  return static_cast<double>(jiffies) / kUserHz;
}

using support::CpuJiffies;
using support::ProcStat;

// support::parse_proc_stat, its errors as refdata::DataError
// (origin:line:column) like every other data file the estimator reads.
ProcStat parse_proc_stat(std::string_view text, const std::string& origin);

struct CpuInfo {
  std::string model_name;   // first "model name" line; empty when absent (e.g. many ARM kernels)
  int sockets = 1;          // distinct "physical id" values, at least 1
  int logical_cpus = 0;     // "processor" entries
  bool hypervisor = false;  // the "hypervisor" flag: a virtual machine
};
CpuInfo parse_cpuinfo(std::string_view text);

// MemTotal in KiB from /proc/meminfo; nullopt when absent or malformed.
std::optional<std::uint64_t> parse_meminfo_total_kib(std::string_view text);

// The normalisation cpu_power.csv documents for its key: lower case, no
// trademark signs, no "Processor"/"CPU", no clock suffix ("@ 2.90GHz"), no
// Intel/AMD words, single spaces. Also drops "N-Core", "with Radeon
// Graphics" tails and Intel's "12th Gen" prefix, which /proc/cpuinfo adds and
// the table's names lack (applied to both sides, so keys still agree).
std::string normalise_cpu_model(std::string_view model_name);

enum class CoefficientSource {
  per_vcpu_table,   // cpu_power_per_vcpu.csv row for the microarchitecture
  tdp_table,        // cpu_power.csv TDP spread over the socket's hardware threads
  generic_default,  // cpu_power_per_vcpu.csv "UNKNOWN" provider-average row
};
std::string_view to_string(CoefficientSource source);

struct CpuCoefficients {
  Watts min_per_vcpu;  // idle draw of one vCPU (hardware thread)
  Watts max_per_vcpu;  // full-load draw of one vCPU
  CoefficientSource source = CoefficientSource::generic_default;
  double relative_uncertainty = 0;  // 0.30 / 0.40 / 0.50 by source
  std::string microarchitecture;    // empty unless known
  // For people: which model matched which row, e.g. "Intel Xeon Platinum
  // 8375C -> Ice Lake, CCF 0.767-3.758 W/vCPU (cpu_power_per_vcpu.csv line 88)".
  std::string description;
};

// TDP model: P = TDP * (kTdpIdleFraction + u * (1 - kTdpIdleFraction)). 0.1 is
// the idle floor CodeCarbon uses for TDP x load; we keep it linear in u so
// energy stays linear in CPU time.
inline constexpr double kTdpIdleFraction = 0.1;

// The CPU model string -> microarchitecture name as cpu_power_per_vcpu.csv
// spells it ("Ice Lake", "EPYC 3rd Gen"); nullopt when not known.
std::optional<std::string> microarchitecture_for(std::string_view model_name);

// Coefficients for a CPU: per-vCPU table by microarchitecture, else TDP table,
// else the generic default. `cpuinfo.logical_cpus`/`sockets` convert a TDP to
// per-vCPU watts when the table lacks the thread count.
CpuCoefficients lookup_cpu_coefficients(const CpuInfo& cpuinfo);

// Hardware threads of one package of this CPU model, from cpu_power.csv;
// `source` names the row. nullopt when the model or its thread count is not
// in the table.
std::optional<double> package_threads(std::string_view model_name, std::string& source);

struct DramModel {
  Watts power;     // constant: w_per_gb * gib
  double gib = 0;  // MemTotal / 1024^2
  double w_per_gb = 0;
  double relative_uncertainty = 0;
  std::string description;  // names the memory_power.csv row
};
DramModel dram_model(std::uint64_t mem_total_kib);

// The estimator sensor: domains "cpu:estimated" (cpu_package) and
// "dram:estimated" (dram), both modelled cumulative energy counters that it
// integrates itself on every read.
class EstimatorSensor : public Sensor {
 public:
  using Clock = std::function<MonotonicTime()>;
  struct Options {
    std::filesystem::path proc_root = "/proc";
    bool cpu = true;
    bool dram = true;
    Clock clock;  // defaults to MonotonicClock::now
  };
  // Reads cpuinfo/meminfo once and takes the /proc/stat baseline. Throws
  // std::runtime_error when a wanted domain cannot be modelled at all.
  explicit EstimatorSensor(Options options);

  std::string_view backend() const override { return "estimator"; }
  const std::vector<DomainInfo>& domains() const override { return domains_; }
  void read(std::span<Reading> out) override;

  const std::optional<CpuCoefficients>& cpu_coefficients() const { return cpu_; }
  const std::optional<DramModel>& dram() const { return dram_; }

 private:
  Options options_;
  std::vector<DomainInfo> domains_;
  std::optional<CpuCoefficients> cpu_;
  std::optional<DramModel> dram_;
  std::mutex mutex_;  // read() may come from the sampler and a snapshot at once
  MonotonicTime start_;
  MonotonicTime cpu_last_;
  std::uint64_t busy_last_jiffies_ = 0;
  Joules cpu_energy_;
};

}  // namespace joule::sensors::estimator
