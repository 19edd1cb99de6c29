#include "carbon/modelled_energy.hpp"

#include <fmt/format.h>

#include <utility>

#include "carbon/names.hpp"

namespace joule::carbon {

const GpuRow& gpu_with_power(const ReferenceData& data, const std::string& model) {
  const GpuRow* gpu = &require_gpu(data, model);
  if (!gpu->tdp_w) {
    throw CarbonError(fmt::format("no power figure for {} in gpu_power.csv", gpu->model));
  }
  return *gpu;
}

Watts gpu_power(const GpuRow& gpu, double count, double utilisation) {
  return Watts{gpu.tdp_w.value_or(0)} * count * utilisation;
}

EnergyInput modelled_energy(Watts power, Seconds duration, std::string source) {
  EnergyInput energy;
  energy.energy = power * duration;
  energy.relative_uncertainty = kModelledEnergyUncertainty;
  energy.source = std::move(source);
  return energy;
}

}  // namespace joule::carbon
