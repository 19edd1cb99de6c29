// Placeholder until the backend lands (being written in parallel).
#include "sensors/backends.hpp"

namespace joule::sensors {

void probe_rapl_powercap(const SensorConfig& config, ProbeResult& result) {
  (void)config;
  result.reports.push_back({"rapl-powercap", BackendState::absent, "not built yet", ""});
}

}  // namespace joule::sensors
