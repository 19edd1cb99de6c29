// Placeholder until the backend lands (being written in parallel).
#include "sensors/backends.hpp"

namespace joule::sensors {

void probe_battery(const SensorConfig& config, ProbeResult& result) {
  (void)config;
  result.reports.push_back({"battery", BackendState::absent, "not built yet", ""});
}

}  // namespace joule::sensors
