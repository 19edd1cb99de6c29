#include "carbon/modelled_energy.hpp"

#include <fmt/format.h>

#include <utility>

#include "carbon/suggest.hpp"

namespace joule::carbon {

const GpuRow& gpu_with_power(const ReferenceData& data, const std::string& model) {
  const GpuRow* gpu = data.gpu(model);
  if (!gpu) {
    throw CarbonError(fmt::format("unknown GPU '{}';{} (gpu_power.csv lists the models)", model,
                                  did_you_mean(model, data.gpu_models())));
  }
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
