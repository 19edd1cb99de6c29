#pragma once
// What the machine a run uses is made of, for its embodied emissions M: the
// CPU model, sockets and the hypervisor flag from /proc/cpuinfo, the memory
// from /proc/meminfo, the chassis and VM vendor from DMI, the GPU names from
// NVML. The carbon layer looks them up (carbon::plan_hardware); it reads no
// system file itself.
#include <filesystem>
#include <string>

#include "joule/carbon.hpp"

namespace joule::run {

// Every root is configurable, as the sensors' are (JOULE_PROC_ROOT,
// JOULE_SYSFS_ROOT, JOULE_NVML_LIBRARY), so tests point it at fixtures.
struct HardwareSources {
  std::filesystem::path proc_root = "/proc";
  std::filesystem::path sysfs_root = "/sys";
  std::string nvml_library = "libnvidia-ml.so.1";
};

// Never throws: what cannot be read is left empty, and `read_from` says so.
carbon::DetectedHardware detect_hardware(const HardwareSources& sources);

// The DMI chassis_type number as "laptop", "desktop", "server", or "".
std::string chassis_kind(int dmi_chassis_type);

}  // namespace joule::run
