#pragma once
// Finding the sensors a machine has. Each backend probes the system and either
// yields sensors or says, in one line, why it is absent and how to enable it.
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "joule/sensor.hpp"

namespace joule {

// Every root the backends read is configurable, so tests and people debugging
// a machine can point joule at a recorded tree.
struct SensorConfig {
  std::filesystem::path sysfs_root = "/sys";       // JOULE_SYSFS_ROOT
  std::filesystem::path proc_root = "/proc";       // JOULE_PROC_ROOT
  std::string nvml_library = "libnvidia-ml.so.1";  // JOULE_NVML_LIBRARY
  std::filesystem::path trace_file;                // JOULE_TRACE: replay this CSV
  // JOULE_SENSORS: comma-separated backend names to allow (empty = all).
  std::vector<std::string> only_backends;
  // JOULE_ESTIMATOR: "auto" (when no measured CPU domain), "on", "off".
  std::string estimator = "auto";

  static SensorConfig from_environment();
  bool allows(std::string_view backend) const;
};

enum class BackendState {
  active,    // yielded at least one domain
  absent,    // the hardware or interface is not there
  refused,   // there but not readable (permissions, paranoid level)
  disabled,  // switched off by configuration
};
std::string_view to_string(BackendState state);

struct BackendReport {
  std::string backend;
  BackendState state = BackendState::absent;
  std::string reason;  // what was found (or not), e.g. "energy_uj is root-only"
  std::string remedy;  // how to enable it, empty when active
};

struct ProbeResult {
  std::vector<std::unique_ptr<Sensor>> sensors;
  std::vector<BackendReport> reports;
};

// A backend's probe. It is given the sensors found so far (so the estimator can
// stand in only for what nothing measures) and appends to the result.
using Probe = std::function<void(const SensorConfig&, ProbeResult&)>;

struct BackendEntry {
  std::string name;
  Probe probe;
};

// The built-in backends in probe order (src/sensors/registry.cpp).
const std::vector<BackendEntry>& builtin_backends();

// Runs every allowed backend's probe, in order.
ProbeResult discover_sensors(const SensorConfig& config);

}  // namespace joule
