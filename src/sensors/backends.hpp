#pragma once
// The built-in backends' probes; registry.cpp lists them in probe order.
#include "joule/discovery.hpp"
#include "joule/sensor.hpp"
#include "joule/units.hpp"

namespace joule::sensors {

void probe_trace(const SensorConfig& config, ProbeResult& result);          // trace_replay.cpp
void probe_rapl_powercap(const SensorConfig& config, ProbeResult& result);  // rapl_powercap.cpp
void probe_rapl_perf(const SensorConfig& config, ProbeResult& result);      // rapl_perf.cpp
void probe_nvml(const SensorConfig& config, ProbeResult& result);           // nvml.cpp
void probe_rocm_smi(const SensorConfig& config, ProbeResult& result);       // rocm_smi.cpp
void probe_hwmon(const SensorConfig& config, ProbeResult& result);          // hwmon.cpp
void probe_battery(const SensorConfig& config, ProbeResult& result);        // battery.cpp
void probe_estimator(const SensorConfig& config, ProbeResult& result);      // estimator.cpp

// A generous physical bound on what one domain of this kind can draw, for
// counters whose driver declares no limit (registry.cpp). A counter step
// beyond it is a reset, not energy; docs/sensors.md lists the figures.
Watts physical_max_power(Component component);

}  // namespace joule::sensors
