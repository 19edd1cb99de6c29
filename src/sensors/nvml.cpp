// Placeholder until the backend lands (being written in parallel).
#include "sensors/backends.hpp"

namespace joule::sensors {

void probe_nvml(const SensorConfig& config, ProbeResult& result) {
  (void)config;
  result.reports.push_back({"nvml", BackendState::absent, "not built yet", ""});
}

}  // namespace joule::sensors
