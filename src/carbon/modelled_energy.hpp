#pragma once
// E when nothing was measured: mean power x time, as ML CO2 Impact and Green
// Algorithms compute it. A board's TDP is its power cap, not its typical draw,
// so energy modelled from it is a ceiling, given with a wide range.
#include <string>

#include "carbon/tables.hpp"
#include "joule/carbon.hpp"

namespace joule::carbon {

// Relative uncertainty of modelled energy (docs/methodology.md).
inline constexpr double kModelledEnergyUncertainty = 0.3;

// The gpu_power.csv row of `model` (matched loosely), which must give a TDP.
// Throws CarbonError naming close matches when there is no such row.
const GpuRow& gpu_with_power(const ReferenceData& data, const std::string& model);

// Mean power of `count` such GPUs, each drawing `utilisation` (0, 1] of its TDP.
Watts gpu_power(const GpuRow& gpu, double count, double utilisation);

// E = P x t, +-30 %; `source` says where P came from, for printing beside E.
EnergyInput modelled_energy(Watts power, Seconds duration, std::string source);

}  // namespace joule::carbon
