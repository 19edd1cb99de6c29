#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "joule/discovery.hpp"
#include "sensors/backends.hpp"
#include "support/strings.hpp"

namespace joule {

std::string_view to_string(Component component) {
  switch (component) {
    case Component::cpu_package:
      return "cpu-package";
    case Component::cpu_core:
      return "cpu-core";
    case Component::cpu_uncore:
      return "cpu-uncore";
    case Component::dram:
      return "dram";
    case Component::gpu:
      return "gpu";
    case Component::psys:
      return "psys";
    case Component::system:
      return "system";
    case Component::battery:
      return "battery";
    case Component::other:
      return "other";
  }
  return "other";
}

std::string_view to_string(ReadingKind kind) {
  return kind == ReadingKind::energy_counter ? "energy-counter" : "power";
}

std::string_view to_string(Provenance provenance) {
  return provenance == Provenance::measured ? "measured" : "modelled";
}

std::string_view to_string(BackendState state) {
  switch (state) {
    case BackendState::active:
      return "active";
    case BackendState::absent:
      return "absent";
    case BackendState::refused:
      return "refused";
    case BackendState::disabled:
      return "disabled";
  }
  return "absent";
}

std::string_view to_string(EstimatorMode mode) {
  switch (mode) {
    case EstimatorMode::automatic:
      return "auto";
    case EstimatorMode::on:
      return "on";
    case EstimatorMode::off:
      return "off";
  }
  return "auto";
}

EstimatorMode parse_estimator_mode(std::string_view text) {
  for (auto mode : {EstimatorMode::automatic, EstimatorMode::on, EstimatorMode::off}) {
    if (text == to_string(mode)) return mode;
  }
  throw std::invalid_argument(
      fmt::format("JOULE_ESTIMATOR='{}' is not one of auto, on or off", text));
}

namespace {

// A misspelt name would otherwise disable every backend in silence.
void check_backend_names(const std::vector<std::string>& names) {
  std::vector<std::string_view> known;
  for (const auto& entry : builtin_backends()) known.push_back(entry.name);
  for (const auto& name : names) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      throw std::invalid_argument(fmt::format(
          "JOULE_SENSORS: '{}' is not a sensor backend; expected a comma-separated list of {}",
          name, fmt::join(known, ", ")));
    }
  }
}

}  // namespace

SensorConfig SensorConfig::from_environment() {
  SensorConfig config;
  if (const char* v = std::getenv("JOULE_SYSFS_ROOT"); v && *v) config.sysfs_root = v;
  if (const char* v = std::getenv("JOULE_PROC_ROOT"); v && *v) config.proc_root = v;
  if (const char* v = std::getenv("JOULE_NVML_LIBRARY"); v && *v) config.nvml_library = v;
  if (const char* v = std::getenv("JOULE_ROCM_SMI_LIBRARY"); v && *v) config.rocm_smi_library = v;
  if (const char* v = std::getenv("JOULE_TRACE"); v && *v) config.trace_file = v;
  if (const char* v = std::getenv("JOULE_SENSORS"); v && *v) {
    const auto names = support::split_list(v);
    config.only_backends.assign(names.begin(), names.end());
    check_backend_names(config.only_backends);
  }
  if (const char* v = std::getenv("JOULE_ESTIMATOR"); v && *v) {
    config.estimator = parse_estimator_mode(v);
  }
  return config;
}

bool SensorConfig::allows(std::string_view backend) const {
  if (backend == "estimator" && estimator == EstimatorMode::off) return false;
  if (only_backends.empty()) return true;
  return std::find(only_backends.begin(), only_backends.end(), backend) != only_backends.end();
}

const std::vector<BackendEntry>& builtin_backends() {
  static const std::vector<BackendEntry> entries = {
      {"trace", sensors::probe_trace},         {"rapl-powercap", sensors::probe_rapl_powercap},
      {"rapl-perf", sensors::probe_rapl_perf}, {"nvml", sensors::probe_nvml},
      {"rocm-smi", sensors::probe_rocm_smi},   {"hwmon", sensors::probe_hwmon},
      {"battery", sensors::probe_battery},     {"estimator", sensors::probe_estimator},
  };
  return entries;
}

namespace sensors {

// Two to four times the largest part of each kind sold by 2025, so that no
// real draw is ever refused while a counter reset (up to 262 kJ for RAPL) in
// an interval of a second or so always is: 500 W CPU packages (AMD EPYC 9965,
// Intel Xeon 6980P), 12 DDR5 channels of two DIMMs per socket, 1.2 kW GPUs
// (NVIDIA B200 / GB200), 14.3 kW whole machines (DGX B200).
Watts physical_max_power(Component component) {
  switch (component) {
    case Component::cpu_package:
    case Component::cpu_core:
    case Component::cpu_uncore:
      return Watts{1500};
    case Component::dram:
      return Watts{1000};
    case Component::gpu:
      return Watts{3000};
    case Component::psys:
      return Watts{5000};
    case Component::battery:
      return Watts{1000};
    case Component::system:
    case Component::other:
      return Watts{30000};
  }
  return Watts{30000};
}

}  // namespace sensors

ProbeResult discover_sensors(const SensorConfig& config) {
  ProbeResult result;
  const bool replaying = !config.trace_file.empty();
  for (const auto& entry : builtin_backends()) {
    // A replayed trace stands for the whole machine: probing real hardware
    // beside it would mix two machines in one total.
    if (replaying && entry.name != "trace") {
      result.reports.push_back({entry.name, BackendState::disabled,
                                "replaying a trace (JOULE_TRACE is set)", "unset JOULE_TRACE"});
      continue;
    }
    if (!config.allows(entry.name)) {
      result.reports.push_back({entry.name, BackendState::disabled,
                                "not in JOULE_SENSORS (or JOULE_ESTIMATOR=off)",
                                "add it to JOULE_SENSORS, or unset JOULE_SENSORS"});
      continue;
    }
    entry.probe(config, result);
  }
  return result;
}

}  // namespace joule
