#pragma once
// Finding the sensors a machine has. Each backend probes the system and either
// yields sensors or says, in one line, why it is absent and how to enable it.
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "joule/export.h"
#include "joule/sensor.hpp"

namespace joule {

// JOULE_ESTIMATOR: when the modelled estimator (a sensor of provenance
// `modelled`) runs.
enum class EstimatorMode {
  automatic,  // "auto": for what no measured domain covers (CPU package, DRAM)
  on,         // "on": beside the measured counters too
  off,        // "off": never
};
JOULE_API std::string_view to_string(EstimatorMode mode);  // "auto", "on", "off"
// Accepts "auto", "on" and "off"; throws std::invalid_argument naming
// JOULE_ESTIMATOR and the accepted values otherwise.
JOULE_API EstimatorMode parse_estimator_mode(std::string_view text);

// Every root the backends read is configurable, so tests and people debugging
// a machine can point joule at a recorded tree.
struct JOULE_API SensorConfig {
  std::filesystem::path sysfs_root = "/sys";            // JOULE_SYSFS_ROOT
  std::filesystem::path proc_root = "/proc";            // JOULE_PROC_ROOT
  std::string nvml_library = "libnvidia-ml.so.1";       // JOULE_NVML_LIBRARY
  std::string rocm_smi_library = "librocm_smi64.so.1";  // JOULE_ROCM_SMI_LIBRARY
  std::filesystem::path trace_file;                     // JOULE_TRACE: replay this CSV
  // JOULE_SENSORS: comma-separated backend names to allow (empty = all).
  std::vector<std::string> only_backends;
  EstimatorMode estimator = EstimatorMode::automatic;  // JOULE_ESTIMATOR

  // Throws std::invalid_argument for a JOULE_ESTIMATOR it does not accept.
  static SensorConfig from_environment();
  bool allows(std::string_view backend) const;
};

enum class BackendState {
  active,    // yielded at least one domain
  absent,    // the hardware or interface is not there
  refused,   // there but not readable (permissions, paranoid level)
  disabled,  // switched off by configuration
};
JOULE_API std::string_view to_string(BackendState state);

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
JOULE_API const std::vector<BackendEntry>& builtin_backends();

// Runs every allowed backend's probe, in order.
JOULE_API ProbeResult discover_sensors(const SensorConfig& config);

}  // namespace joule
