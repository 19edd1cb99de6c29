#pragma once
// What the two RAPL backends (powercap and perf) share: the same MSRs behind
// them, so the same uncertainty and the same unit quirks.
#include <optional>

#include "sensors/sysfs.hpp"

namespace joule::sensors::rapl {

// Relative uncertainty of RAPL energy. Since Haswell, Intel measures package
// and DRAM energy (Hackenberg et al. 2015, Khan et al. 2018 find it within a
// few percent of external meters); DRAM was modelled and off by more before
// that (Desrochers et al. 2016). AMD Zen's RAPL is a model evaluated by the
// SMU that misses parts of the package such as the I/O die (Schöne et al.
// 2021), so it is wider.
inline constexpr double kIntelUncertainty = 0.05;
inline constexpr double kIntelDramUncertainty = 0.10;
inline constexpr double kAmdUncertainty = 0.10;

// Sapphire Rapids and Emerald Rapids count psys in whole joules, whatever
// MSR_RAPL_POWER_UNIT declares: the kernel applies RAPL_UNIT_QUIRK_INTEL_SPR
// in perf (arch/x86/events/rapl.c, model_spr for INTEL_SAPPHIRERAPIDS_X and
// INTEL_EMERALDRAPIDS_X: rapl_hw_unit[PERF_RAPL_PSYS] = 0) and
// rapl_defaults_spr_server in powercap (drivers/powercap/intel_rapl_common.c,
// psys_domain_energy_unit of one joule). Both still report in their usual
// units (2^-32 J counts, microjoules), so only the resolution changes: one
// step of the counter is 1 J. nullopt on every other CPU.
inline constexpr int kIntelSapphireRapidsX = 0x8F;
inline constexpr int kIntelEmeraldRapidsX = 0xCF;
inline std::optional<double> psys_resolution_override_j(const sysfs::CpuInfo& cpu) {
  const bool spr_server =
      cpu.vendor == "GenuineIntel" && cpu.family == 6 &&
      (cpu.model_number == kIntelSapphireRapidsX || cpu.model_number == kIntelEmeraldRapidsX);
  if (spr_server) return 1.0;
  return std::nullopt;
}

}  // namespace joule::sensors::rapl
