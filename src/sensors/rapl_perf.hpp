#pragma once
// RAPL through perf_event: the seam tests use to run the real parsing and
// reading code without a RAPL PMU.
#include <linux/perf_event.h>

#include <functional>

#include "joule/discovery.hpp"

namespace joule::sensors {

// perf_event_open(2) for a system-wide counting event on one CPU (pid -1):
// returns a file descriptor the caller owns, or -1 with errno set. The
// backend reads 8 bytes from it (the 64-bit count), so a test may return the
// descriptor of an ordinary file that holds a count.
using PerfEventOpen = std::function<int(const perf_event_attr& attr, int cpu)>;

// The real syscall.
int system_perf_event_open(const perf_event_attr& attr, int cpu);

// probe_rapl_perf with the syscall replaced.
void probe_rapl_perf_with(const SensorConfig& config, ProbeResult& result,
                          const PerfEventOpen& open_event);

}  // namespace joule::sensors
