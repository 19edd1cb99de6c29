// Placeholder until the backend lands (being written in parallel).
#include "sensors/backends.hpp"

namespace joule::sensors {

void probe_trace(const SensorConfig& config, ProbeResult& result) {
  (void)config;
  result.reports.push_back({"trace", BackendState::absent, "not built yet", ""});
}

}  // namespace joule::sensors
